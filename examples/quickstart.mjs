// A plain supabase-js script against `npm start`: sign up two users, update a profile, follow,
// read the follower count, sign in again with a password, and call the health function.
// Run: node examples/quickstart.mjs
// Settings: SUPABASE_URL (default http://127.0.0.1:$SUPASOCIAL_API_PORT, port 54321), SUPABASE_ANON_KEY
// (default: the key `npm start` keeps in .supasocial/keys.json).
import { readFileSync } from "node:fs";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";

const url = process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.SUPASOCIAL_API_PORT || 54321}`;
const key =
  process.env.SUPABASE_ANON_KEY ??
  JSON.parse(readFileSync(new URL("../.supasocial/keys.json", import.meta.url), "utf8")).publishableKey;
const client = () =>
  createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no WebSocket of its own; browsers, React Native and Node 22+ leave this out
    realtime: { transport: WebSocket },
  });

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
const anaLogin = { email: `ana-${run}@example.com`, password: "correct-horse-1" };
const ana = client();
const ben = client();
const a = await ana.auth.signUp({ ...anaLogin, options: { data: { handle: `ana_${run}`, display_name: "Ana" } } });
const b = await ben.auth.signUp({
  email: `ben-${run}@example.com`,
  password: "correct-horse-2",
  options: { data: { handle: `ben_${run}` } },
});
if (a.error || b.error) throw a.error ?? b.error;
const anaId = a.data.user.id;

const upd = await ana
  .schema("social")
  .from("profiles")
  .update({ display_name: "Ana Trainer" })
  .eq("id", anaId)
  .select("handle, display_name")
  .single();
if (upd.error) throw upd.error;
console.log("updated profile:", upd.data);

const follow = await ben.schema("social").rpc("follow", { p_user_id: anaId });
if (follow.error) throw follow.error;
console.log("ben follows ana:", follow.data.status);

const card = await ben.schema("social").from("profiles").select("handle, followers_count").eq("id", anaId).single();
if (card.error) throw card.error;
console.log("ana's follower count:", card.data.followers_count);

// an app that starts again signs in with the password (npm start also has demo logins, see its output)
const again = client();
const signIn = await again.auth.signInWithPassword(anaLogin);
if (signIn.error) throw signIn.error;
console.log("signed in again:", signIn.data.user.email === anaLogin.email);

const health = await again.functions.invoke("health");
if (health.error) throw health.error;
console.log("health function:", health.data.status);
if (card.data.followers_count !== 1) process.exit(1);

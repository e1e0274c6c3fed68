// A plain supabase-js script against `npm start`: sign up two users, update a profile, follow,
// read the follower count, sign in as a demo user, and call the health function.
// Run: node examples/quickstart.mjs   (SUPABASE_URL / SUPABASE_ANON_KEY default to the local stack)
import { readFileSync } from "node:fs";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";

const url = process.env.SUPABASE_URL ?? "http://127.0.0.1:54321";
const key =
  process.env.SUPABASE_ANON_KEY ??
  JSON.parse(readFileSync(new URL("../.supasocial/keys.json", import.meta.url), "utf8")).publishableKey;
const client = () =>
  createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket },
  });

const run = Date.now().toString(36);
const ana = client();
const ben = client();
const a = await ana.auth.signUp({
  email: `ana-${run}@example.com`,
  password: "correct-horse-1",
  options: { data: { handle: `ana_${run}`, display_name: "Ana" } },
});
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

const demo = client();
const signIn = await demo.auth.signInWithPassword({ email: "ana@demo.supasocial.dev", password: "supasocial-demo" });
console.log("demo sign-in:", signIn.error ? signIn.error.message : signIn.data.user.email);

const health = await demo.functions.invoke("health");
console.log("health function:", health.error ? health.error.message : health.data.status);
if (card.data.followers_count !== 1 || signIn.error || health.error) process.exit(1);

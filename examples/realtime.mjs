// A plain supabase-js script: ben listens on his private Realtime channel `user:<id>` and gets a
// notification when ana reacts to his post; ana cannot listen on ben's channel.
// Run against `npm start`: node examples/realtime.mjs
// (SUPABASE_URL, else http://127.0.0.1:$SUPASOCIAL_API_PORT (54321); SUPABASE_ANON_KEY, else the
// publishable key in .supasocial/keys.json)
import { readFileSync } from "node:fs";
import { createClient } from "@supabase/supabase-js";
import WebSocket from "ws";

const url = process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.SUPASOCIAL_API_PORT ?? 54321}`;
const key =
  process.env.SUPABASE_ANON_KEY ??
  JSON.parse(readFileSync(new URL("../.supasocial/keys.json", import.meta.url), "utf8")).publishableKey;
const client = () =>
  createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket }, // Node 20 has no WebSocket of its own
  });

const run = Date.now().toString(36);
const signUp = async (supabase, name) => {
  const { data, error } = await supabase.auth.signUp({
    email: `${name}-${run}@example.com`,
    password: `correct-horse-${run}`,
    options: { data: { handle: `${name}_${run}`, display_name: name } },
  });
  if (error) throw error;
  return data.user.id;
};
const ana = client();
const ben = client();
const anaId = await signUp(ana, "ana");
const benId = await signUp(ben, "ben");
// this demo is about a reaction: ben's first post would also earn him the First post badge, whose
// notification (kind badge_earned) he turns off here
const quiet = await ben
  .schema("social")
  .rpc("set_notification_preference", { p_kind: "badge_earned", p_in_app: false });
if (quiet.error) throw quiet.error;

// subscribe and wait until the channel has joined (or was refused)
const joined = (channel) =>
  new Promise((resolve) => channel.subscribe((status, error) => status !== "CLOSED" && resolve({ status, error })));

let notify;
const notified = new Promise((resolve) => {
  notify = resolve;
});
const benChannel = ben
  .channel(`user:${benId}`, { config: { private: true } })
  .on("broadcast", { event: "notification" }, ({ payload }) => notify(payload));
const benJoin = await joined(benChannel);
console.log("ben joins his channel:", benJoin.status);

// ana may not listen on ben's channel: Realtime checks the RLS policy on realtime.messages as ana
const spy = await joined(ana.channel(`user:${benId}`, { config: { private: true } }));
console.log("ana joins ben's channel:", spy.status, spy.error?.message ?? "");
await ana.removeAllChannels();

const post = await ben
  .schema("social")
  .from("posts")
  .insert({ author_id: benId, body: "First 10k!" })
  .select("id")
  .single();
if (post.error) throw post.error;
const reaction = await ana.schema("social").rpc("react", { p_post_id: post.data.id, p_kind: "fire" });
if (reaction.error) throw reaction.error;

const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 10_000));
const payload = await Promise.race([notified, timeout]);
if (!payload) {
  console.error("no notification within 10 s");
  process.exit(1);
}
console.log(
  `ben is notified: ${payload.notification.kind} by ${payload.actor.handle} (${payload.actor.id === anaId ? "ana" : "?"}), unread ${payload.unread_count}`,
);
await ben.removeAllChannels();
const ok =
  benJoin.status === "SUBSCRIBED" && spy.status === "CHANNEL_ERROR" && payload.notification.kind === "reaction";
process.exit(ok ? 0 : 1);

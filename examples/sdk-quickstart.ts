// The @supasocial/client SDK against `npm start`: two users sign up, ana updates her profile and
// posts, ben follows her, reacts and comments, reads his home feed and gets a typed error; ana
// reads her notifications (her first post also earned her the First post badge).
// Run: npx tsx examples/sdk-quickstart.ts
// Settings: SUPABASE_URL (default http://127.0.0.1:$SUPASOCIAL_API_PORT, port 54321), SUPABASE_ANON_KEY
// (default: the key `npm start` keeps in .supasocial/keys.json).
import { readFileSync } from "node:fs";
import { createClient } from "@supabase/supabase-js";
import { createSupasocialClient, isSupasocialError, type SupasocialResult } from "@supasocial/client";
import WebSocket from "ws";

const url = process.env.SUPABASE_URL ?? `http://127.0.0.1:${process.env.SUPASOCIAL_API_PORT || 54321}`;
const key: string =
  process.env.SUPABASE_ANON_KEY ??
  JSON.parse(readFileSync(new URL("../.supasocial/keys.json", import.meta.url), "utf8")).publishableKey;

/** The data of a result; the error (with its stable code) otherwise. */
function ok<T>(result: SupasocialResult<T>): T {
  if (result.error) throw result.error;
  return result.data;
}

const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
async function signUp(name: string) {
  const supabase = createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no WebSocket of its own; browsers, React Native and Node 22+ leave this out
    realtime: { transport: WebSocket as never },
  });
  const handle = `${name}_${run}`;
  const { data, error } = await supabase.auth.signUp({
    email: `${handle}@example.com`,
    password: `pw-${run}-${name}`,
    options: { data: { handle, display_name: name } },
  });
  if (error || !data.user) throw error ?? new Error("sign-up returned no user");
  return { id: data.user.id, handle, social: createSupasocialClient(supabase) };
}

const ana = await signUp("ana");
const ben = await signUp("ben");

const me = ok(await ana.social.profiles.update({ bio: "Marathon in April" }));
console.log("ana's profile:", me.handle, "-", me.details.bio);

const follow = ok(await ben.social.graph.follow(ana.id));
console.log("ben follows ana:", follow.status);

const post = ok(await ana.social.posts.create({ body: "Long run done, 21 km", visibility: "followers" }));
ok(await ben.social.reactions.add(post.id, "fire"));
const comment = ok(await ben.social.comments.create(post.id, { body: "Nice pace!" }));
console.log("ben commented:", comment.body);

const feed = ok(await ben.social.feed.home({ limit: 10 }));
const first = feed.items[0];
console.log("ben's home feed:", first?.body, "by", first?.author.handle, "-", first?.reactionCount, "reaction(s)");
if (first?.id !== post.id) throw new Error("ana's post is not first in ben's home feed");

const missing = await ben.social.profiles.get(`nobody_${run}`);
if (!isSupasocialError(missing.error) || missing.error.status !== 404) {
  throw new Error(`expected a 404, got ${JSON.stringify(missing)}`);
}
console.log("a missing profile:", missing.error.code, missing.error.status);

// reaction and comment notifications arrive a moment after the write (the stack's job sends them;
// an app would rather subscribe: ana.social.notifications.subscribe)
let unread = ok(await ana.social.notifications.unreadCount());
for (let tries = 0; unread < 4 && tries < 50; tries++) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  unread = ok(await ana.social.notifications.unreadCount());
}
const inbox = ok(await ana.social.notifications.list({ unreadOnly: true }));
console.log("ana's notifications:", unread, "unread:", inbox.items.map((n) => n.kind).join(", "));
if (unread < 4) throw new Error("ana should have follower, reaction, comment and badge notifications");

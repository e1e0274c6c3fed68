// Two supabase-js clients plan one trip at once, live: ana (owner) and ben (editor) join the
// private Realtime channel trip:<id>, see each other's presence (and which day they look at),
// add and move items at the same moment and each sees the other's changes as they commit; a stale
// edit answers `conflict`; cy (a stranger) cannot join; ben, once removed, is told and leaves;
// a share link opens the trip without an account.
// Run against `npm start`: node examples/trips-live.mjs
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
const must = ({ data, error }) => {
  if (error) throw new Error(`${error.code ?? ""} ${error.hint ?? ""} ${error.message}`);
  return data;
};
const until = (check, ms = 10_000) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error("timed out waiting"));
      setTimeout(tick, 20);
    };
    tick();
  });

const ana = client();
const ben = client();
const cy = client();
const anaId = await signUp(ana, "ana");
const benId = await signUp(ben, "ben");
await signUp(cy, "cy");

// ana plans a trip and invites ben as an editor; ben accepts
const trip = must(
  await ana
    .schema("social")
    .rpc("create_trip", { p_trip: { title: "Lisbon long weekend", start_date: "2027-05-01", end_date: "2027-05-03" } }),
);
const invite = must(
  await ana.schema("social").rpc("invite_to_trip", { p_trip_id: trip.id, p_user_id: benId, p_role: "editor" }),
);
must(await ben.schema("social").rpc("accept_trip_invite", { p_invite_id: invite.id }));
const day1 = must(
  await ana.schema("social").rpc("add_trip_day", { p_trip_id: trip.id, p_day: { day_date: "2027-05-01" } }),
);
const day2 = must(
  await ana.schema("social").rpc("add_trip_day", { p_trip_id: trip.id, p_day: { day_date: "2027-05-02" } }),
);

// both join trip:<id> (private: Realtime asks the RLS policy on realtime.messages) and track presence
const live = async (supabase, name, userId, dayId) => {
  const state = { name, changes: [], viewers: [], removed: false };
  const channel = supabase.channel(`trip:${trip.id}`, { config: { private: true, presence: { key: userId } } });
  for (const event of ["item", "day", "trip", "member"]) {
    channel.on("broadcast", { event }, ({ payload }) => {
      state.changes.push({ event, op: payload.op, title: payload.row?.title, by: payload.by });
      if (event === "member" && payload.op === "removed" && payload.user_id === userId) {
        state.removed = true;
        supabase.removeChannel(channel); // the removed member leaves at once
      }
    });
  }
  channel.on("presence", { event: "sync" }, () => {
    state.viewers = Object.values(channel.presenceState()).map((metas) => `${metas[0].name}@${metas[0].day}`);
  });
  const status = await new Promise((resolve) =>
    channel.subscribe((s, err) => s !== "CLOSED" && resolve(err ? `${s} ${err.message}` : s)),
  );
  if (status === "SUBSCRIBED") await channel.track({ name, day: dayId });
  return { state, channel, status };
};
const a = await live(ana, "ana", anaId, day1.day_date);
const b = await live(ben, "ben", benId, day2.day_date);
console.log(`ana joins: ${a.status}; ben joins: ${b.status}`);
await until(() => a.state.viewers.length === 2 && b.state.viewers.length === 2);
console.log(`ana sees viewing: ${[...a.state.viewers].sort().join(", ")}`);
console.log(`ben sees viewing: ${[...b.state.viewers].sort().join(", ")}`);

const c = await live(cy, "cy", "cy", null);
console.log(`cy joins: ${c.status.split(":")[0]}`);

// both add an item at the same moment, then both move theirs into the same gap
const [castle, tram] = await Promise.all([
  ana.schema("social").rpc("add_trip_item", { p_day_id: day1.id, p_item: { title: "Castelo", category: "sight" } }),
  ben.schema("social").rpc("add_trip_item", { p_day_id: day1.id, p_item: { title: "Tram 28", category: "transport" } }),
]).then((rs) => rs.map(must));
await until(() =>
  ["Castelo", "Tram 28"].every(
    (t) => a.state.changes.some((x) => x.title === t) && b.state.changes.some((x) => x.title === t),
  ),
);
console.log(`ana sees ben's item: ${a.state.changes.some((x) => x.title === "Tram 28" && x.by === benId)}`);
console.log(`ben sees ana's item: ${b.state.changes.some((x) => x.title === "Castelo" && x.by === anaId)}`);
await Promise.all([
  ana.schema("social").rpc("move_trip_item", { p_item_id: castle.id, p_day_id: day2.id, p_first: true }),
  ben.schema("social").rpc("move_trip_item", { p_item_id: tram.id, p_day_id: day2.id, p_first: true }),
]).then((rs) => rs.forEach(must));
const plan = must(await ana.schema("social").rpc("get_trip", { p_trip_id: trip.id }));
const onDay2 = plan.items.filter((i) => i.day_id === day2.id).map((i) => i.title);
console.log(`both moves landed on day 2: ${onDay2.includes("Castelo") && onDay2.includes("Tram 28")}`);

// ben edits with the version he read; ana edited meanwhile: conflict, nothing overwritten
const read = castle.version;
must(
  await ana
    .schema("social")
    .rpc("update_trip_item", { p_item_id: castle.id, p_version: read, p_changes: { notes: "book online" } }),
);
const stale = await ben
  .schema("social")
  .rpc("update_trip_item", { p_item_id: castle.id, p_version: read, p_changes: { notes: "walk up" } });
console.log(`ben's stale edit: ${stale.error?.hint} (${stale.status})`);

// a read-only link for someone without an account
const link = must(await ana.schema("social").rpc("create_trip_share_link", { p_trip_id: trip.id }));
const visitor = client();
const shared = must(await visitor.schema("social").rpc("view_shared_trip", { p_token: link.token }));
console.log(`the link opens "${shared.title}" with ${shared.items.length} items`);

// ana removes ben: he hears it and leaves the channel; later changes do not reach him
must(await ana.schema("social").rpc("remove_trip_member", { p_trip_id: trip.id, p_user_id: benId }));
await until(() => b.state.removed);
const heard = b.state.changes.length;
must(await ana.schema("social").rpc("add_trip_item", { p_day_id: day1.id, p_item: { title: "After ben left" } }));
await until(() => a.state.changes.some((x) => x.title === "After ben left"));
console.log(
  `ben was told he was removed: ${b.state.removed}; he heard nothing after: ${b.state.changes.length === heard}`,
);
const again = await live(ben, "ben", benId, null);
console.log(`ben joins again: ${again.status.split(":")[0]}`);

await Promise.all([ana, ben, cy].map((s) => s.removeAllChannels()));

/**
 * Broadcast from the database on the local Realtime server: rows that realtime.send and
 * realtime.broadcast_changes write into realtime.messages reach the subscribers of their topic
 * who may read it, once and in commit order; rolled-back rows never do; private and public topics
 * of one name stay apart; one user's messages never reach another user's socket; replay.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { client, eventually, inbox, join, joined, sendFromDatabase, sleep, sql, user } from "../fixtures/realtime.ts";
import { api } from "../helpers/api.ts";
import { settle } from "../helpers/effects.ts";

const ids = (got: { payload: unknown }[]) => got.map((m) => (m.payload as { n: number }).n);

describe("delivery", () => {
  test("every committed message arrives once, in commit order; a rolled-back one never does", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const channel = ben.supabase.channel(topic, { config: { private: true } });
    const got = inbox(channel, "tick");
    await joined(channel);

    const expected: number[] = [];
    for (let n = 0; n < 20; n++) {
      await sendFromDatabase(topic, "tick", { n });
      expected.push(n);
    }
    // several in one transaction keep their order
    await sql.begin(async (tx) => {
      for (let n = 20; n < 25; n++) await tx`select realtime.send(${tx.json({ n })}, 'tick', ${topic}, true)`;
    });
    expected.push(20, 21, 22, 23, 24);
    // a transaction that rolls back broadcasts nothing
    await sql
      .begin(async (tx) => {
        await tx`select realtime.send(${tx.json({ n: -1 })}, 'tick', ${topic}, true)`;
        throw new Error("roll back");
      })
      .catch(() => {});
    await sendFromDatabase(topic, "tick", { n: 25 });
    expected.push(25);

    await eventually(() => expect(ids(got)).toEqual(expected));
    await sleep(300);
    expect(ids(got)).toEqual(expected);
    const messageIds = got.map((m) => m.meta?.id);
    expect(new Set(messageIds).size).toBe(expected.length);
    await ben.supabase.removeAllChannels();
  });

  test("transactions committing concurrently arrive in the order they committed", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const channel = ben.supabase.channel(topic, { config: { private: true } });
    const got = inbox(channel, "tick");
    await joined(channel);
    // each transaction records its place in commit order under an exclusive lock taken before
    // it commits, so commit order and `n` agree
    await Promise.all(
      Array.from({ length: 12 }, () =>
        sql.begin(async (tx) => {
          await tx`lock table realtime.messages_default in share row exclusive mode`;
          const [{ n }] = await tx<{ n: number }[]>`
            select count(*)::int as n from realtime.messages where topic = ${topic} and event = 'tick'`;
          await tx`select realtime.send(${tx.json({ n })}, 'tick', ${topic}, true)`;
        }),
      ),
    );
    await eventually(() => expect(ids(got)).toEqual(Array.from({ length: 12 }, (_, i) => i)));
    await ben.supabase.removeAllChannels();
  });

  test("one user's private messages never reach another user's socket", async () => {
    const [ana, ben] = await Promise.all([user("ana"), user("ben")]);
    const anaChannel = ana.supabase.channel(`user:${ana.id}`, { config: { private: true } });
    const benChannel = ben.supabase.channel(`user:${ben.id}`, { config: { private: true } });
    const anaGot = inbox(anaChannel);
    const benGot = inbox(benChannel);
    await Promise.all([joined(anaChannel), joined(benChannel)]);
    // ben also tries ana's private topic (refused) and listens on a public channel of that name
    const benOnAna = await join(ben.supabase.channel(`user:${ana.id}`, { config: { private: true } }));
    expect(benOnAna.status).toBe("CHANNEL_ERROR");
    await ben.supabase.removeChannel(ben.supabase.getChannels().find((c) => c.topic === `realtime:user:${ana.id}`)!);
    const benPublic = ben.supabase.channel(`user:${ana.id}`);
    const benPublicGot = inbox(benPublic);
    await joined(benPublic);

    for (let n = 0; n < 5; n++) {
      await sendFromDatabase(`user:${ana.id}`, "secret", { n, for: "ana" });
      await sendFromDatabase(`user:${ben.id}`, "secret", { n, for: "ben" });
    }
    await eventually(() => expect(ids(anaGot)).toEqual([0, 1, 2, 3, 4]));
    await eventually(() => expect(ids(benGot)).toEqual([0, 1, 2, 3, 4]));
    await sleep(200);
    expect(anaGot.every((m) => (m.payload as { for: string }).for === "ana")).toBe(true);
    expect(benGot.every((m) => (m.payload as { for: string }).for === "ben")).toBe(true);
    expect(benPublicGot).toEqual([]);

    // a public message on that name reaches the public channel only
    await sendFromDatabase(`user:${ana.id}`, "public", { n: 9 }, false);
    await eventually(() => expect(ids(benPublicGot)).toEqual([9]));
    await sleep(100);
    expect(ids(anaGot)).toEqual([0, 1, 2, 3, 4]);
    await Promise.all([ana.supabase.removeAllChannels(), ben.supabase.removeAllChannels()]);
  });

  test("a reaction notifies the post's author live, and only them", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    // ben's first post would also earn him a badge (gamification): its notification is off here
    const quiet = await ben.supabase
      .schema("social")
      .rpc("set_notification_preference", { p_kind: "badge_earned", p_in_app: false });
    expect(quiet.error).toBeNull();
    const benChannel = ben.supabase.channel(`user:${ben.id}`, { config: { private: true } });
    const cleoChannel = cleo.supabase.channel(`user:${cleo.id}`, { config: { private: true } });
    const benGot = inbox(benChannel, "notification");
    const cleoGot = inbox(cleoChannel);
    await Promise.all([joined(benChannel), joined(cleoChannel)]);
    const post = await ben.supabase
      .schema("social")
      .from("posts")
      .insert({ author_id: ben.id, body: "Long run done" })
      .select("id")
      .single();
    expect(post.error).toBeNull();
    const reacted = await ana.supabase.schema("social").rpc("react", { p_post_id: post.data!.id, p_kind: "fire" });
    expect(reacted.error).toBeNull();
    await settle(); // the deferred-effects job sends it (the local stack's runs by itself too)
    await eventually(() => expect(benGot).toHaveLength(1));
    expect(benGot[0]!.payload).toMatchObject({
      notification: { kind: "reaction", recipient_id: ben.id, post_id: post.data!.id },
      actor: { id: ana.id },
      unread_count: 1,
    });
    await sleep(150);
    expect(cleoGot).toEqual([]);
    await Promise.all([ben.supabase.removeAllChannels(), cleo.supabase.removeAllChannels()]);
  });
});

describe("realtime.broadcast_changes", () => {
  beforeAll(async () => {
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('supasocial realtime test table'))`;
      await tx.unsafe(`
        create schema if not exists rt_test;
        create table if not exists rt_test.items (id bigint generated always as identity primary key, room text not null, title text);
        create or replace function rt_test.on_items_change() returns trigger
        language plpgsql set search_path = '' as $$
        begin
          perform realtime.broadcast_changes('items:' || coalesce(new.room, old.room), tg_op, tg_op,
            tg_table_name, tg_table_schema, new, old);
          return null;
        end $$;
        drop trigger if exists on_items_change on rt_test.items;
        create trigger on_items_change after insert or update or delete on rt_test.items
          for each row execute function rt_test.on_items_change();`);
    });
  });

  test("a row trigger's inserts, updates and deletes reach the room's private channel", async () => {
    const room = `room-${Date.now().toString(36)}`;
    // the service role may read any topic (BYPASSRLS); items: topics have no policy of their own
    const supabase = client({ key: api().secretKey });
    const channel = supabase.channel(`items:${room}`, { config: { private: true } });
    const got = inbox(channel);
    await joined(channel);
    const [row] = await sql<
      { id: number }[]
    >`insert into rt_test.items (room, title) values (${room}, 'a') returning id`;
    await sql`update rt_test.items set title = 'b' where id = ${row!.id}`;
    await sql`delete from rt_test.items where id = ${row!.id}`;
    await eventually(() => expect(got.map((m) => m.event)).toEqual(["INSERT", "UPDATE", "DELETE"]));
    expect(got.map((m) => m.payload)).toEqual([
      expect.objectContaining({
        operation: "INSERT",
        table: "items",
        schema: "rt_test",
        record: expect.objectContaining({ title: "a" }),
        old_record: null,
      }),
      expect.objectContaining({
        operation: "UPDATE",
        record: expect.objectContaining({ title: "b" }),
        old_record: expect.objectContaining({ title: "a" }),
      }),
      expect.objectContaining({
        operation: "DELETE",
        record: null,
        old_record: expect.objectContaining({ title: "b" }),
      }),
    ]);
    await supabase.removeAllChannels();
  });
});

describe("replay", () => {
  test("a private channel joined with replay first gets the recent messages, marked replayed, then live ones", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const since = Date.now() - 1000;
    // an observer (the service role) sees 0..2 go out live, before ben's channel exists
    const observer = client({ key: api().secretKey });
    const observerChannel = observer.channel(topic, { config: { private: true } });
    const observed = inbox(observerChannel, "tick");
    await joined(observerChannel);
    for (let n = 0; n < 3; n++) await sendFromDatabase(topic, "tick", { n });
    await eventually(() => expect(ids(observed)).toEqual([0, 1, 2]));
    await observer.removeAllChannels();
    const channel = ben.supabase.channel(topic, {
      config: { private: true, broadcast: { replay: { since, limit: 2 } } },
    });
    const got = inbox(channel, "tick");
    await joined(channel);
    await sendFromDatabase(topic, "tick", { n: 3 });
    await eventually(() => expect(ids(got)).toEqual([1, 2, 3]));
    expect(got.map((m) => m.meta?.replayed ?? false)).toEqual([true, true, false]);
    await ben.supabase.removeAllChannels();
  });
});

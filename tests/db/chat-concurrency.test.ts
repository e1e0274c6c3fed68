/**
 * Concurrent sends on many connections at once, committed for real (the other suites roll back):
 * retries of one send make exactly one message, and distinct sends into one conversation take
 * distinct, gapless sequence numbers. Users made here are deleted afterwards.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { committed } from "../helpers/committed.ts";

const CONNECTIONS = 16;
const { pool, user, asUser } = committed({ connections: CONNECTIONS + 2, tag: "concurrency" });

/** Hold the gate closed while `start` launches the callers, then open it. */
async function atOnce<T>(start: (gate: number) => Promise<T>[]): Promise<T[]> {
  const gate = Math.floor(Math.random() * 1e9);
  const holder = await pool.reserve();
  try {
    await holder`select pg_advisory_lock(${gate})`;
    const running = start(gate);
    // wait until every caller is queued on the gate
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await holder<{ n: number }[]>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = ${gate} and not granted`;
      if (n >= running.length) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await holder`select pg_advisory_unlock(${gate})`;
    return await Promise.all(running);
  } finally {
    holder.release();
  }
}

describe("concurrent sends", () => {
  it("retries of one send on many connections at once make exactly one message", async () => {
    const [ana, ben] = [await user(), await user()];
    const [conv] = await asUser(
      ana,
      (tx) => tx<{ id: string }[]>`select id from social.open_direct_conversation(${ben})`,
    );
    const key = randomUUID();
    const results = await atOnce((gate) =>
      Array.from({ length: CONNECTIONS }, () =>
        asUser(
          ana,
          (tx) => tx<{ id: string; seq: string }[]>`
            select id, seq from social.send_message(${conv!.id}, ${key}, 'only once')`,
          gate,
        ),
      ),
    );
    const ids = new Set(results.map((r) => r[0]!.id));
    expect(ids.size).toBe(1);
    const [stored] = await pool<{ n: number; last_seq: string; unread: string }[]>`
      select (select count(*)::int from social.messages where sender_id = ${ana} and client_message_id = ${key}) as n,
             c.last_seq, c.last_seq - m.last_read_seq as unread
      from social.conversations c
      join social.conversation_members m on m.conversation_id = c.id and m.user_id = ${ben}
      where c.id = ${conv!.id}`;
    expect(stored).toEqual({ n: 1, last_seq: "1", unread: "1" });
  });

  it("distinct sends at once into one conversation take distinct, gapless numbers", async () => {
    const users: string[] = [];
    for (let i = 0; i < 4; i++) users.push(await user());
    const [admin, ...rest] = users as [string, ...string[]];
    const [conv] = await asUser(
      admin,
      (tx) => tx<{ id: string }[]>`select id from social.create_group_conversation('Race', ${rest}::uuid[])`,
    );
    const results = await atOnce((gate) =>
      Array.from({ length: CONNECTIONS }, (_, i) =>
        asUser(
          users[i % users.length]!,
          (tx) => tx<{ seq: string }[]>`select seq from social.send_message(${conv!.id}, ${randomUUID()}, ${`m${i}`})`,
          gate,
        ),
      ),
    );
    const seqs = results.map((r) => Number(r[0]!.seq)).sort((a, b) => a - b);
    // seq 1 is the conversation_created system message
    expect(seqs).toEqual(Array.from({ length: CONNECTIONS }, (_, i) => i + 2));
    const [c] = await pool<{ last_seq: string; n: number }[]>`
      select last_seq, (select count(*)::int from social.messages where conversation_id = ${conv!.id}) as n
      from social.conversations where id = ${conv!.id}`;
    expect(c).toEqual({ last_seq: String(CONNECTIONS + 1), n: CONNECTIONS + 1 });
    await pool`delete from social.conversations where id = ${conv!.id}`;
  });
});

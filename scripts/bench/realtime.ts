/**
 * Realtime benchmark: the local Realtime development server, run in its own process
 * (scripts/realtime/serve.ts) on the schema-only bench database, measured from realtime-js
 * clients (what supabase-js uses) in this process:
 *  - db_broadcast_latency_p50/p95: from issuing an autocommitted `realtime.send` to the callback
 *    of a client subscribed to that private `user:<id>` topic;
 *  - client_broadcast_latency_p95: one client's `send` to another client's callback;
 *  - fanout_1000_ms: one `realtime.send` to 1,000 sockets joined to one private topic, until the
 *    last has it (median of 5 rounds);
 *  - join_private_p95: `subscribe()` to SUBSCRIBED on a private channel, the RLS check included.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { type RealtimeChannel, RealtimeClient } from "@supabase/supabase-js";
import postgres from "postgres";
import WebSocket from "ws";
import { ROOT } from "../lib/db.ts";
import { signJwt } from "../realtime/jwt.ts";
import { type BenchArea, type BenchRow, percentile, row } from "./harness.ts";

const WARMUP = 20;
const SAMPLES = 200;
const FANOUT_SOCKETS = 1000;
const FANOUT_ROUNDS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Server {
  url: string;
  child: ChildProcess;
}

async function startServer(dbUrl: string, keys: Record<string, string>): Promise<Server> {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "scripts", "realtime", "serve.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      REALTIME_DB_URL: dbUrl,
      REALTIME_PORT: "0",
      REALTIME_PUBLISHABLE_KEY: keys.publishableKey,
      REALTIME_SECRET_KEY: keys.secretKey,
      REALTIME_JWT_SECRET: keys.jwtSecret,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /realtime listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the Realtime server exited with code ${code}`)));
  });
  return { url, child };
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => server.child.kill("SIGKILL"), 5000);
    server.child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill("SIGTERM");
  });
}

function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve();
      else if (status !== "CLOSED") reject(new Error(`${status}: ${error?.message ?? ""}`));
    }, 30_000);
  });
}

export const realtimeBench: BenchArea = {
  describe: "the Realtime development server in its own process, measured from realtime-js clients",
  scale: null,
  async run(dbUrl) {
    const keys = {
      publishableKey: `sb_publishable_${randomBytes(18).toString("base64url")}`,
      secretKey: `sb_secret_${randomBytes(18).toString("base64url")}`,
      jwtSecret: randomBytes(48).toString("base64url"),
    };
    const tokenFor = (sub: string) => {
      const now = Math.floor(Date.now() / 1000);
      return signJwt({ sub, role: "authenticated", aud: "authenticated", iat: now, exp: now + 3600 }, keys.jwtSecret);
    };
    const server = await startServer(dbUrl, keys);
    const endpoint = `${server.url.replace(/^http/, "ws")}/realtime/v1`;
    const clients: RealtimeClient[] = [];
    const newClient = (token: string) => {
      const client = new RealtimeClient(endpoint, {
        params: { apikey: keys.publishableKey },
        transport: WebSocket as never,
      });
      void client.setAuth(token);
      clients.push(client);
      return client;
    };
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const rows: BenchRow[] = [];
    try {
      // ---- database broadcast latency ------------------------------------------------------
      process.stderr.write("  database broadcast latency ...\n");
      const reader = randomUUID();
      const waiting = new Map<number, (t: number) => void>();
      const dbChannel = newClient(tokenFor(reader))
        .channel(`user:${reader}`, { config: { private: true } })
        .on("broadcast", { event: "bench" }, (message) => {
          waiting.get((message.payload as { seq: number }).seq)?.(performance.now());
        });
      await subscribe(dbChannel);
      const dbLatency: number[] = [];
      for (let seq = 0; seq < WARMUP + SAMPLES; seq++) {
        const arrived = new Promise<number>((resolve) => waiting.set(seq, resolve));
        const t0 = performance.now();
        await sql`select realtime.send(${sql.json({ seq })}, 'bench', ${`user:${reader}`}, true)`;
        const t1 = await arrived;
        waiting.delete(seq);
        if (seq >= WARMUP) dbLatency.push(t1 - t0);
        await sleep(5);
      }
      rows.push(row("db_broadcast_latency_p50", percentile(dbLatency, 50), "ms"));
      rows.push(row("db_broadcast_latency_p95", percentile(dbLatency, 95), "ms", 50));

      // ---- client to client ----------------------------------------------------------------
      process.stderr.write("  client broadcast latency ...\n");
      const room = `bench-${randomUUID()}`;
      const receivedAt = new Map<number, (t: number) => void>();
      const sender = newClient(tokenFor(randomUUID())).channel(room);
      const receiver = newClient(tokenFor(randomUUID()))
        .channel(room)
        .on("broadcast", { event: "bench" }, (message) => {
          receivedAt.get((message.payload as { seq: number }).seq)?.(performance.now());
        });
      await Promise.all([subscribe(sender), subscribe(receiver)]);
      const clientLatency: number[] = [];
      for (let seq = 0; seq < WARMUP + SAMPLES; seq++) {
        const arrived = new Promise<number>((resolve) => receivedAt.set(seq, resolve));
        const t0 = performance.now();
        await sender.send({ type: "broadcast", event: "bench", payload: { seq } });
        const t1 = await arrived;
        receivedAt.delete(seq);
        if (seq >= WARMUP) clientLatency.push(t1 - t0);
        await sleep(5);
      }
      rows.push(row("client_broadcast_latency_p95", percentile(clientLatency, 95), "ms", 20));

      // ---- private joins -------------------------------------------------------------------
      process.stderr.write("  private joins ...\n");
      const joiner = new RealtimeClient(endpoint, {
        params: { apikey: keys.publishableKey },
        transport: WebSocket as never,
      });
      clients.push(joiner);
      const joins: number[] = [];
      for (let i = 0; i < WARMUP + SAMPLES; i++) {
        const id = randomUUID();
        await joiner.setAuth(tokenFor(id));
        const t0 = performance.now();
        const channel = joiner.channel(`user:${id}`, { config: { private: true } });
        await subscribe(channel);
        if (i >= WARMUP) joins.push(performance.now() - t0);
        await joiner.removeChannel(channel);
      }
      rows.push(row("join_private_p95", percentile(joins, 95), "ms", 20));

      // ---- fan-out to 1,000 sockets ----------------------------------------------------------
      process.stderr.write(`  fan-out to ${FANOUT_SOCKETS} sockets (joining) ...\n`);
      const owner = randomUUID();
      const token = tokenFor(owner);
      let round = -1;
      let count = 0;
      let lastAt = 0;
      let done: () => void = () => {};
      const fanChannels: RealtimeChannel[] = [];
      for (let i = 0; i < FANOUT_SOCKETS; i++) {
        fanChannels.push(
          newClient(token)
            .channel(`user:${owner}`, { config: { private: true } })
            .on("broadcast", { event: "fanout" }, (message) => {
              if ((message.payload as { round: number }).round !== round) return;
              count++;
              if (count === FANOUT_SOCKETS) {
                lastAt = performance.now();
                done();
              }
            }),
        );
      }
      for (let i = 0; i < fanChannels.length; i += 100) await Promise.all(fanChannels.slice(i, i + 100).map(subscribe));
      process.stderr.write("  fan-out rounds ...\n");
      const fanout: number[] = [];
      for (round = 0; round < FANOUT_ROUNDS; round++) {
        count = 0;
        const all = new Promise<void>((resolve) => {
          done = resolve;
        });
        await sleep(200);
        const t0 = performance.now();
        await sql`select realtime.send(${sql.json({ round })}, 'fanout', ${`user:${owner}`}, true)`;
        await all;
        fanout.push(lastAt - t0);
      }
      console.log(`fan-out rounds (ms): ${fanout.map((v) => v.toFixed(1)).join(", ")}`);
      rows.push(row("fanout_1000_ms", percentile(fanout, 50), "ms", 250));
      return rows;
    } finally {
      await Promise.all(clients.map((c) => c.disconnect().catch(() => {})));
      await sql.end();
      await stopServer(server);
    }
  },
};

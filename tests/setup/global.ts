/**
 * One database and one API stack for the whole run: a fresh embedded PostgreSQL 15 (or
 * DATABASE_URL, which is reset), the platform layer, every migration through the Supabase CLI,
 * then @supabase/lite + the functions server on free ports.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort, prepareDatabase } from "../../scripts/lib/db.ts";
import { startStack } from "../../scripts/lib/stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dbUrl: string;
    apiUrl: string;
    publishableKey: string;
    secretKey: string;
    /** The stack's JWT secret: realtime tests sign short-lived and foreign tokens with it. */
    jwtSecret: string;
  }
}

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
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({ dbUrl: db.url, port: 0, stateDir: join(dir, "state"), log });
  } catch (error) {
    console.error(logs.slice(-40).join("\n"));
    await db.stop();
    throw error;
  }
  project.provide("dbUrl", db.url);
  project.provide("apiUrl", stack.url);
  project.provide("publishableKey", stack.keys.publishableKey);
  project.provide("secretKey", stack.keys.secretKey);
  project.provide("jwtSecret", stack.keys.jwtSecret);
  return async () => {
    await stack.stop();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

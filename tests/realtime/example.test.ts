/**
 * examples/realtime.mjs, the plain supabase-js script of the README, runs against the test stack:
 * ben's private channel hears ana's reaction, and ana is refused on ben's channel.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { api } from "../helpers/api.ts";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

test("examples/realtime.mjs: a private channel receives a notification when another user reacts", async () => {
  const { stdout } = await run(process.execPath, [join(root, "examples", "realtime.mjs")], {
    cwd: root,
    env: { ...process.env, SUPABASE_URL: api().url, SUPABASE_ANON_KEY: api().publishableKey },
    timeout: 30_000,
  });
  expect(stdout).toContain("ben joins his channel: SUBSCRIBED");
  expect(stdout).toMatch(/ana joins ben's channel: CHANNEL_ERROR Unauthorized: You do not have permissions/);
  expect(stdout).toMatch(/ben is notified: reaction by ana_\w+ \(ana\), unread 1/);
});

/**
 * The scripts in examples/ run, as a newcomer would run them, against the test stack: the plain
 * supabase-js one finds the API through SUPASOCIAL_API_PORT (as against `npm start` on another
 * port), the SDK one through SUPABASE_URL.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/db.ts";
import { api } from "../helpers/api.ts";

const run = promisify(execFile);

function exampleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!("SUPABASE_URL" in extra)) delete env.SUPABASE_URL;
  return env;
}

describe("examples", () => {
  it("examples/quickstart.mjs (supabase-js) runs against the stack on the port SUPASOCIAL_API_PORT names", async () => {
    const { url, publishableKey } = api();
    const { stdout } = await run(process.execPath, [join(ROOT, "examples", "quickstart.mjs")], {
      cwd: ROOT,
      env: exampleEnv({ SUPASOCIAL_API_PORT: new URL(url).port, SUPABASE_ANON_KEY: publishableKey }),
      timeout: 60_000,
    });
    expect(stdout).toContain("ben follows ana: accepted");
    expect(stdout).toContain("ana's follower count: 1");
    expect(stdout).toContain("signed in again: true");
    expect(stdout).toContain("health function: ok");
  });

  it("examples/media.mjs (supabase-js): ana uploads a photo to a followers post; ben reads it, cy is refused", async () => {
    const { url, publishableKey } = api();
    const { stdout } = await run(process.execPath, [join(ROOT, "examples", "media.mjs")], {
      cwd: ROOT,
      env: exampleEnv({ SUPASOCIAL_API_PORT: new URL(url).port, SUPABASE_ANON_KEY: publishableKey }),
      timeout: 60_000,
    });
    expect(stdout).toMatch(/announced: social-posts\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.png/);
    expect(stdout).toContain("posted with 1 photo (image, 4x4)");
    expect(stdout).toContain("ben (follower) reads it: 87 bytes, identical: true");
    expect(stdout).toContain("ben's signed URL serves it: 200");
    expect(stdout).toContain("cy (stranger) is refused: yes (404)");
    expect(stdout).toContain("cy gets no signed URL: yes");
  });

  it("examples/sdk-quickstart.ts (@supasocial/client) runs against the stack at SUPABASE_URL", async () => {
    const { url, publishableKey } = api();
    const { stdout } = await run(
      join(ROOT, "node_modules", ".bin", "tsx"),
      [join(ROOT, "examples", "sdk-quickstart.ts")],
      {
        cwd: ROOT,
        env: exampleEnv({ SUPABASE_URL: url, SUPABASE_ANON_KEY: publishableKey }),
        timeout: 60_000,
      },
    );
    expect(stdout).toContain("ben follows ana: accepted");
    expect(stdout).toMatch(/ben's home feed: Long run done, 21 km by ana_\w+ - 1 reaction\(s\)/);
    expect(stdout).toContain("a missing profile: profile_not_found 404");
    // her first post also earned the First post badge (gamification)
    expect(stdout).toMatch(/ana's notifications: 4 unread: comment, reaction, badge_earned, new_follower/);
  });
  it("examples/trips-live.mjs (supabase-js): two members plan one trip at once and see each other live", async () => {
    const { url, publishableKey } = api();
    const { stdout } = await run(process.execPath, [join(ROOT, "examples", "trips-live.mjs")], {
      cwd: ROOT,
      env: exampleEnv({ SUPASOCIAL_API_PORT: new URL(url).port, SUPABASE_ANON_KEY: publishableKey }),
      timeout: 90_000,
    });
    expect(stdout).toContain("ana joins: SUBSCRIBED; ben joins: SUBSCRIBED");
    expect(stdout).toContain("ana sees viewing: ana@2027-05-01, ben@2027-05-02");
    expect(stdout).toContain("ben sees viewing: ana@2027-05-01, ben@2027-05-02");
    expect(stdout).toContain("cy joins: CHANNEL_ERROR Unauthorized");
    expect(stdout).toContain("ana sees ben's item: true");
    expect(stdout).toContain("ben sees ana's item: true");
    expect(stdout).toContain("both moves landed on day 2: true");
    expect(stdout).toContain("ben's stale edit: conflict (409)");
    expect(stdout).toContain('the link opens "Lisbon long weekend" with 2 items');
    expect(stdout).toContain("ben was told he was removed: true; he heard nothing after: true");
    expect(stdout).toContain("ben joins again: CHANNEL_ERROR Unauthorized");
  });
});

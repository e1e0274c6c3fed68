import type { CleanupDeps } from "../_shared/media.ts";
import { createMediaCleanupHandler } from "./handler.ts";

function assertEquals(actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const run = (secret: string) =>
  new Request("http://x/media-cleanup", { method: "POST", headers: { authorization: `Bearer ${secret}` } });

Deno.test("media-cleanup removes what the database hands out, bucket by bucket, round after round", async () => {
  const batches = [
    [
      { bucket_id: "social-posts", path: "u/1.png" },
      { bucket_id: "social-avatars", path: "u/2.png" },
    ],
    [{ bucket_id: "social-posts", path: "u/3.png" }],
  ];
  const calls: string[] = [];
  const cleanup: CleanupDeps = {
    claim: (hours, limit) => {
      calls.push(`claim ${hours} ${limit}`);
      return Promise.resolve(batches.shift() ?? []);
    },
    remove: (bucket, paths) => {
      calls.push(`remove ${bucket} ${paths.join(",")}`);
      return Promise.resolve(paths.filter((p) => p !== "u/3.png"));
    },
  };
  const handler = createMediaCleanupHandler({ secrets: ["svc"], cleanup, unattachedHours: 6, limit: 2 });
  // a limit of 2 per round: the first round is full, so a second one runs; it comes back short
  const res = await handler(run("svc"));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { removed: 2, failed: 1, rounds: 2 });
  assertEquals(calls, [
    "claim 6 2",
    "remove social-posts u/1.png",
    "remove social-avatars u/2.png",
    "claim 6 2",
    "remove social-posts u/3.png",
  ]);
});

Deno.test("media-cleanup is for the service role key or CRON_SECRET only", async () => {
  let claimed = false;
  const handler = createMediaCleanupHandler({
    secrets: ["svc", "cron", undefined],
    cleanup: {
      claim: () => {
        claimed = true;
        return Promise.resolve([]);
      },
      remove: () => Promise.resolve([]),
    },
  });
  for (const secret of ["anon", ""]) {
    const res = await handler(run(secret));
    assertEquals(res.status, 401);
    await res.body?.cancel();
  }
  assertEquals(claimed, false);
  const ok = await handler(run("cron"));
  assertEquals(await ok.json(), { removed: 0, failed: 0, rounds: 1 });
});

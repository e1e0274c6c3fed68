import type { CleanupDeps } from "../_shared/media.ts";
import { createMediaModerationHandler, type ModerationDecision } from "./handler.ts";

function assertEquals(actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const ID = "0b2f5a8e-2c7d-4e61-9a53-3f1f0c6b9d21";

function post(body: unknown, secret = "s3cret"): Request {
  return new Request("http://x/media-moderation", {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function setup() {
  const decisions: ModerationDecision[] = [];
  const removed: string[][] = [];
  const cleanup: CleanupDeps = {
    claim: () => Promise.resolve([{ bucket_id: "social-avatars", path: "u/a.png" }]),
    remove: (_bucket, paths) => {
      removed.push(paths);
      return Promise.resolve(paths);
    },
  };
  const handler = createMediaModerationHandler({
    secrets: ["s3cret", undefined, ""],
    moderate: (d) => {
      decisions.push(d);
      return Promise.resolve({ status: d.status });
    },
    cleanup,
  });
  return { handler, decisions, removed };
}

Deno.test("media-moderation applies a decision made with the secret", async () => {
  const { handler, decisions, removed } = setup();
  const res = await handler(post({ mediaId: ID, status: "approved", reason: "fine" }));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), { mediaId: ID, status: "approved", removed: 0 });
  assertEquals(decisions, [{ mediaId: ID, status: "approved", reason: "fine" }]);
  assertEquals(removed, []);
});

Deno.test("media-moderation removes a rejected public object at once", async () => {
  const { handler, removed } = setup();
  const res = await handler(post({ mediaId: ID, status: "rejected" }));
  assertEquals(await res.json(), { mediaId: ID, status: "rejected", removed: 1 });
  assertEquals(removed, [["u/a.png"]]);
});

Deno.test("media-moderation refuses callers without the secret, an empty one included", async () => {
  const { handler, decisions } = setup();
  for (const secret of ["wrong", ""]) {
    const res = await handler(post({ mediaId: ID, status: "approved" }, secret));
    assertEquals(res.status, 401);
    await res.body?.cancel();
  }
  assertEquals(decisions, []);
});

Deno.test("media-moderation refuses malformed decisions with invalid_input", async () => {
  const { handler, decisions } = setup();
  for (const body of [
    { mediaId: "x", status: "approved" },
    { mediaId: ID, status: "pending" },
    { mediaId: ID },
    "no",
  ]) {
    const res = await handler(post(body));
    assertEquals([res.status, (await res.json()).code], [400, "invalid_input"]);
  }
  assertEquals(decisions, []);
});

Deno.test("media-moderation passes the database's refusal on", async () => {
  const handler = createMediaModerationHandler({
    secrets: ["s3cret"],
    moderate: () => Promise.resolve({ code: "media_not_found", httpStatus: 404 }),
  });
  const res = await handler(post({ mediaId: ID, status: "rejected" }));
  assertEquals([res.status, (await res.json()).code], [404, "media_not_found"]);
});

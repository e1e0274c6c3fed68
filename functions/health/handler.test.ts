import { assertEquals, assertMatch } from "../_test/assert.ts";
import { createHealthHandler, dataApiCheck } from "./handler.ts";

const fixed = () => new Date("2026-11-28T00:00:00Z");

Deno.test("health answers ok when the database check passes", async () => {
  const handler = createHealthHandler({ checkDatabase: () => Promise.resolve(null), now: fixed });
  const res = await handler(new Request("http://x/health"));
  assertEquals(res.status, 200);
  assertEquals(await res.json(), {
    status: "ok",
    service: "supasocial",
    runtime: "deno",
    time: "2026-11-28T00:00:00.000Z",
  });
});

Deno.test("health answers 503 with the reason when the database check fails", async () => {
  const handler = createHealthHandler({ checkDatabase: () => Promise.resolve("data API answered 500"), now: fixed });
  const res = await handler(new Request("http://x/health", { method: "POST" }));
  assertEquals(res.status, 503);
  assertEquals((await res.json()).database, "data API answered 500");
});

Deno.test("health answers CORS preflight requests", async () => {
  const res = await createHealthHandler()(new Request("http://x/health", { method: "OPTIONS" }));
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("access-control-allow-origin"), "*");
  await res.body?.cancel();
});

Deno.test("the data API check reports an unreachable server", async () => {
  const check = dataApiCheck("http://127.0.0.1:9", "key");
  assertMatch(await check(), /^data API unreachable/);
});

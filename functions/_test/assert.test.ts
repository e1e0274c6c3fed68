import { AssertionError, assert, assertEquals, assertMatch, assertRejects, equal } from "./assert.ts";

Deno.test("equal compares structure, not identity or key order", () => {
  assert(equal({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }));
  assert(equal(new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z")));
  assert(equal(new Map([["k", { v: 1 }]]), new Map([["k", { v: 1 }]])));
  assert(equal(new Set([1, 2]), new Set([2, 1])));
  assert(equal(Number.NaN, Number.NaN));
});

Deno.test("equal tells apart values that differ anywhere", () => {
  const pairs: [unknown, unknown][] = [
    [{ a: 1 }, { a: 2 }],
    [{ a: 1 }, { a: 1, b: undefined }],
    [
      [1, 2],
      [2, 1],
    ],
    [[1], { 0: 1 }],
    [null, {}],
    ["1", 1],
    [new Date(0), new Date(1)],
    [new Map([["k", 1]]), new Map([["k", 2]])],
    [new Set([1]), new Set([2])],
    [{ nested: { deep: [1, 2, 3] } }, { nested: { deep: [1, 2, 4] } }],
  ];
  for (const [a, b] of pairs) {
    if (equal(a, b) || equal(b, a)) throw new Error(`equal(${Deno.inspect(a)}, ${Deno.inspect(b)}) should be false`);
  }
});

Deno.test("failed assertions throw AssertionError with both values", async () => {
  const failure = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error("the assertion did not fail");
  };
  const error = failure(() => assertEquals({ status: 503 }, { status: 200 }));
  assert(error instanceof AssertionError);
  assertMatch(error.message, /actual:[\s\S]*503[\s\S]*expected:[\s\S]*200/);
  assert(failure(() => assert(false)) instanceof AssertionError);
  assert(failure(() => assertMatch("health", /^ok/)) instanceof AssertionError);
  assert(failure(() => assertMatch(42, /42/)) instanceof AssertionError);
  const notRejected = await assertRejects(() => assertRejects(() => Promise.resolve(1)));
  assert(notRejected instanceof AssertionError);
  const thrown = await assertRejects(() => Promise.reject(new RangeError("boom")));
  assert(thrown instanceof RangeError);
});

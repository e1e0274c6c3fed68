/**
 * The assertions the function tests use, named and behaving like `jsr:@std/assert`'s. JSR (and
 * deno.land) cannot be reached from the build machines, so the Deno standard library is not a
 * dependency; when it can be, replacing this import with `jsr:@std/assert` is the whole change.
 */

/** Thrown by every failed assertion. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

const show = (value: unknown) => Deno.inspect(value, { depth: 10, sorted: true, compact: false });

/** Structural equality: same prototype, same own enumerable keys, equal values (Date, Map, Set, arrays). */
export function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    return a.size === other.size && [...a].every(([k, v]) => other.has(k) && equal(v, other.get(k)));
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    return a.size === other.size && [...a].every((v) => other.has(v));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length && keys.every((k) => Object.hasOwn(right, k) && equal(left[k], right[k]))
  );
}

/** Fail unless `condition` is truthy. */
export function assert(condition: unknown, message = "Expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Fail unless `actual` and `expected` are structurally equal. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (equal(actual, expected)) return;
  const detail = `Values are not equal:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`;
  throw new AssertionError(message ? `${message}\n${detail}` : detail);
}

/** Fail unless `actual` is a string matching `pattern`. */
export function assertMatch(actual: unknown, pattern: RegExp, message?: string): void {
  if (typeof actual === "string" && pattern.test(actual)) return;
  throw new AssertionError(message ?? `Expected ${show(actual)} to match ${pattern}`);
}

/** Fail unless `fn` rejects (or throws); resolves to what it threw, to check further. */
export async function assertRejects(fn: () => Promise<unknown>, message?: string): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(message ?? "Expected the function to reject");
}

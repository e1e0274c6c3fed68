/**
 * The front door's one rewrite of @supabase/lite answers: a check constraint violation, which lite
 * answers `500 SUP`, becomes PostgREST's 400 with code 23514; every other answer is left alone.
 */
import { describe, expect, it } from "vitest";
import { postgrestCheckViolation } from "../../scripts/lib/stack.ts";

const sup = (message: string) => JSON.stringify({ code: "SUP", details: null, hint: null, message });

describe("postgrestCheckViolation", () => {
  it("turns lite's 500 SUP for a check violation into PostgREST's 23514", () => {
    const body = sup(
      'PostgresError: new row for relation "profiles" violates check constraint "profiles_handle_format"',
    );
    expect(JSON.parse(postgrestCheckViolation(500, body)!)).toEqual({
      code: "23514",
      details: null,
      hint: null,
      message: 'new row for relation "profiles" violates check constraint "profiles_handle_format"',
    });
  });

  it("leaves other errors and other statuses alone", () => {
    expect(postgrestCheckViolation(500, sup("PostgresError: deadlock detected"))).toBeNull();
    expect(postgrestCheckViolation(500, sup('violates check constraint "x" somewhere else'))).toBeNull();
    expect(postgrestCheckViolation(500, "not json")).toBeNull();
    expect(
      postgrestCheckViolation(500, JSON.stringify({ code: "XX000", message: "violates check constraint" })),
    ).toBeNull();
    const ok = sup('PostgresError: new row for relation "profiles" violates check constraint "profiles_handle_format"');
    expect(postgrestCheckViolation(400, ok)).toBeNull();
  });
});

/**
 * The closed list of error codes (client-sdk/src/error-codes.ts) against the migrated database:
 * every code the SQL raises is on the list with the status of the kind it is raised as, every
 * code the list says the SQL raises is raised somewhere, and raise_error is the only way our SQL
 * raises an error that reaches a client.
 */
import { describe, expect, test } from "vitest";
import {
  SUPASOCIAL_ERROR_CODES,
  SUPASOCIAL_ERROR_KINDS,
  type SupasocialErrorKind,
} from "../../client-sdk/src/error-codes.ts";
import { SUPASOCIAL_ERROR_STATUS } from "../../client-sdk/src/error-status.ts";
import { sql, type Tx, withDb } from "../helpers/db.ts";
import { findRaisedErrors, type RaisedErrors } from "../helpers/sql-raise-errors.ts";

/** The kinds of social_private.error_kind: the SQLSTATE raise_error gives each, and the HTTP status. */
const KINDS: Record<string, { sqlstate: string; status: number }> = Object.fromEntries(
  Object.entries(SUPASOCIAL_ERROR_KINDS).map(([kind, sqlstate]) => [
    kind,
    { sqlstate, status: SUPASOCIAL_ERROR_STATUS[kind as SupasocialErrorKind] },
  ]),
);

/**
 * Bare `raise exception` statements that never reach a client, by function: each is caught by
 * the function's own handler, which raises through raise_error instead.
 */
const CAUGHT_BARE_RAISES: Record<string, string> = {
  "social_private.decode_cursor(p_list text, p_order text, p_scope text, p_cursor text, p_count integer)":
    "a malformed, changed or foreign cursor is caught below and raised as invalid_cursor",
};

interface Source {
  /** `schema.function(args)`, `policy <name> on <table>` or `view <name>`. */
  name: string;
  /** Whether bare raises count (our functions; not extensions'). */
  ours: boolean;
  found: RaisedErrors;
}

/** Every function body, policy expression and view of the database, parsed. */
async function raisedEverywhere(q: Tx | typeof sql = sql): Promise<Source[]> {
  const functions = await q<{ name: string; schema: string; src: string }[]>`
    select n.nspname as schema,
           n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as name,
           p.prosrc as src
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_language l on l.oid = p.prolang
    where l.lanname in ('sql', 'plpgsql')
      and n.nspname not in ('pg_catalog', 'information_schema')
      and not (n.nspname = 'social_private' and p.proname = 'raise_error')`;
  const policies = await q<{ name: string; src: string }[]>`
    select format('policy %s on %s.%s', policyname, schemaname, tablename) as name,
           concat_ws(' ', qual, with_check) as src
    from pg_policies`;
  const views = await q<{ name: string; src: string }[]>`
    select format('view %s.%s', schemaname, viewname) as name, definition as src
    from pg_views
    where schemaname not in ('pg_catalog', 'information_schema')`;
  return [
    ...functions.map((f) => ({
      name: f.name,
      ours: f.schema === "social" || f.schema === "social_private",
      found: findRaisedErrors(f.src),
    })),
    ...[...policies, ...views].map((p) => ({ name: p.name, ours: true, found: findRaisedErrors(p.src) })),
  ];
}

const listed = new Map<string, (typeof SUPASOCIAL_ERROR_CODES)[number]>(SUPASOCIAL_ERROR_CODES.map((e) => [e.code, e]));

/** Calls whose code is not on the list, is listed as sdk, or is raised as a kind of another status. */
function offList(sources: Source[]): string[] {
  const wrong: string[] = [];
  for (const s of sources) {
    for (const call of s.found.calls) {
      if (call.kind === null || call.code === null) continue; // reported as a problem
      const entry = listed.get(call.code);
      const kind = KINDS[call.kind];
      if (!kind) wrong.push(`${s.name}: unknown kind ${call.kind} in ${call.text}`);
      else if (!entry) wrong.push(`${s.name}: ${call.code} is not on the list (client-sdk/src/error-codes.ts)`);
      else if (entry.source !== "sql") wrong.push(`${s.name}: ${call.code} is raised by the SQL but listed as sdk`);
      else if (entry.status !== kind.status) {
        wrong.push(`${s.name}: ${call.code} is listed as ${entry.status} but raised as ${call.kind} (${kind.status})`);
      }
    }
  }
  return wrong;
}

/** Codes listed as raised by the SQL that no call raises. */
function unraised(sources: Source[]): string[] {
  const raised = new Set(sources.flatMap((s) => s.found.calls.map((c) => c.code)));
  return SUPASOCIAL_ERROR_CODES.filter((e) => e.source === "sql" && !raised.has(e.code)).map((e) => e.code);
}

/** Bare raises in our functions that CAUGHT_BARE_RAISES does not explain, and its stale entries. */
function bareRaises(sources: Source[]): { uncaught: string[]; stale: string[] } {
  const bare = sources.filter((s) => s.ours && s.found.bareRaises.length > 0);
  const uncaught = bare
    .filter((s) => !(s.name in CAUGHT_BARE_RAISES))
    .flatMap((s) => s.found.bareRaises.map((r) => `${s.name}: ${r}`));
  const stale = Object.keys(CAUGHT_BARE_RAISES).filter((name) => !bare.some((s) => s.name === name));
  return { uncaught, stale };
}

describe("error codes raised by the SQL", () => {
  test("social_private.error_kind has exactly the kinds whose status the list relies on", async () => {
    const rows = await sql<{ label: string }[]>`
      select e.enumlabel as label from pg_enum e
      where e.enumtypid = 'social_private.error_kind'::regtype order by e.enumsortorder`;
    expect(rows.map((r) => r.label).sort()).toEqual(Object.keys(KINDS).sort());
  });

  test("raise_error raises each kind with its SQLSTATE, the code in hint and the message", async () => {
    for (const [kind, { sqlstate }] of Object.entries(KINDS)) {
      await withDb(async (db) => {
        await db.asAnon();
        const err = await db.error((tx) => tx`select social_private.raise_error(${kind}, 'some_code', 'some message')`);
        expect([err.code, err.hint, err.message], `kind ${kind}`).toEqual([sqlstate, "some_code", "some message"]);
      });
    }
  });

  test("raise_error refuses a kind that is not on the closed set", async () => {
    await withDb(async (db) => {
      const err = await db.error((tx) => tx`select social_private.raise_error('teapot', 'some_code', 'm')`);
      expect(err.code).toBe("22P02"); // invalid input value for enum social_private.error_kind
    });
  });

  test("every raise_error call in functions, policies and views is readable: literal kind and code", async () => {
    const sources = await raisedEverywhere();
    const calls = sources.flatMap((s) => s.found.calls);
    // the migrations raise errors in dozens of places; an empty result means the scan is broken
    expect(calls.length).toBeGreaterThan(100);
    const problems = sources.flatMap((s) => s.found.problems.map((p) => `${s.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  test("every code the SQL raises is on the list, raised as the kind of its listed status", async () => {
    expect(offList(await raisedEverywhere())).toEqual([]);
  });

  test("every code the list says the SQL raises is raised somewhere", async () => {
    expect(
      unraised(await raisedEverywhere()),
      "listed as raised by the SQL, raised nowhere: remove or mark sdk",
    ).toEqual([]);
  });

  test("our functions raise errors only through raise_error (bare raises are caught where they are raised)", async () => {
    const { uncaught, stale } = bareRaises(await raisedEverywhere());
    expect(uncaught, "a bare raise gives a client no code (and @supabase/lite a 500): use raise_error").toEqual([]);
    expect(stale, "CAUGHT_BARE_RAISES names a function that no longer has a bare raise").toEqual([]);
  });

  test("the checks catch a function that raises an unlisted code, a wrong kind, a bare raise or the old form", async () => {
    await withDb(async (db) => {
      await db.q.unsafe(`
        create function social_private.error_probe(p int) returns void language plpgsql set search_path = '' as $$
        begin
          if p = 1 then perform social_private.raise_error('not_found', 'no_such_code', 'm'); end if;
          if p = 2 then perform social_private.raise_error('permission_denied', 'post_not_found', 'm'); end if;
          if p = 3 then raise exception 'plain'; end if;
          if p = 4 then perform social_private.raise_error('blocked', 'you cannot follow this user', '42501'); end if;
          if p = 5 then perform social_private.raise_error('conflict', 'network_error', 'm'); end if;
        end;
        $$`);
      const sources = (await raisedEverywhere(db.q)).filter((s) => s.name.startsWith("social_private.error_probe"));
      expect(offList(sources)).toEqual([
        "social_private.error_probe(p integer): no_such_code is not on the list (client-sdk/src/error-codes.ts)",
        "social_private.error_probe(p integer): post_not_found is listed as 404 but raised as permission_denied (403)",
        "social_private.error_probe(p integer): unknown kind blocked in raise_error('blocked' , 'you cannot follow this user' , '42501')",
        "social_private.error_probe(p integer): network_error is raised by the SQL but listed as sdk",
      ]);
      expect(bareRaises(sources).uncaught).toEqual(["social_private.error_probe(p integer): raise exception 'plain'"]);
      // and a listed code nobody raises is found: here, every code but one is left out of the scan
      expect(unraised(sources)).toContain("group_not_found");
    });
  });

  test("the list's statuses are the statuses of the kinds (or the SDK's own)", () => {
    const statuses = new Set(Object.values(KINDS).map((k) => k.status));
    for (const entry of SUPASOCIAL_ERROR_CODES.filter((e) => e.source === "sql")) {
      expect(statuses.has(entry.status), entry.code).toBe(true);
      expect(SUPASOCIAL_ERROR_STATUS[entry.code], entry.code).toBe(entry.status);
    }
  });
});

describe("the raise_error call reader", () => {
  test("reads calls over several lines, with comments, nested parentheses, casts and named arguments", () => {
    const found = findRaisedErrors(`
      begin
        -- social_private.raise_error('not_found', 'in_a_comment', 'x') is not a call
        /* nor /* nested */ raise_error('x', 'y', 'z') */
        perform social_private.raise_error(
          'invalid_input',  -- the kind
          'invalid_body',
          format('too long (%s, %s)', char_length(p_body), 'it''s, here')
        );
        perform "social_private".raise_error('not_found'::social_private.error_kind, 'post_not_found', $m$no (such) post$m$);
        perform social_private.raise_error(p_message => 'm', p_code => 'blocked', p_kind => 'permission_denied');
        raise notice 'not an error';
      exception when others then
        raise;
      end`);
    expect(found.calls.map((c) => [c.kind, c.code])).toEqual([
      ["invalid_input", "invalid_body"],
      ["not_found", "post_not_found"],
      ["permission_denied", "blocked"],
    ]);
    expect(found.problems).toEqual([]);
    expect(found.bareRaises).toEqual([]);
  });

  test("reports what it cannot check: computed codes, the old signature, dynamic SQL, bare raises", () => {
    const found = findRaisedErrors(`
      perform social_private.raise_error('not_found', v_code, 'm');
      perform social_private.raise_error('post_not_found', 'no such post', 'P0002');
      perform social_private.raise_error('blocked', 'you cannot');
      execute 'select social_private.raise_error(''permission_denied'', ''x'', ''y'')';
      raise exception 'plain' using errcode = '42501';
      raise sqlstate 'PT404';`);
    expect(found.problems).toEqual([
      "raise_error inside a string literal (dynamic SQL is not checked): select social_private.raise_error('permission_denied', 'x', 'y')",
      "the code is not a string literal: raise_error('not_found' , v_code , 'm')",
      "raise_error takes (kind, code, message): raise_error('blocked' , 'you cannot')",
    ]);
    // the old (code, message, sqlstate) form reads as kind 'post_not_found', which is no kind
    expect(found.calls.map((c) => c.kind)).toEqual(["not_found", "post_not_found", "blocked"]);
    expect(found.bareRaises).toEqual(["raise exception 'plain' using errcode = '42501'", "raise sqlstate 'PT404'"]);
  });
});

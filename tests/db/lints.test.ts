/**
 * Schema lints over the catalog (sql/lints/*.sql): each returns the objects that break a rule.
 * A clean schema returns nothing; and each lint is shown to catch a violation it is meant for.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sql, type TestDb, withDb } from "../helpers/db.ts";

const dir = join(import.meta.dirname, "..", "..", "sql", "lints");
const lints = readdirSync(dir)
  .filter((f) => f.endsWith(".sql"))
  .sort()
  .map((f) => ({ name: f.replace(/\.sql$/, ""), query: readFileSync(join(dir, f), "utf8") }));

/** The search_path of supabase_admin (Studio's SQL editor, the CLI): `auth` comes first. */
const PLATFORM_SEARCH_PATH = "auth, extensions, public";

/** A violation each lint must report, created inside a rolled-back transaction. */
const violations: Record<string, string> = {
  rls_disabled: "create table social.lint_probe (id int primary key)",
  security_definer_exposed:
    "create function social.lint_probe() returns int language sql security definer set search_path = '' as 'select 1'",
  search_path_unset: "create function social_private.lint_probe() returns int language sql as 'select 1'",
  policy_without_role: `create table social.lint_probe (id int primary key);
    alter table social.lint_probe enable row level security;
    create policy lint_probe_all on social.lint_probe for all using (true)`,
  policy_call_unwrapped: `create table social.lint_probe (id uuid primary key);
    alter table social.lint_probe enable row level security;
    create policy lint_probe_select on social.lint_probe for select to authenticated using (id = auth.uid())`,
  policy_row_call_wrapped: `create table social.lint_probe (id uuid primary key, group_id uuid);
    alter table social.lint_probe enable row level security;
    create policy lint_probe_select on social.lint_probe for select to authenticated
      using ((select social_private.is_group_member(group_id)))`,
  unindexed_foreign_keys: `create table social.lint_probe (id int primary key,
    profile_id uuid references social.profiles (id));
    alter table social.lint_probe enable row level security`,
  function_execute_public:
    "create function social.lint_probe() returns int language sql set search_path = '' as 'select 1'; grant execute on function social.lint_probe() to public",
  view_not_security_invoker: "create view social.lint_probe as select 1 as one",
  comment_missing: `create table social.lint_probe (id int primary key);
    alter table social.lint_probe enable row level security`,
};

describe("schema lints", () => {
  it("has a violation fixture for every lint", () => {
    expect(lints.map((l) => l.name).sort()).toEqual(Object.keys(violations).sort());
  });

  for (const lint of lints) {
    it(`${lint.name}: the schema has no violations`, async () => {
      const rows = await sql.unsafe(lint.query);
      expect(rows.map((r) => `${r.object}: ${r.detail}`)).toEqual([]);
    });

    it(`${lint.name}: reports a violation`, async () => {
      await withDb(async (db) => {
        await db.q.unsafe(violations[lint.name]!);
        const rows = await db.q.unsafe(lint.query);
        expect(rows.some((r) => String(r.object).includes("lint_probe"))).toBe(true);
      });
    });

    // supabase_admin's search_path has `auth` on it, so catalog text prints `uid()` unqualified
    it(`${lint.name}: reports the violation whatever the session's search_path`, async () => {
      await withDb(async (db) => {
        await db.q.unsafe(`set local search_path = ${PLATFORM_SEARCH_PATH}`);
        await db.q.unsafe(violations[lint.name]!);
        const rows = await db.q.unsafe(lint.query);
        expect(rows.some((r) => String(r.object).includes("lint_probe"))).toBe(true);
      });
    });

    it(`${lint.name}: the schema has no violations whatever the session's search_path`, async () => {
      await withDb(async (db) => {
        await db.q.unsafe(`set local search_path = ${PLATFORM_SEARCH_PATH}`);
        const rows = await db.q.unsafe(lint.query);
        expect(rows.map((r) => `${r.object}: ${r.detail}`)).toEqual([]);
      });
    });
  }

  // the two policy lints together say exactly where (select ...) belongs
  for (const searchPath of ["public", PLATFORM_SEARCH_PATH]) {
    it(`a policy that wraps only calls without row arguments passes the policy lints (search_path ${searchPath})`, async () => {
      await withDb(async (db) => {
        await db.q.unsafe(`set local search_path = ${searchPath}`);
        await db.q.unsafe(`create table social.lint_probe (id uuid primary key, group_id uuid);
          alter table social.lint_probe enable row level security;
          create policy lint_probe_select on social.lint_probe for select to authenticated
            using (id = (select auth.uid())
                   or (social_private.is_group_member(group_id)
                       and group_id = any ((select social_private.my_group_ids())::uuid[])))`);
        for (const name of ["policy_call_unwrapped", "policy_row_call_wrapped"]) {
          const rows = await db.q.unsafe(lints.find((l) => l.name === name)!.query);
          expect(
            rows.filter((r) => String(r.object).includes("lint_probe")),
            name,
          ).toEqual([]);
        }
      });
    });
  }

  // Studio shows these comments to admins: every kind of object is checked, a blank comment is
  // none, and commenting the object clears it
  it("comment_missing reports every kind of uncommented object, and none once each has a comment", async () => {
    const objects = {
      "social.lint_probe": "table",
      "social.lint_probe.id": "column",
      "social.lint_probe.note": "column",
      "social.lint_probe_view": "view",
      "social.lint_probe_view.id": "column",
      "social.lint_probe_kind": "enum type",
      "social.lint_probe_pair": "composite type",
      "social.lint_probe_fn()": "function",
      "social_private.lint_probe": "table",
      "social_private.lint_probe.id": "column",
      "social_private.lint_probe_fn(p_id integer)": "function",
    };
    const create = `create table social.lint_probe (id int primary key, note text);
      alter table social.lint_probe enable row level security;
      create view social.lint_probe_view with (security_invoker = true) as select id from social.lint_probe;
      create type social.lint_probe_kind as enum ('a', 'b');
      create type social.lint_probe_pair as (a int, b int);
      create function social.lint_probe_fn() returns int language sql set search_path = '' as 'select 1';
      create table social_private.lint_probe (id int primary key);
      create function social_private.lint_probe_fn(p_id integer) returns int language sql set search_path = ''
        as 'select 1'`;
    const comment = `comment on table social.lint_probe is 'a probe';
      comment on column social.lint_probe.id is 'its id';
      comment on column social.lint_probe.note is 'a note';
      comment on view social.lint_probe_view is 'a view';
      comment on column social.lint_probe_view.id is 'its id';
      comment on type social.lint_probe_kind is 'a or b';
      comment on type social.lint_probe_pair is 'two numbers';
      comment on function social.lint_probe_fn() is 'one';
      comment on table social_private.lint_probe is 'a private probe';
      comment on column social_private.lint_probe.id is 'its id';
      comment on function social_private.lint_probe_fn(integer) is 'one'`;
    const query = lints.find((l) => l.name === "comment_missing")!.query;
    const probes = async (db: TestDb) =>
      (await db.q.unsafe(query))
        .filter((r) => String(r.object).includes("lint_probe"))
        .map((r) => `${r.object}: ${r.detail}`)
        .sort();
    for (const searchPath of ["public", PLATFORM_SEARCH_PATH]) {
      await withDb(async (db) => {
        await db.q.unsafe(`set local search_path = ${searchPath}`);
        await db.q.unsafe(create);
        expect(await probes(db), `search_path ${searchPath}`).toEqual(
          Object.entries(objects)
            .map(([object, kind]) => `${object}: ${kind} has no comment`)
            .sort(),
        );
        // a blank comment says nothing: still reported
        await db.q.unsafe("comment on column social.lint_probe.note is '  '");
        expect(await probes(db), `search_path ${searchPath}`).toContain(
          "social.lint_probe.note: column has no comment",
        );
        await db.q.unsafe(comment);
        expect(await probes(db), `search_path ${searchPath}`).toEqual([]);
      });
    }
  });

  it("the policy lints see calls, not names: a wrapped auth.uid() printed as uid() passes, an unwrapped one fails", async () => {
    await withDb(async (db) => {
      await db.q.unsafe(`set local search_path = ${PLATFORM_SEARCH_PATH}`);
      await db.q.unsafe(`create table social.lint_probe (id uuid primary key);
        alter table social.lint_probe enable row level security;
        create policy lint_probe_wrapped on social.lint_probe for select to authenticated
          using (id = (select uid()));
        create policy lint_probe_unwrapped on social.lint_probe for update to authenticated
          using (id = uid())`);
      const [{ printed }] = await db.q.unsafe(
        "select pg_get_expr(polqual, polrelid) as printed from pg_policy where polname = 'lint_probe_unwrapped'",
      );
      expect(printed).toBe("(id = uid())");
      const rows = await db.q.unsafe(lints.find((l) => l.name === "policy_call_unwrapped")!.query);
      expect(rows.map((r) => String(r.object)).filter((o) => o.includes("lint_probe"))).toEqual([
        "lint_probe_unwrapped on social.lint_probe",
      ]);
    });
  });
});

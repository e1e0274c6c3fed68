/**
 * Schema lints over the catalog (sql/lints/*.sql): each returns the objects that break a rule.
 * A clean schema returns nothing; and each lint is shown to catch a violation it is meant for.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sql, withDb } from "../helpers/db.ts";

const dir = join(import.meta.dirname, "..", "..", "sql", "lints");
const lints = readdirSync(dir)
  .filter((f) => f.endsWith(".sql"))
  .sort()
  .map((f) => ({ name: f.replace(/\.sql$/, ""), query: readFileSync(join(dir, f), "utf8") }));

/** A violation each lint must report, created inside a rolled-back transaction. */
const violations: Record<string, string> = {
  rls_disabled: "create table social.lint_probe (id int primary key)",
  security_definer_exposed:
    "create function social.lint_probe() returns int language sql security definer set search_path = '' as 'select 1'",
  search_path_unset: "create function social_private.lint_probe() returns int language sql as 'select 1'",
  policy_without_role: `create table social.lint_probe (id int primary key);
    alter table social.lint_probe enable row level security;
    create policy lint_probe_all on social.lint_probe for all using (true)`,
  auth_call_unwrapped: `create table social.lint_probe (id uuid primary key);
    alter table social.lint_probe enable row level security;
    create policy lint_probe_select on social.lint_probe for select to authenticated using (id = auth.uid())`,
  unindexed_foreign_keys: `create table social.lint_probe (id int primary key,
    profile_id uuid references social.profiles (id));
    alter table social.lint_probe enable row level security`,
  function_execute_public:
    "create function social.lint_probe() returns int language sql set search_path = '' as 'select 1'; grant execute on function social.lint_probe() to public",
  view_not_security_invoker: "create view social.lint_probe as select 1 as one",
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
  }
});

/**
 * Names people read must show something: a display name, a group name or an announcement title
 * made only of spaces or invisible characters (zero-width spaces and joiners, direction marks and
 * overrides, word joiners, byte order marks, fillers) is refused with a check constraint, through
 * every way in; a name with any visible character passes, whatever its script. Sign-up metadata
 * with an invisible name falls back to the e-mail's local part instead of failing the sign-up.
 */
import { describe, expect, it } from "vitest";
import { clubCast } from "../fixtures/club-cast.ts";
import { withDb } from "../helpers/db.ts";

const invisible = [
  ["spaces", "     "],
  ["tabs and newlines", "\t\n \r"],
  ["zero-width spaces", "\u200b\u200b"],
  ["a right-to-left override", "\u202e"],
  ["overrides around a space", "\u202e \u202c"],
  ["joiners and marks", "\u200c\u200d\u200e\u200f"],
  ["a word joiner and a BOM", "\u2060\ufeff"],
  ["no-break and ideographic spaces", "\u00a0\u3000"],
  ["a Hangul filler", "\u3164"],
  ["a Braille blank", "\u2800"],
  ["variation selectors", "\ufe0f\ufe0e"],
  ["tag characters", "\u{e0041}\u{e0042}"],
] as const;

const visible = ["Ana", "  Ana  ", "\u200bAna", "李娜", "Zoë", "🏃", "a\u202eb", "ab"];

describe("invisible names are refused", () => {
  it("a display name of only spaces or invisible characters, directly or through update_my_profile", async () => {
    await withDb(async (db) => {
      const me = await db.createUser();
      await db.as(me);
      for (const [label, name] of invisible) {
        const direct = await db.error((tx) => tx`update social.profiles set display_name = ${name} where id = ${me}`);
        expect([direct.code, direct.constraint_name], label).toEqual(["23514", "profiles_display_name_visible"]);
        const rpc = await db.error(
          (tx) => tx`select social.update_my_profile(${tx.json({ display_name: name })}::jsonb)`,
        );
        expect([rpc.code, rpc.constraint_name], `${label} (rpc)`).toEqual(["23514", "profiles_display_name_visible"]);
      }
      for (const name of visible) {
        await db.q`update social.profiles set display_name = ${name} where id = ${me}`;
      }
    });
  });

  it("a group name or an announcement title of only invisible characters", async () => {
    await withDb(async (db) => {
      const c = await clubCast(db);
      await db.as(c.owner);
      for (const [label, name] of invisible) {
        const g = await db.error((tx) => tx`update social.groups set name = ${`${name}${name}`} where id = ${c.group}`);
        expect(g.code, `group: ${label}`).toBe("23514");
        // a name of spaces is trimmed to nothing first, so its length is what fails
        expect(g.constraint_name, `group: ${label}`).toMatch(/^groups_name_(visible|length)$/);
        const a = await db.error((tx) => tx`select social.create_announcement(${c.group}, ${name}, 'body')`);
        expect(a.code, `announcement: ${label}`).toBe("23514");
        expect(a.constraint_name, `announcement: ${label}`).toMatch(/^announcements_title_(visible|length)$/);
      }
      await db.q`update social.groups set name = '李娜的跑团' where id = ${c.group}`;
      await db.q`select social.create_announcement(${c.group}, '🏃', 'body')`;
    });
  });

  it("sign-up with an invisible display name falls back to the e-mail's name", async () => {
    await withDb(async (db) => {
      const id = await db.createUser({ displayName: "\u200b\u202e ", email: "runner.jo@example.test" });
      await db.asSuperuser();
      const [row] = await db.q<{ display_name: string }[]>`select display_name from social.profiles where id = ${id}`;
      expect(row!.display_name).toBe("runner.jo");
    });
  });
});

/**
 * Assertion messages for loops over users: `expect(x, asRole(c, who))` fails with "as moderator"
 * rather than an anonymous uuid.
 */

/** "as <name>": the name(s) under which `who` appears in `cast` (a fixture, or `{ bo, cy }`). */
export function asRole(cast: object, who: unknown): string {
  const names = Object.entries(cast)
    .filter(([, value]) => value === who)
    .map(([name]) => name);
  return `as ${names.length ? names.join("/") : String(who)}`;
}

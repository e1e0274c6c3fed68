/**
 * Assertion messages for loops over users: `expect(x, asRole(c, who))` fails with "as moderator"
 * rather than an anonymous uuid.
 */

/** The name(s) under which `who` appears in `cast` (a fixture, or `{ bo, cy }`), else `who` itself. */
export function nameOf(cast: object, who: unknown): string {
  const names = Object.entries(cast)
    .filter(([, value]) => value === who)
    .map(([name]) => name);
  return names.length ? names.join("/") : String(who);
}

/** "as <name>", for the message of an assertion made as `who`. */
export function asRole(cast: object, who: unknown): string {
  return `as ${nameOf(cast, who)}`;
}

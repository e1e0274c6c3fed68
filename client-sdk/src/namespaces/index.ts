/**
 * The namespace registry: one line per namespace. To add one, write `./<name>.ts` exporting
 * `export const <name>Namespace = defineNamespace('<name>', (ctx) => ({ ... }))` (plus its
 * schemas and types) and add `export * from './<name>.ts'` below. The client, its type and the
 * package's exports pick it up from here.
 */

export * from "./announcements.ts";
export * from "./comments.ts";
export * from "./feed.ts";
export * from "./gamification.ts";
export * from "./graph.ts";
export * from "./groups.ts";
export * from "./media.ts";
export * from "./moderation.ts";
export * from "./notifications.ts";
export * from "./posts.ts";
export * from "./profiles.ts";
export * from "./reactions.ts";

/**
 * Input schemas shared by every namespace, and the one way the SDK validates input: before any
 * request, returning `invalid_input` with the zod issues in `details`.
 *
 * Schemas are built with `zod/mini` (the functional API, without zod's 40 locales): the same
 * validation core as `zod`, a fraction of its weight in an app bundle.
 */
import { en } from "zod/locales";
import * as z from "zod/mini";
import { type CursorPosition, decodeCursor } from "./cursor.ts";
import { SupasocialError } from "./errors.ts";
import { fail, ok, type SupasocialResult } from "./result.ts";

/** Fail a `z.transform` step with `message` (a `custom` issue), as zod's `ctx.addIssue` does. */
export function invalid(ctx: z.core.ParsePayload, message: string): never {
  ctx.issues.push({ code: "custom", message, input: ctx.value });
  return z.NEVER;
}

const english = en().localeError;

/**
 * zod/mini loads no locale, so zod's own messages ("Invalid input: expected string, received
 * number") would all read "Invalid input". The SDK's `invalid_input` errors use English unless the
 * app configured zod's messages itself (`z.config(...)`, or importing `zod`, which loads English).
 */
function englishUnlessConfigured(issue: z.core.$ZodRawIssue) {
  const config = z.config();
  return config.customError || config.localeError ? undefined : english(issue);
}

/**
 * A user or row id: a UUID in its canonical 8-4-4-4-12 hex form.
 *
 * @example
 * ```ts
 * UuidSchema.safeParse(userId).success
 * ```
 */
export const UuidSchema = z.guid({ error: "Expected a UUID" });

/**
 * An opaque `nextCursor` from a previous page; parses to its position.
 *
 * @example
 * ```ts
 * const stored = CursorSchema.safeParse(localStorage.getItem('followers-cursor'))
 * const cursor = stored.success ? stored.data : undefined
 * ```
 */
export const CursorSchema = z.pipe(
  z.string(),
  z.transform((value: string, ctx): CursorPosition => {
    const position = decodeCursor(value);
    if (!position) return invalid(ctx, "Invalid cursor: pass the nextCursor of a previous page");
    return position;
  }),
);

/**
 * Largest page any list returns.
 *
 * @example
 * ```ts
 * await social.graph.followers(userId, { limit: MAX_PAGE_SIZE })
 * ```
 */
export const MAX_PAGE_SIZE = 100;
/**
 * Page size when `limit` is left out.
 *
 * @example
 * ```ts
 * const expected = Math.min(total, DEFAULT_PAGE_SIZE)
 * ```
 */
export const DEFAULT_PAGE_SIZE = 20;

/**
 * Page size: an integer from 1 to 100.
 *
 * @example
 * ```ts
 * LimitSchema.parse(25)
 * ```
 */
export const LimitSchema = z
  .number()
  .check(
    z.int("limit must be an integer"),
    z.minimum(1, "limit must be at least 1"),
    z.maximum(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`),
  );

/**
 * Options of every list: `cursor` (the previous page's `nextCursor`) and `limit` (default 20).
 *
 * @example
 * ```ts
 * const page2 = await client.graph.followers(userId, { cursor: page1.nextCursor, limit: 50 })
 * ```
 */
export const ListOptionsSchema = z.strictObject({
  cursor: z.nullish(CursorSchema),
  limit: z.optional(LimitSchema),
});
/**
 * Options of every list.
 *
 * @example
 * ```ts
 * const options: ListOptions = { cursor: page.nextCursor, limit: 50 }
 * ```
 */
export type ListOptions = z.input<typeof ListOptionsSchema>;

/**
 * Text whose length is counted the way Postgres' `char_length` counts (code points, so an emoji
 * counts once), optionally trimmed first.
 *
 * @example
 * ```ts
 * const BioSchema = textSchema({ max: 500, label: 'bio', trim: true })
 * ```
 */
export function textSchema(options: { min?: number; max: number; label: string; trim?: boolean }) {
  const { min = 0, max, label, trim = false } = options;
  const base = trim ? z.string().check(z.trim()) : z.string();
  return base.check((ctx) => {
    const length = Array.from(ctx.value).length;
    if (length < min) {
      ctx.issues.push({
        code: "too_small",
        origin: "string",
        minimum: min,
        inclusive: true,
        input: ctx.value,
        message: min === 1 ? `${label} must not be empty` : `${label} must be at least ${min} characters`,
      });
    } else if (length > max) {
      ctx.issues.push({
        code: "too_big",
        origin: "string",
        maximum: max,
        inclusive: true,
        input: ctx.value,
        message: `${label} must be at most ${max} characters`,
      });
    }
  });
}

/**
 * Validate `input` with `schema`; on failure, an `invalid_input` error naming `label` (the
 * argument or option), with zod's issues (their paths prefixed by `label`) in `details`.
 *
 * @example
 * ```ts
 * const id = parseInput(UuidSchema, userId, 'userId')
 * if (id.error) return id // nothing was sent
 * ```
 */
export function parseInput<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  label: string,
): SupasocialResult<z.output<S>> {
  const result = schema.safeParse(input, { error: englishUnlessConfigured });
  if (result.success) return ok(result.data);
  const issues = result.error.issues.map((issue) => ({ ...issue, path: [label, ...issue.path] }));
  const message = issues.map((issue) => `${issue.path.map(String).join(".")}: ${issue.message}`).join("; ");
  return fail(
    new SupasocialError({
      code: "invalid_input",
      status: 400,
      message: `Invalid input: ${message}`,
      details: issues,
      cause: result.error,
    }),
  );
}

/**
 * A cursor made by the server (feeds, report queues, the moderation log, notifications): an
 * opaque base64url string. The server checks it and answers `invalid_cursor` for one it did not
 * make; this only keeps junk from being sent.
 *
 * @example
 * ```ts
 * OpaqueCursorSchema.safeParse(page.nextCursor).success // true
 * ```
 */
export const OpaqueCursorSchema = z
  .string({ error: "A cursor is a string" })
  .check(
    z.minLength(1, "Invalid cursor: pass the nextCursor of a previous page"),
    z.maxLength(512, "Invalid cursor: pass the nextCursor of a previous page"),
    z.regex(/^[A-Za-z0-9_-]+$/, "Invalid cursor: pass the nextCursor of a previous page"),
  );

/**
 * Largest page of the lists the server pages itself (feeds, reports, the moderation log,
 * notifications).
 *
 * @example
 * ```ts
 * await social.feed.home({ limit: MAX_SERVER_PAGE_SIZE })
 * ```
 */
export const MAX_SERVER_PAGE_SIZE = 50;

/**
 * Options of the lists the server pages: `cursor` (a previous page's `nextCursor`) and `limit`
 * (1-50, default 20).
 *
 * @example
 * ```ts
 * await social.moderation.myReports(ServerListOptionsSchema.parse({ limit: 10 }))
 * ```
 */
export const ServerListOptionsSchema = z.strictObject({
  cursor: z.nullish(OpaqueCursorSchema),
  limit: z.optional(
    LimitSchema.check(z.maximum(MAX_SERVER_PAGE_SIZE, `limit must be at most ${MAX_SERVER_PAGE_SIZE}`)),
  ),
});
/**
 * Options of the lists the server pages.
 *
 * @example
 * ```ts
 * const options: ServerListOptions = { cursor: page.nextCursor, limit: 50 }
 * ```
 */
export type ServerListOptions = z.input<typeof ServerListOptionsSchema>;

/**
 * A point in time: a `Date` or an ISO 8601 string with a time zone; parses to an ISO string.
 *
 * @example
 * ```ts
 * DateTimeSchema.parse(new Date(Date.now() + 86_400_000)) // '2026-11-29T02:00:00.000Z'
 * DateTimeSchema.parse('2026-12-01T09:00:00+01:00')
 * ```
 */
export const DateTimeSchema = z.pipe(
  z.union([z.date(), z.iso.datetime({ offset: true, error: "Expected an ISO 8601 date-time with a time zone" })], {
    error: "Expected a Date or an ISO 8601 date-time with a time zone",
  }),
  z.transform((value: Date | string, ctx): string => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return invalid(ctx, "Invalid date");
    return value instanceof Date ? value.toISOString() : value;
  }),
);

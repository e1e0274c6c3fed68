/**
 * Input schemas shared by every namespace, and the one way the SDK validates input: before any
 * request, returning `invalid_input` with the zod issues in `details`.
 *
 * Schemas are built with `zod/mini` (the functional API, without zod's 40 locales): the same
 * validation core as `zod`, a fraction of its weight in an app bundle.
 */
import { en } from "zod/locales";
import * as z from "zod/mini";
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
 * A cursor: the `nextCursor` of a previous page, passed back unchanged. The database makes and
 * checks it (a cursor of another list, order or arguments, or a changed one, is `invalid_cursor`);
 * this only keeps what cannot be a cursor from being sent: anything but base64url, or shorter
 * than a cursor's 16-byte signature alone (22 characters).
 *
 * @example
 * ```ts
 * const stored = CursorSchema.safeParse(localStorage.getItem('followers-cursor'))
 * const cursor = stored.success ? stored.data : null
 * ```
 */
export const CursorSchema = z
  .string({ error: "A cursor is a string: the nextCursor of a previous page" })
  .check(
    z.minLength(22, "Invalid cursor: pass the nextCursor of a previous page"),
    z.maxLength(512, "Invalid cursor: pass the nextCursor of a previous page"),
    z.regex(/^[A-Za-z0-9_-]+$/, "Invalid cursor: pass the nextCursor of a previous page"),
  );

/**
 * The largest page of every list (the database's `social_private.page_limit`): a larger `limit`
 * gives this many items and a `nextCursor` for the rest.
 *
 * @example
 * ```ts
 * await social.graph.followers(userId, { limit: MAX_PAGE_SIZE })
 * ```
 */
export const MAX_PAGE_SIZE = 50;
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
 * Page size: a whole number from 1; above `MAX_PAGE_SIZE` (50) the page holds 50.
 *
 * @example
 * ```ts
 * LimitSchema.parse(25)
 * ```
 */
export const LimitSchema = z
  .number({ error: "limit is a number" })
  .check(z.int("limit must be an integer"), z.gte(1, "limit must be at least 1"));

/**
 * Options of every list: `cursor` (the previous page's `nextCursor`) and `limit` (default 20,
 * at most 50 per page).
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

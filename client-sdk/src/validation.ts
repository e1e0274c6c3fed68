/**
 * Input schemas shared by every namespace, and the one way the SDK validates input: before any
 * request, returning `invalid_input` with the zod issues in `details`.
 */
import { z } from "zod";
import { type CursorPosition, decodeCursor } from "./cursor.ts";
import { SupasocialError } from "./errors.ts";
import { fail, ok, type SupasocialResult } from "./result.ts";

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
export const CursorSchema = z.string().transform((value, ctx): CursorPosition => {
  const position = decodeCursor(value);
  if (!position) {
    ctx.addIssue({ code: "custom", message: "Invalid cursor: pass the nextCursor of a previous page" });
    return z.NEVER;
  }
  return position;
});

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
  .int("limit must be an integer")
  .min(1, "limit must be at least 1")
  .max(MAX_PAGE_SIZE, `limit must be at most ${MAX_PAGE_SIZE}`);

/**
 * Options of every list: `cursor` (the previous page's `nextCursor`) and `limit` (default 20).
 *
 * @example
 * ```ts
 * const page2 = await client.graph.followers(userId, { cursor: page1.nextCursor, limit: 50 })
 * ```
 */
export const ListOptionsSchema = z.strictObject({
  cursor: CursorSchema.nullish(),
  limit: LimitSchema.optional(),
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
  const base = trim ? z.string().trim() : z.string();
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
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  label: string,
): SupasocialResult<z.output<S>> {
  const result = schema.safeParse(input);
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

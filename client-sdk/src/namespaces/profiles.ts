/**
 * `client.profiles`: the signed-in user's profile, other users' profiles, profile edits and
 * search. A profile is stored in three tables by who may read it (see the profiles migration):
 * the card (`profiles`), the details (`profile_details`, per visibility) and the settings
 * (`profile_settings`, owner only).
 */
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import { SupasocialError } from "../errors.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { type Page, scopedListMethod, toPage } from "../pagination.ts";
import { fail, failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import { ListOptionsSchema, parseInput, textSchema, UuidSchema } from "../validation.ts";

type Social = Database["social"];
type ProfileRow = Social["Tables"]["profiles"]["Row"];
type ProfileDetailsRow = Social["Tables"]["profile_details"]["Row"];
type ProfileSettingsRow = Social["Tables"]["profile_settings"]["Row"];

// =============================================================================================
// types
// =============================================================================================

/**
 * Who may see a profile's details, and whether follows need approval (`private`).
 *
 * @example
 * ```ts
 * const visibility: ProfileVisibility = 'followers'
 * ```
 */
export type ProfileVisibility = Social["Enums"]["profile_visibility"];

/**
 * The card of a profile: what every signed-in user may see unless a block stands between them.
 *
 * @example
 * ```ts
 * const { data: card } = await client.profiles.get('ana')
 * card && `${card.displayName} · ${card.followersCount} followers`
 * ```
 */
export interface ProfileCard {
  id: ProfileRow["id"];
  handle: ProfileRow["handle"];
  displayName: ProfileRow["display_name"];
  /** The avatar's path in the public `social-avatars` bucket (`media.publicUrl`); null for none. */
  avatarPath: ProfileRow["avatar_path"];
  visibility: ProfileVisibility;
  /** false: left out of search and recommendations. */
  discoverable: ProfileRow["discoverable"];
  /** true: the user opted in to leaderboards (false until they do). */
  leaderboardOptIn: ProfileRow["leaderboard_opt_in"];
  followersCount: ProfileRow["followers_count"];
  followingCount: ProfileRow["following_count"];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * The part of a profile that follows its visibility.
 *
 * @example
 * ```ts
 * const { data } = await client.profiles.get(userId)
 * data?.details ? render(data.details.bio) : render('This profile is private')
 * ```
 */
export interface ProfileDetails {
  bio: ProfileDetailsRow["bio"];
  city: ProfileDetailsRow["city"];
  interests: ProfileDetailsRow["interests"];
  /** IANA time zone name, e.g. `Europe/Lisbon`. */
  timezone: ProfileDetailsRow["timezone"];
  /** ISO 8601. */
  updatedAt: string;
}

/**
 * App settings of a profile: a JSON object only its owner reads.
 *
 * @example
 * ```ts
 * const theme = me.settings.theme ?? 'system'
 * ```
 */
export type ProfileSettings = { [key: string]: Json | undefined };

/**
 * Another user's profile: the card, and the details when the visibility lets you see them.
 *
 * @example
 * ```ts
 * const { data } = await client.profiles.get('ana')
 * if (data && data.details === null) showFollowToSeeMore()
 * ```
 */
export interface Profile extends ProfileCard {
  /** null when the profile's visibility hides the details from you. */
  details: ProfileDetails | null;
}

/**
 * The signed-in user's own profile: card, details and settings.
 *
 * @example
 * ```ts
 * const { data: me } = await client.profiles.me()
 * me?.settings.notifications
 * ```
 */
export interface MyProfile extends ProfileCard {
  details: ProfileDetails;
  settings: ProfileSettings;
}

// =============================================================================================
// schemas
// =============================================================================================

/**
 * A handle: 3-30 letters, digits or underscores (unique, case-insensitive).
 *
 * @example
 * ```ts
 * HandleSchema.safeParse('ana_silva').success // true
 * HandleSchema.safeParse('a b').success       // false
 * ```
 */
export const HandleSchema = z
  .string({ error: "A handle is a string" })
  .check(z.regex(/^[A-Za-z0-9_]{3,30}$/, "A handle is 3-30 letters, digits or underscores"));

/**
 * A user id or a handle (`profiles.get` accepts either).
 *
 * @example
 * ```ts
 * IdOrHandleSchema.parse('ana')
 * ```
 */
export const IdOrHandleSchema = z.union([UuidSchema, HandleSchema], {
  error: "Expected a user id (UUID) or a handle (3-30 letters, digits or underscores)",
});

/**
 * A display name: 1-80 characters after trimming.
 *
 * @example
 * ```ts
 * DisplayNameSchema.parse('  Ana Silva ') // 'Ana Silva'
 * ```
 */
export const DisplayNameSchema = textSchema({ min: 1, max: 80, label: "Display name", trim: true });

/**
 * `public`, `followers` or `private`.
 *
 * @example
 * ```ts
 * <select>{ProfileVisibilitySchema.options.map((v) => <option key={v}>{v}</option>)}</select>
 * ```
 */
export const ProfileVisibilitySchema = z.enum(Constants.social.Enums.profile_visibility);

/**
 * An IANA time zone name (`Europe/Lisbon`, `UTC`). The server checks it against its zone list
 * and answers `invalid_timezone` for an unknown one.
 *
 * @example
 * ```ts
 * TimezoneSchema.parse(Intl.DateTimeFormat().resolvedOptions().timeZone)
 * ```
 */
export const TimezoneSchema = z
  .string()
  .check(
    z.maxLength(64, "A time zone name is at most 64 characters"),
    z.regex(/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/, "Expected an IANA time zone name, e.g. Europe/Lisbon"),
  );

/** Empty text (after trimming) clears the field. */
const optionalText = (max: number, label: string) =>
  z.nullable(
    z.pipe(
      textSchema({ max, label, trim: true }),
      z.transform((value: string) => (value === "" ? null : value)),
    ),
  );

/**
 * Up to 30 interests, each 1-50 characters.
 *
 * @example
 * ```ts
 * InterestsSchema.parse(['running', 'cooking'])
 * ```
 */
export const InterestsSchema = z
  .array(textSchema({ min: 1, max: 50, label: "An interest", trim: true }))
  .check(z.maxLength(30, "At most 30 interests"));

/** The database refuses settings larger than this (jsonb size); JSON text is a close proxy. */
const MAX_SETTINGS_JSON = 16 * 1024;

/**
 * Profile settings: any JSON object, up to 16 KB.
 *
 * @example
 * ```ts
 * ProfileSettingsSchema.parse({ theme: 'dark', notifications: { email: false } })
 * ```
 */
export const ProfileSettingsSchema = z.record(z.string(), z.json()).check(
  z.refine((settings) => JSON.stringify(settings).length <= MAX_SETTINGS_JSON, {
    message: `Settings must be at most ${MAX_SETTINGS_JSON / 1024} KB of JSON`,
  }),
);

/**
 * A change to the signed-in user's profile. Every field is optional; `null` clears a nullable
 * field; `settings` replaces the whole settings object. Unknown fields are rejected.
 *
 * @example
 * ```ts
 * const form = ProfileUpdateSchema.safeParse(formValues)
 * if (form.success) await client.profiles.update(form.data)
 * ```
 */
export const ProfileUpdateSchema = z.strictObject({
  handle: z.optional(HandleSchema),
  displayName: z.optional(DisplayNameSchema),
  avatarMediaId: z.optional(z.nullable(UuidSchema)),
  visibility: z.optional(ProfileVisibilitySchema),
  discoverable: z.optional(z.boolean()),
  leaderboardOptIn: z.optional(z.boolean()),
  bio: z.optional(optionalText(500, "Bio")),
  city: z.optional(optionalText(100, "City")),
  interests: z.optional(InterestsSchema),
  timezone: z.optional(z.nullable(TimezoneSchema)),
  settings: z.optional(ProfileSettingsSchema),
});
/**
 * Input of `profiles.update`.
 *
 * @example
 * ```ts
 * const patch: ProfileUpdate = { bio: 'Runner', timezone: 'Europe/Lisbon' }
 * ```
 */
export type ProfileUpdate = z.input<typeof ProfileUpdateSchema>;

/**
 * A search query: 2-100 characters after trimming.
 *
 * @example
 * ```ts
 * ProfileSearchQuerySchema.safeParse(input.value).success
 * ```
 */
export const ProfileSearchQuerySchema = z
  .string({ error: "A search query is a string" })
  .check(
    z.trim(),
    z.minLength(2, "Type at least 2 characters"),
    z.maxLength(100, "A search query is at most 100 characters"),
  );

/**
 * Options of `profiles.search`: `cursor` (a previous page's `nextCursor` for the same query) and
 * `limit` (default 20, at most 50 per page).
 *
 * @example
 * ```ts
 * await client.profiles.search('ana', ProfileSearchOptionsSchema.parse({ limit: 10 }))
 * ```
 */
export const ProfileSearchOptionsSchema = ListOptionsSchema;
/**
 * Options of `profiles.search`.
 *
 * @example
 * ```ts
 * const options: ProfileSearchOptions = { limit: 10 }
 * ```
 */
export type ProfileSearchOptions = z.input<typeof ProfileSearchOptionsSchema>;

// =============================================================================================
// mapping rows to the SDK's shapes
// =============================================================================================

/**
 * A `social.profiles` row as a `ProfileCard` (camelCase, ISO timestamps). Exported for other
 * namespaces that embed profiles, and for apps that query `social.profiles` themselves.
 *
 * @example
 * ```ts
 * const { data: rows } = await supabase.schema('social').from('profiles').select().limit(10)
 * const cards = (rows ?? []).map(toProfileCard)
 * ```
 */
export function toProfileCard(row: Omit<ProfileRow, "avatar_media_id">): ProfileCard {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    avatarPath: row.avatar_path,
    visibility: row.visibility,
    discoverable: row.discoverable,
    leaderboardOptIn: row.leaderboard_opt_in,
    followersCount: row.followers_count,
    followingCount: row.following_count,
    createdAt: normalizeTimestamp(row.created_at),
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function toProfileDetails(row: ProfileDetailsRow): ProfileDetails {
  return {
    bio: row.bio,
    city: row.city,
    interests: row.interests ?? [],
    timezone: row.timezone,
    updatedAt: normalizeTimestamp(row.updated_at),
  };
}

function toProfileSettings(settings: ProfileSettingsRow["settings"]): ProfileSettings {
  return typeof settings === "object" && settings !== null && !Array.isArray(settings) ? settings : {};
}

/** An embedded to-one relation as PostgREST returns it (an object, or an array from servers that miss one-to-one). */
function one<T>(value: T | T[] | null | undefined): T | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

function profileNotFound(): SupasocialError {
  return new SupasocialError({ code: "profile_not_found", status: 404, message: "No such profile" });
}

// =============================================================================================
// the namespace
// =============================================================================================

type ParsedUpdate = z.output<typeof ProfileUpdateSchema>;
type CardUpdate = Social["Tables"]["profiles"]["Update"];
type DetailsUpdate = Social["Tables"]["profile_details"]["Update"];

/** The part of a patch stored in `social.profiles`, or null when it touches none of it. */
function cardPart(patch: ParsedUpdate): CardUpdate | null {
  const out: CardUpdate = {};
  if (patch.handle !== undefined) out.handle = patch.handle;
  if (patch.displayName !== undefined) out.display_name = patch.displayName;
  if (patch.avatarMediaId !== undefined) out.avatar_media_id = patch.avatarMediaId;
  if (patch.visibility !== undefined) out.visibility = patch.visibility;
  if (patch.discoverable !== undefined) out.discoverable = patch.discoverable;
  if (patch.leaderboardOptIn !== undefined) out.leaderboard_opt_in = patch.leaderboardOptIn;
  return Object.keys(out).length > 0 ? out : null;
}

/** The part of a patch stored in `social.profile_details`, or null. */
function detailsPart(patch: ParsedUpdate): DetailsUpdate | null {
  const out: DetailsUpdate = {};
  if (patch.bio !== undefined) out.bio = patch.bio;
  if (patch.city !== undefined) out.city = patch.city;
  if (patch.interests !== undefined) out.interests = patch.interests;
  if (patch.timezone !== undefined) out.timezone = patch.timezone;
  return Object.keys(out).length > 0 ? out : null;
}

async function loadMyProfile(ctx: NamespaceContext, userId: string): Promise<SupasocialResult<MyProfile>> {
  const response = await ctx.social
    .from("profiles")
    .select("*, details:profile_details(*), settings:profile_settings(*)")
    .eq("id", userId)
    .maybeSingle();
  if (response.error) return failFrom(response);
  const row = response.data;
  if (!row) return fail(profileNotFound());
  const details = one(row.details);
  const settings = one(row.settings);
  const { details: _d, settings: _s, ...card } = row;
  return ok({
    ...toProfileCard(card),
    details: details
      ? toProfileDetails(details)
      : { bio: null, city: null, interests: [], timezone: null, updatedAt: normalizeTimestamp(card.updated_at) },
    settings: toProfileSettings(settings?.settings ?? {}),
  });
}

/**
 * `client.profiles`: me, get, update, search.
 *
 * @example
 * ```ts
 * const social = createSupasocialClient(supabase)
 * const { data: me } = await social.profiles.me()
 * ```
 */
export const profilesNamespace = defineNamespace("profiles", (ctx) => ({
  /**
   * The signed-in user's profile: card, details and settings.
   *
   * @example
   * ```ts
   * const { data: me, error } = await client.profiles.me()
   * if (error?.code === 'not_authenticated') router.push('/sign-in')
   * ```
   */
  me(): Promise<SupasocialResult<MyProfile>> {
    return settle(async () => {
      const me = await ctx.currentUserId();
      if (me.error) return me;
      return loadMyProfile(ctx, me.data);
    });
  },

  /**
   * A profile by user id or handle (case-insensitive): the card, and the details when its
   * visibility lets you see them (`details: null` otherwise). A profile you cannot see (it does
   * not exist, or a block stands between you) is `profile_not_found`.
   *
   * @example
   * ```ts
   * const { data, error } = await client.profiles.get('ana')
   * if (error?.code === 'profile_not_found') return notFound()
   * ```
   */
  get(idOrHandle: string): Promise<SupasocialResult<Profile>> {
    return settle(async () => {
      const input = parseInput(IdOrHandleSchema, idOrHandle, "idOrHandle");
      if (input.error) return input;
      const byId = UuidSchema.safeParse(input.data).success;
      const response = await ctx.social
        .from("profiles")
        .select("*, details:profile_details(*)")
        .eq(byId ? "id" : "handle", input.data)
        .maybeSingle();
      if (response.error) return failFrom(response);
      if (!response.data) return fail(profileNotFound());
      const { details, ...card } = response.data;
      const visible = one(details);
      return ok({ ...toProfileCard(card), details: visible ? toProfileDetails(visible) : null });
    });
  },

  /**
   * Change the signed-in user's profile and return it. The card, details and settings fields
   * in the patch are written in one request, all or nothing: when one fails (say
   * `invalid_timezone` or a taken handle) nothing changes.
   *
   * @example
   * ```ts
   * const { data, error } = await client.profiles.update({
   *   displayName: 'Ana Silva',
   *   bio: 'Runner',
   *   visibility: 'private',
   *   settings: { theme: 'dark' },
   * })
   * if (error?.code === 'conflict') form.setError('handle', 'Taken')
   * ```
   */
  update(patch: ProfileUpdate): Promise<SupasocialResult<MyProfile>> {
    return settle(async () => {
      const input = parseInput(ProfileUpdateSchema, patch, "patch");
      if (input.error) return input;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      const userId = me.data;

      // one RPC, so the card, details and settings change together or not at all
      const response = await ctx.social.rpc("update_my_profile", {
        p_patch: {
          ...cardPart(input.data),
          ...detailsPart(input.data),
          ...(input.data.settings !== undefined ? { settings: input.data.settings } : {}),
        },
      });
      if (response.error) return failFrom(response);
      return loadMyProfile(ctx, userId);
    });
  },

  /**
   * Discoverable profiles whose handle or display name resembles `query`, best match first
   * (never across a block), a page at a time; `nextCursor` goes on with the same query.
   *
   * @example
   * ```ts
   * const { data: page } = await client.profiles.search('ana', { limit: 10 })
   * page?.items.map((card) => card.handle)
   * ```
   */
  search: scopedListMethod(
    async (query: string, options?: ProfileSearchOptions): Promise<SupasocialResult<Page<ProfileCard>>> => {
      const q = parseInput(ProfileSearchQuerySchema, query, "query");
      if (q.error) return q;
      const opts = parseInput(ProfileSearchOptionsSchema, options ?? {}, "options");
      if (opts.error) return opts;
      const response = await ctx.social.rpc("search_profiles", {
        p_query: q.data,
        p_cursor: opts.data.cursor ?? undefined,
        p_limit: opts.data.limit,
      });
      if (response.error) return failFrom(response);
      return ok(toPage(response.data, toProfileCard));
    },
  ),
}));

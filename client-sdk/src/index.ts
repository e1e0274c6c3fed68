/**
 * @supasocial/client: the typed SDK of Supasocial, the social layer for Supabase apps.
 *
 * @example
 * ```ts
 * import { createSupasocialClient } from '@supasocial/client'
 * const social = createSupasocialClient(supabase)
 * const { data, error } = await social.graph.follow(userId)
 * ```
 */
export { createSupasocialClient, type SupasocialClient, type SupasocialNamespaces } from "./client.ts";
export type { CompositeTypes, Database, Enums, Json, Tables, TablesInsert, TablesUpdate } from "./database.types.ts";
export { Constants } from "./database.types.ts";
// The list itself, with each code's meaning, is the `@supasocial/client/error-codes` subpath.
export {
  SUPASOCIAL_ERROR_KINDS,
  type SupasocialErrorCodeInfo,
  type SupasocialErrorCodeOfStatus,
  type SupasocialErrorKind,
} from "./error-codes.ts";
export { isSupasocialErrorCode, SUPASOCIAL_ERROR_STATUS } from "./error-status.ts";
export {
  isSupasocialError,
  SupasocialError,
  type SupasocialErrorCode,
  type SupasocialErrorJSON,
  type SupasocialErrorOptions,
  type ToSupasocialErrorContext,
  toSupasocialError,
} from "./errors.ts";
export {
  type AnySupabaseClient,
  defineNamespace,
  type NamespaceContext,
  type NamespaceDefinition,
  type SocialSchemaClient,
} from "./namespace.ts";
export * from "./namespaces/index.ts";
export type { ProfileSummary } from "./namespaces/shared.ts";
export { type ListMethod, listMethod, type Page, type PageOptions, scopedListMethod, toPage } from "./pagination.ts";
export type { LiveSubscription, PendingSubscription } from "./realtime.ts";
export type { SupasocialResult } from "./result.ts";
export { normalizeTimestamp } from "./timestamps.ts";
export {
  CursorSchema,
  DateTimeSchema,
  DEFAULT_PAGE_SIZE,
  LimitSchema,
  type ListOptions,
  ListOptionsSchema,
  MAX_PAGE_SIZE,
  textSchema,
  UuidSchema,
} from "./validation.ts";

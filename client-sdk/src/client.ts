import { type AnySupabaseClient, createContext, isNamespaceDefinition, type NamespaceDefinition } from "./namespace.ts";
import * as registry from "./namespaces/index.ts";

type Registry = typeof registry;

/**
 * Every namespace of the client, keyed by name, derived from the registry.
 *
 * @example
 * ```ts
 * type Graph = SupasocialNamespaces['graph']
 * const follow: Graph['follow'] = social.graph.follow
 * ```
 */
export type SupasocialNamespaces = {
  [K in keyof Registry as Registry[K] extends NamespaceDefinition<infer Name, unknown>
    ? Name
    : never]: Registry[K] extends NamespaceDefinition<string, infer Api> ? Api : never;
};

/**
 * The Supasocial client: one property per namespace (`profiles`, `graph`, …).
 *
 * @example
 * ```ts
 * const social: SupasocialClient = createSupasocialClient(supabase)
 * ```
 */
export type SupasocialClient = SupasocialNamespaces & {
  /** The supabase-js client the SDK talks through. */
  readonly supabase: AnySupabaseClient;
};

/**
 * Wrap a supabase-js client (signed in or not) in the Supasocial SDK. Every method resolves to
 * `{ data, error }` and never throws for API errors; inputs are validated before any request.
 *
 * @example
 * ```ts
 * import { createClient } from '@supabase/supabase-js'
 * import { createSupasocialClient, type Database } from '@supasocial/client'
 *
 * const supabase = createClient<Database>(SUPABASE_URL, SUPABASE_PUBLISHABLE_KEY)
 * const social = createSupasocialClient(supabase)
 *
 * const { data: me, error } = await social.profiles.me()
 * ```
 */
export function createSupasocialClient(supabase: AnySupabaseClient): SupasocialClient {
  const context = createContext(supabase);
  const client: Record<string, unknown> = { supabase };
  for (const value of Object.values(registry)) {
    if (isNamespaceDefinition(value)) client[value.name] = value.create(context);
  }
  return client as SupasocialClient;
}

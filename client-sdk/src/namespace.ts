/**
 * What a namespace (`profiles`, `graph`, later `groups`, `posts`, …) is made of: a name and a
 * factory that receives the shared context. See `namespaces/index.ts` for how one is added.
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database } from "./database.types.ts";
import { SupasocialError, toSupasocialError } from "./errors.ts";
import { fail, ok, type SupasocialResult } from "./result.ts";

/**
 * Any supabase-js client: typed with Supasocial's `Database`, with the host app's own generated
 * types (which include the `social` schema), or untyped.
 *
 * @example
 * ```ts
 * const supabase: AnySupabaseClient = createClient<AppDatabase>(url, key)
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the host app's Database type is not ours to know
export type AnySupabaseClient = SupabaseClient<any, any, any, any, any>;

declare const typedClient: SupabaseClient<Database>;
/**
 * The PostgREST client of the `social` schema, typed with the generated `Database`.
 *
 * @example
 * ```ts
 * const { data } = await ctx.social.from('profiles').select('id, handle').eq('id', userId)
 * ```
 */
export type SocialSchemaClient = ReturnType<typeof typedClient.schema<"social">>;

/**
 * What every namespace factory receives.
 *
 * @example
 * ```ts
 * defineNamespace('posts', (ctx: NamespaceContext) => ({
 *   async mine() {
 *     const me = await ctx.currentUserId()
 *     if (me.error) return me
 *     // ...
 *   },
 * }))
 * ```
 */
export interface NamespaceContext {
  /** The app's supabase-js client (auth, storage, realtime, functions). */
  readonly supabase: AnySupabaseClient;
  /** `supabase.schema('social')`, typed. */
  readonly social: SocialSchemaClient;
  /** The signed-in user's id, or a `not_authenticated` error; no request when the session is cached. */
  currentUserId(): Promise<SupasocialResult<string>>;
}

const NAMESPACE = Symbol.for("supasocial.namespace");

/**
 * A namespace: its property name on the client and the factory that builds its methods.
 *
 * @example
 * ```ts
 * const def: NamespaceDefinition<'profiles', unknown> = profilesNamespace
 * ```
 */
export interface NamespaceDefinition<Name extends string, Api> {
  readonly [NAMESPACE]: true;
  readonly name: Name;
  create(context: NamespaceContext): Api;
}

/**
 * Declare a namespace. Export the result from a file in `src/namespaces/` and add that file to
 * `src/namespaces/index.ts`; the client picks it up (methods and types).
 *
 * @example
 * ```ts
 * export const postsNamespace = defineNamespace('posts', (ctx) => ({
 *   // Create a post. @example await client.posts.create({ body: 'hi' })
 *   async create(input: PostInput) { ... },
 * }))
 * ```
 */
export function defineNamespace<const Name extends string, Api>(
  name: Name,
  create: (context: NamespaceContext) => Api,
): NamespaceDefinition<Name, Api> {
  return { [NAMESPACE]: true, name, create };
}

/**
 * True for a value made by `defineNamespace`.
 *
 * @example
 * ```ts
 * Object.values(registry).filter(isNamespaceDefinition)
 * ```
 */
export function isNamespaceDefinition(value: unknown): value is NamespaceDefinition<string, unknown> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[NAMESPACE] === true;
}

/**
 * The context shared by every namespace of one client.
 *
 * @example
 * ```ts
 * const ctx = createContext(supabase)
 * const graph = graphNamespace.create(ctx)
 * ```
 */
export function createContext(supabase: AnySupabaseClient): NamespaceContext {
  const social = supabase.schema("social") as unknown as SocialSchemaClient;
  return {
    supabase,
    social,
    async currentUserId() {
      const { data, error } = await supabase.auth.getSession();
      if (error) return fail(toSupasocialError(error));
      const id = data.session?.user?.id;
      if (!id) {
        return fail(new SupasocialError({ code: "not_authenticated", status: 401, message: "Sign in first" }));
      }
      return ok(id);
    },
  };
}

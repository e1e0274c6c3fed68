/**
 * The premium functions' database calls, over supabase-js: as the service role for the webhook's
 * writes, and as the caller (their own token) for what RLS and the purchase rules decide.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

/** A database error with Supasocial's stable code (the SQL's hint) and the HTTP status to answer. */
export class DbError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const statusOf: Record<string, number> = {
  "22023": 400,
  "22P02": 400,
  PT401: 401,
  "42501": 403,
  PT404: 404,
  PT409: 409,
  PT429: 429,
};

/** Turn a PostgREST error into a DbError with our code (hint) and status. */
export function dbError(error: { code?: string; hint?: string | null; message: string }): DbError {
  const status = statusOf[error.code ?? ""] ?? 500;
  const code =
    error.hint && /^[a-z_]+$/.test(error.hint) ? error.hint : status === 500 ? "server_error" : "permission_denied";
  return new DbError(code, status, error.message);
}

const noSession = { auth: { persistSession: false, autoRefreshToken: false } };

/** The service-role client, or undefined when SUPABASE_URL or the key is missing. */
export function serviceDb(): SupabaseClient | undefined {
  const url = Deno.env.get("SUPABASE_URL");
  const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? Deno.env.get("SUPABASE_SECRET_KEY");
  if (!url || !key) return undefined;
  return createClient(url, key, noSession);
}

/** A client acting as the caller (their Authorization header), or undefined when not configured. */
export function callerDb(authorization: string): SupabaseClient | undefined {
  const url = Deno.env.get("SUPABASE_URL");
  const key = Deno.env.get("SUPABASE_ANON_KEY") ?? Deno.env.get("SUPABASE_PUBLISHABLE_KEY");
  if (!url || !key) return undefined;
  return createClient(url, key, { ...noSession, global: { headers: { Authorization: authorization } } });
}

/** Call an RPC of the `social` schema; its data, or a DbError. */
export async function rpc<T>(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<T> {
  const { data, error } = await client.schema("social").rpc(name, args);
  if (error) throw dbError(error);
  return data as T;
}

/**
 * Shared by the media functions: who may call them (a bearer secret), and removing the objects the
 * database hands out (social.cleanup_media) through the Storage API.
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";

/** True when the request carries `Authorization: Bearer <one of secrets>` (empty secrets never match). */
export function hasSecret(req: Request, secrets: (string | undefined)[]): boolean {
  const header = req.headers.get("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
  return token !== "" && secrets.some((secret) => secret !== undefined && secret !== "" && secret === token);
}

/** What one clean-up run did. */
export interface CleanupResult {
  /** Objects Storage removed. */
  removed: number;
  /** Objects Storage did not remove (they stay queued for the next run). */
  failed: number;
  /** Database rounds run (each hands out up to `limit` objects). */
  rounds: number;
}

/** The database and Storage calls a clean-up run needs, injectable for tests. */
export interface CleanupDeps {
  /** social.cleanup_media: the objects to remove now. */
  claim(unattachedHours: number, limit: number): Promise<{ bucket_id: string; path: string }[]>;
  /** Storage's remove for one bucket: the paths it removed. */
  remove(bucket: string, paths: string[]): Promise<string[]>;
}

/** Run the clean-up: claim objects, remove them bucket by bucket, until a round comes back short. */
export async function runCleanup(
  deps: CleanupDeps,
  options: { unattachedHours?: number; limit?: number; maxRounds?: number } = {},
): Promise<CleanupResult> {
  const limit = options.limit ?? 100;
  const result: CleanupResult = { removed: 0, failed: 0, rounds: 0 };
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    const objects = await deps.claim(options.unattachedHours ?? 24, limit);
    result.rounds++;
    const byBucket = new Map<string, string[]>();
    for (const o of objects) byBucket.set(o.bucket_id, [...(byBucket.get(o.bucket_id) ?? []), o.path]);
    for (const [bucket, paths] of byBucket) {
      const removed = await deps.remove(bucket, paths);
      result.removed += removed.length;
      result.failed += paths.length - removed.length;
    }
    if (objects.length < limit) break;
  }
  return result;
}

/** A service-role client for the project (SUPABASE_URL and the secret key from the environment). */
export function serviceClient(): SupabaseClient | undefined {
  const url = Deno.env.get("SUPABASE_URL");
  const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? Deno.env.get("SUPABASE_SECRET_KEY");
  if (!url || !key) return undefined;
  return createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });
}

/** Clean-up dependencies over a service-role client. */
export function cleanupDeps(client: SupabaseClient): CleanupDeps {
  return {
    async claim(unattachedHours, limit) {
      const { data, error } = await client
        .schema("social")
        .rpc("cleanup_media", { p_unattached_hours: unattachedHours, p_limit: limit });
      if (error) throw new Error(`cleanup_media failed: ${error.message}`);
      return (data ?? []) as { bucket_id: string; path: string }[];
    },
    async remove(bucket, paths) {
      const { data, error } = await client.storage.from(bucket).remove(paths);
      if (error) return [];
      return (data ?? []).map((o) => o.name);
    },
  };
}

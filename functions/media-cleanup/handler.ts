import { corsHeaders, json } from "../_shared/cors.ts";
import { type CleanupDeps, cleanupDeps, hasSecret, runCleanup, serviceClient } from "../_shared/media.ts";

/** Dependencies of the clean-up function, passed in so tests can call the handler directly. */
export interface MediaCleanupDeps {
  /** Bearer secrets that may run it: the project's service role (secret) key, or CRON_SECRET. */
  secrets: (string | undefined)[];
  cleanup?: CleanupDeps;
  /** Hours an upload may stay unattached (MEDIA_UNATTACHED_HOURS, default 24). */
  unattachedHours?: number;
  /** Objects per database round (default 100). */
  limit?: number;
}

/**
 * `POST /functions/v1/media-cleanup`: the media clean-up job. Run it on a schedule (pg_cron +
 * pg_net, or any cron) with `Authorization: Bearer <service role key or CRON_SECRET>`. It deletes
 * uploads left unattached for a day and removes, through the Storage API, the objects of deleted
 * media rows. Answers `{ removed, failed, rounds }`.
 */
export function createMediaCleanupHandler(deps: MediaCleanupDeps) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    if (req.method !== "POST") return json({ code: "method_not_allowed", message: "use POST" }, { status: 405 });
    if (!hasSecret(req, deps.secrets)) {
      return json(
        { code: "not_authenticated", message: "a service role key or CRON_SECRET is required" },
        { status: 401 },
      );
    }
    if (!deps.cleanup) {
      return json(
        { code: "not_configured", message: "SUPABASE_URL and the service role key are not set" },
        { status: 503 },
      );
    }
    try {
      return json(await runCleanup(deps.cleanup, { unattachedHours: deps.unattachedHours, limit: deps.limit }));
    } catch (error) {
      return json({ code: "server_error", message: (error as Error).message }, { status: 500 });
    }
  };
}

const client = serviceClient();

export const handler = createMediaCleanupHandler({
  secrets: [
    Deno.env.get("SUPABASE_SERVICE_ROLE_KEY"),
    Deno.env.get("SUPABASE_SECRET_KEY"),
    Deno.env.get("CRON_SECRET"),
  ],
  cleanup: client ? cleanupDeps(client) : undefined,
  unattachedHours: Number(Deno.env.get("MEDIA_UNATTACHED_HOURS") ?? "24") || 24,
});

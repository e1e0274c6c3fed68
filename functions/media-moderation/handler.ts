import { corsHeaders, json } from "../_shared/cors.ts";
import { type CleanupDeps, cleanupDeps, hasSecret, runCleanup, serviceClient } from "../_shared/media.ts";

/** A decision of the outside moderation service. */
export interface ModerationDecision {
  mediaId: string;
  status: "approved" | "rejected";
  reason?: string;
}

/** Dependencies of the hook's endpoint, passed in so tests can call the handler directly. */
export interface MediaModerationDeps {
  /** Bearer secrets the moderation service may present: MEDIA_MODERATION_SECRET, the service role key. */
  secrets: (string | undefined)[];
  /** social.moderate_media as service_role: the media's new status, or the error's code and status. */
  moderate?: (decision: ModerationDecision) => Promise<{ status: string } | { code: string; httpStatus: number }>;
  /** Removes the objects a rejection queued (public avatars are served without RLS). */
  cleanup?: CleanupDeps;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseDecision(body: unknown): ModerationDecision | null {
  if (typeof body !== "object" || body === null) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.mediaId !== "string" || !UUID.test(b.mediaId)) return null;
  if (b.status !== "approved" && b.status !== "rejected") return null;
  if (b.reason !== undefined && (typeof b.reason !== "string" || b.reason.length > 1000)) return null;
  return { mediaId: b.mediaId, status: b.status, reason: b.reason as string | undefined };
}

/**
 * `POST /functions/v1/media-moderation`: the outside moderation hook's endpoint. A moderation
 * service that `social_private.media_moderation_hook` handed an upload to answers here with
 * `{ mediaId, status: 'approved' | 'rejected', reason? }` and `Authorization: Bearer
 * <MEDIA_MODERATION_SECRET>`. The decision goes through social.moderate_media as the platform
 * (logged in the moderation log); a rejected public object is removed from Storage at once.
 */
export function createMediaModerationHandler(deps: MediaModerationDeps) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    if (req.method !== "POST") return json({ code: "method_not_allowed", message: "use POST" }, { status: 405 });
    if (!hasSecret(req, deps.secrets)) {
      return json({ code: "not_authenticated", message: "the moderation secret is required" }, { status: 401 });
    }
    const decision = parseDecision(await req.json().catch(() => null));
    if (!decision) {
      return json(
        { code: "invalid_input", message: "send { mediaId: uuid, status: 'approved' | 'rejected', reason?: string }" },
        { status: 400 },
      );
    }
    if (!deps.moderate) {
      return json(
        { code: "not_configured", message: "SUPABASE_URL and the service role key are not set" },
        { status: 503 },
      );
    }
    const outcome = await deps.moderate(decision);
    if ("code" in outcome) return json({ code: outcome.code, message: "refused" }, { status: outcome.httpStatus });
    const cleanup =
      decision.status === "rejected" && deps.cleanup ? await runCleanup(deps.cleanup, { maxRounds: 1 }) : null;
    return json({ mediaId: decision.mediaId, status: outcome.status, removed: cleanup?.removed ?? 0 });
  };
}

const client = serviceClient();

export const handler = createMediaModerationHandler({
  secrets: [
    Deno.env.get("MEDIA_MODERATION_SECRET"),
    Deno.env.get("SUPABASE_SERVICE_ROLE_KEY"),
    Deno.env.get("SUPABASE_SECRET_KEY"),
  ],
  moderate: client
    ? async (d) => {
        const { data, error, status } = await client
          .schema("social")
          .rpc("moderate_media", { p_media_id: d.mediaId, p_status: d.status, p_reason: d.reason ?? null });
        if (error) return { code: error.hint ?? error.code ?? "server_error", httpStatus: status || 500 };
        return { status: (data as { status: string }).status };
      }
    : undefined,
  cleanup: client ? cleanupDeps(client) : undefined,
});

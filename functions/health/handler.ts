import { corsHeaders, json } from "../_shared/cors.ts";

/** Dependencies of the health check, passed in so tests can call the handler directly. */
export interface HealthDeps {
  /** Reads the Data API's reachability; resolves to an error message or null. */
  checkDatabase?: () => Promise<string | null>;
  now?: () => Date;
}

/**
 * `GET|POST /functions/v1/health`: liveness of the functions runtime and, when a Supabase URL is
 * configured, of the Data API behind it.
 */
export function createHealthHandler(deps: HealthDeps = {}) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    const database = deps.checkDatabase ? await deps.checkDatabase() : null;
    const ok = database === null;
    return json(
      {
        status: ok ? "ok" : "degraded",
        service: "supasocial",
        runtime: "deno",
        time: (deps.now?.() ?? new Date()).toISOString(),
        ...(ok ? {} : { database }),
      },
      { status: ok ? 200 : 503 },
    );
  };
}

/** Checks that PostgREST answers for the `social` schema with the configured key. */
export function dataApiCheck(url: string, apikey: string): () => Promise<string | null> {
  return async () => {
    try {
      const res = await fetch(`${url}/rest/v1/profiles?select=id&limit=1`, {
        headers: { apikey, "accept-profile": "social" },
      });
      await res.body?.cancel();
      return res.ok ? null : `data API answered ${res.status}`;
    } catch (error) {
      return `data API unreachable: ${(error as Error).message}`;
    }
  };
}

const url = Deno.env.get("SUPABASE_URL");
const key = Deno.env.get("SUPABASE_ANON_KEY");

export const handler = createHealthHandler({
  checkDatabase: url && key ? dataApiCheck(url, key) : undefined,
});

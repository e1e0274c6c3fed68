/**
 * `GET /functions/v1/calendar/feed/<token>.ics`: a user's private calendar feed (the events they
 * are going to, and those cancelled while they were), for Google Calendar and Apple Calendar to
 * subscribe to; no Authorization header needed (the token is the secret). Read with the service
 * key through `social.calendar_feed`.
 *
 * `GET /functions/v1/calendar/events/<id>.ics`: one event as a one-off `.ics`, read with the
 * caller's own key and token through `social.get_event`, so RLS decides (404 when the caller may
 * not see it).
 */
import { corsHeaders, json } from "../_shared/cors.ts";
import { eventsIcs, type IcsEvent } from "./ics.ts";

/** What the handler needs: the Data API and keys, passed in so tests can call it directly. */
export interface CalendarDeps {
  /** The Supabase URL (`SUPABASE_URL`). */
  url: string;
  /** The service key (`SUPABASE_SERVICE_ROLE_KEY`), for the feed. */
  serviceKey: string;
  /** The anon key (`SUPABASE_ANON_KEY`), for one-off event files requested without one. */
  anonKey: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

const FEED = /^\/calendar\/feed\/([A-Za-z0-9_-]{16,64})(?:\.ics)?$/;
const EVENT = /^\/calendar\/events\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\.ics)?$/i;

function ics(body: string, filename: string, cache: string): Response {
  return new Response(body, {
    headers: {
      ...corsHeaders,
      "content-type": "text/calendar; charset=utf-8",
      "content-disposition": `inline; filename="${filename}"`,
      "cache-control": cache,
    },
  });
}

/** The handler of the `calendar` function. */
export function createCalendarHandler(deps: CalendarDeps) {
  const fetcher = deps.fetch ?? fetch;
  const rpc = (name: string, body: unknown, key: string, bearer: string) =>
    fetcher(`${deps.url}/rest/v1/rpc/${name}`, {
      method: "POST",
      headers: {
        apikey: key,
        authorization: bearer,
        "content-type": "application/json",
        "content-profile": "social",
        "accept-profile": "social",
      },
      body: JSON.stringify(body),
    });

  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json({ code: "invalid_input", message: "use GET" }, { status: 405 });
    }
    const path = new URL(req.url).pathname.replace(/^\/functions\/v1/, "");
    const feed = FEED.exec(path);
    if (feed) {
      const res = await rpc("calendar_feed", { p_token: feed[1] }, deps.serviceKey, `Bearer ${deps.serviceKey}`);
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const code = (body as { hint?: string } | null)?.hint;
        if (res.status === 404 || code === "calendar_feed_not_found") {
          return json({ code: "calendar_feed_not_found", message: "no such calendar feed" }, { status: 404 });
        }
        return json({ code: "server_error", message: "the feed could not be read" }, { status: 502 });
      }
      const events = (body as IcsEvent[] & { event_id?: string }[]).map((row) => ({
        ...row,
        id: (row as unknown as { event_id: string }).event_id,
      }));
      return ics(
        eventsIcs(events, { name: "Supasocial events", now: deps.now?.() }),
        "supasocial.ics",
        "private, max-age=300",
      );
    }
    const one = EVENT.exec(path);
    if (one) {
      const apikey = req.headers.get("apikey") ?? deps.anonKey;
      const bearer = req.headers.get("authorization") ?? `Bearer ${apikey}`;
      const res = await rpc("get_event", { p_event_id: one[1] }, apikey, bearer);
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        return json(
          { code: res.status === 401 ? "not_authenticated" : "server_error", message: "the event could not be read" },
          { status: res.status === 401 ? 401 : 502 },
        );
      }
      const row = Array.isArray(body) ? (body[0] as IcsEvent | undefined) : undefined;
      if (!row || row.status === "draft") {
        return json({ code: "event_not_found", message: "no such event" }, { status: 404 });
      }
      const organizer = (row as unknown as { organizer?: { display_name?: string } }).organizer;
      return ics(
        eventsIcs([{ ...row, organizer_name: organizer?.display_name ?? null }], {
          name: row.title,
          now: deps.now?.(),
        }),
        `event-${row.id}.ics`,
        "private, no-cache",
      );
    }
    return json(
      { code: "not_found", message: "GET /calendar/feed/<token>.ics or /calendar/events/<id>.ics" },
      {
        status: 404,
      },
    );
  };
}

const env = (name: string) => Deno.env.get(name) ?? "";

export const handler = createCalendarHandler({
  url: env("SUPABASE_URL"),
  serviceKey: env("SUPABASE_SERVICE_ROLE_KEY"),
  anonKey: env("SUPABASE_ANON_KEY"),
});

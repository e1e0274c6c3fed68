/**
 * `@supasocial/client/events`: the events namespace, opt-in. It lives in its own entry point so the
 * core package stays within its 30 kB budget: apps with events add it to their client with
 * `withEvents`.
 *
 * @example
 * ```ts
 * import { createSupasocialClient } from '@supasocial/client'
 * import { withEvents } from '@supasocial/client/events'
 *
 * const social = withEvents(createSupasocialClient(supabase))
 * await social.events.rsvp(eventId, { status: 'going' })
 * ```
 */
import type { SupasocialClient } from "./client.ts";
import { createContext } from "./namespace.ts";
import { eventsNamespace } from "./namespaces/events.ts";

export * from "./namespaces/events.ts";

/**
 * What `client.events` holds: events, RSVPs, nearby search and calendar feeds.
 *
 * @example
 * ```ts
 * const events: EventsApi = withEvents(social).events
 * ```
 */
export type EventsApi = ReturnType<typeof eventsNamespace.create>;

/**
 * The client with `events` added (the same object: every other namespace is there too).
 *
 * @example
 * ```ts
 * const social: SupasocialEventsClient = withEvents(createSupasocialClient(supabase))
 * ```
 */
export type SupasocialEventsClient<C extends SupasocialClient = SupasocialClient> = C & { readonly events: EventsApi };

/**
 * Add the `events` namespace to a Supasocial client (idempotent); returns the same client, typed
 * with `events`.
 *
 * @example
 * ```ts
 * const social = withEvents(createSupasocialClient(supabase))
 * const { data } = await social.events.mine()
 * ```
 */
export function withEvents<C extends SupasocialClient>(client: C): SupasocialEventsClient<C> {
  const target = client as C & { events?: EventsApi };
  if (!target.events) {
    Object.defineProperty(target, "events", {
      value: eventsNamespace.create(createContext(client.supabase)),
      enumerable: true,
    });
  }
  return target as SupasocialEventsClient<C>;
}

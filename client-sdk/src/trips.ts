/**
 * `@supasocial/client/trips`: the trips namespace, opt-in. Trips carry their own Realtime
 * handling (live changes and presence), so they live in their own entry point and the core
 * package stays within its 30 kB budget: apps that plan trips add them with `withTrips`.
 *
 * @example
 * ```ts
 * import { createSupasocialClient } from '@supasocial/client'
 * import { withTrips } from '@supasocial/client/trips'
 *
 * const social = withTrips(createSupasocialClient(supabase))
 * const { data: trip } = await social.trips.create({ title: 'Lisbon' })
 * ```
 */
import type { SupasocialClient } from "./client.ts";
import { createContext } from "./namespace.ts";
import { tripsNamespace } from "./namespaces/trips.ts";

export * from "./namespaces/trips.ts";

/**
 * What `client.trips` holds: trips, members, links, the itinerary, the map and live changes.
 *
 * @example
 * ```ts
 * const trips: TripsApi = withTrips(social).trips
 * ```
 */
export type TripsApi = ReturnType<typeof tripsNamespace.create>;

/**
 * The client with `trips` added (the same object: every other namespace is there too).
 *
 * @example
 * ```ts
 * const social: SupasocialTripsClient = withTrips(createSupasocialClient(supabase))
 * ```
 */
export type SupasocialTripsClient<C extends SupasocialClient = SupasocialClient> = C & { readonly trips: TripsApi };

/**
 * Add the `trips` namespace to a Supasocial client (idempotent); returns the same client, typed
 * with `trips`.
 *
 * @example
 * ```ts
 * const social = withTrips(createSupasocialClient(supabase))
 * const { data: page } = await social.trips.mine()
 * ```
 */
export function withTrips<C extends SupasocialClient>(client: C): SupasocialTripsClient<C> {
  const target = client as C & { trips?: TripsApi };
  if (!target.trips) {
    Object.defineProperty(target, "trips", {
      value: tripsNamespace.create(createContext(client.supabase)),
      enumerable: true,
    });
  }
  return target as SupasocialTripsClient<C>;
}

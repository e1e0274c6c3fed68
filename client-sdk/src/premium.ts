/**
 * `@supasocial/client/premium`: the premium namespace, opt-in (its own entry point keeps the core
 * package within its size budget): apps that sell tiers and tickets add it with `withPremium`.
 *
 * @example
 * ```ts
 * import { createSupasocialClient } from '@supasocial/client'
 * import { withPremium } from '@supasocial/client/premium'
 *
 * const social = withPremium(createSupasocialClient(supabase))
 * const { data: me } = await social.premium.entitlements()
 * ```
 */
import type { SupasocialClient } from "./client.ts";
import { createContext } from "./namespace.ts";
import { premiumNamespace } from "./namespaces/premium.ts";

export * from "./namespaces/premium.ts";

/**
 * What `client.premium` holds: plans, entitlements, purchases and the customer portal.
 *
 * @example
 * ```ts
 * const premium: PremiumApi = withPremium(social).premium
 * ```
 */
export type PremiumApi = ReturnType<typeof premiumNamespace.create>;

/**
 * The client with `premium` added (the same object).
 *
 * @example
 * ```ts
 * const social: SupasocialPremiumClient = withPremium(createSupasocialClient(supabase))
 * ```
 */
export type SupasocialPremiumClient<C extends SupasocialClient = SupasocialClient> = C & {
  readonly premium: PremiumApi;
};

/**
 * Add the `premium` namespace to a Supasocial client (idempotent); returns the same client.
 *
 * @example
 * ```ts
 * const social = withPremium(createSupasocialClient(supabase))
 * const { data: plans } = await social.premium.plans()
 * ```
 */
export function withPremium<C extends SupasocialClient>(client: C): SupasocialPremiumClient<C> {
  const target = client as C & { premium?: PremiumApi };
  if (!target.premium) {
    Object.defineProperty(target, "premium", {
      value: premiumNamespace.create(createContext(client.supabase)),
      enumerable: true,
    });
  }
  return target as SupasocialPremiumClient<C>;
}

/**
 * Stripe for the premium functions: the client (fetch-based, as Deno needs; its API base movable by
 * STRIPE_API_BASE so tests and benchmarks answer with a local fake), the async crypto provider for
 * webhook signatures, and the reduction of Stripe objects to the state the database mirrors.
 */
import Stripe from "stripe";

export { Stripe };

/** Signature checks on the raw body need async crypto under Deno (Web Crypto). */
export const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * A Stripe client for `secretKey`. `apiBase` (STRIPE_API_BASE, e.g. `http://127.0.0.1:12111`) is
 * used only when set: production talks to api.stripe.com.
 */
export function stripeClient(secretKey: string, apiBase?: string): Stripe {
  const options: Stripe.StripeConfig = {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 1,
    timeout: 20_000,
  };
  if (apiBase) {
    const url = new URL(apiBase);
    options.host = url.hostname;
    options.port = url.port || (url.protocol === "https:" ? "443" : "80");
    options.protocol = url.protocol === "http:" ? "http" : "https";
  }
  return new Stripe(secretKey, options);
}

/** The client from the environment, or undefined when STRIPE_SECRET_KEY is not set. */
export function stripeFromEnv(): Stripe | undefined {
  const key = Deno.env.get("STRIPE_SECRET_KEY");
  if (!key) return undefined;
  return stripeClient(key, Deno.env.get("STRIPE_API_BASE") || undefined);
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === "string" ? value : value.id;

/** A subscription as social.apply_stripe_subscription takes it. */
export interface SubscriptionState {
  id: string;
  customer: string;
  status: string;
  price_id: string | null;
  user_id: string | null;
  current_period_start: number | null;
  current_period_end: number | null;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  trial_start: number | null;
  trial_end: number | null;
}

/** Reduce a Stripe subscription to what the database mirrors (periods live on its item). */
export function subscriptionState(sub: Stripe.Subscription): SubscriptionState {
  const item = sub.items?.data?.[0];
  const legacy = sub as unknown as { current_period_start?: number; current_period_end?: number };
  return {
    id: sub.id,
    customer: idOf(sub.customer) ?? "",
    status: sub.status,
    price_id: item?.price?.id ?? null,
    user_id: sub.metadata?.supasocial_user_id ?? null,
    current_period_start: item?.current_period_start ?? legacy.current_period_start ?? null,
    current_period_end: item?.current_period_end ?? legacy.current_period_end ?? null,
    cancel_at_period_end: sub.cancel_at_period_end,
    cancel_at: sub.cancel_at,
    canceled_at: sub.canceled_at,
    ended_at: sub.ended_at,
    trial_start: sub.trial_start,
    trial_end: sub.trial_end,
  };
}

/** A payment as social.apply_stripe_payment takes it. */
export interface PaymentState {
  payment_id: string | null;
  payment_intent_id: string | null;
  checkout_session_id: string | null;
  state: "open" | "succeeded" | "canceled" | "refunded";
}

/** Reduce a PaymentIntent (with `latest_charge` expanded) to its state: a full refund wins. */
export function paymentIntentState(pi: Stripe.PaymentIntent, sessionId: string | null = null): PaymentState {
  const charge = typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  const refunded =
    charge !== null && (charge.refunded || (charge.amount_refunded > 0 && charge.amount_refunded >= charge.amount));
  const state = refunded
    ? "refunded"
    : pi.status === "succeeded"
      ? "succeeded"
      : pi.status === "canceled"
        ? "canceled"
        : "open";
  return {
    payment_id: pi.metadata?.supasocial_payment_id ?? null,
    payment_intent_id: pi.id,
    checkout_session_id: sessionId,
    state,
  };
}

/** The subscription an invoice belongs to (new API: parent.subscription_details). */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const legacy = invoice as unknown as { subscription?: string | { id: string } | null };
  return idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(legacy.subscription);
}

export { idOf };

import { json } from "../_shared/cors.ts";
import { rpc, serviceDb } from "../_shared/premium-db.ts";
import {
  cryptoProvider,
  idOf,
  invoiceSubscriptionId,
  type PaymentState,
  paymentIntentState,
  Stripe,
  type SubscriptionState,
  stripeFromEnv,
  subscriptionState,
} from "../_shared/stripe.ts";

/** What the webhook applies: a subscription, a payment, or nothing (other events). */
export type Fetched =
  | { kind: "subscription"; object: SubscriptionState }
  | { kind: "payment"; object: PaymentState }
  | { kind: "other"; object: { id: string | null } };

/** The database calls of the webhook, injectable for tests. */
export interface WebhookDb {
  /** social.stripe_event_seen */
  seen(eventId: string): Promise<boolean>;
  /** social.apply_stripe_event: records the id once and applies the object, in one transaction. */
  apply(
    eventId: string,
    type: string,
    fetched: Fetched,
  ): Promise<{ outcome: string; payment_intent_id?: string | null }>;
}

export interface WebhookDeps {
  stripe?: Stripe;
  /** STRIPE_WEBHOOK_SECRET (whsec_...). */
  secret?: string;
  db?: WebhookDb;
  /** Seconds a signature stays valid (Stripe's default, 300). */
  tolerance?: number;
}

/**
 * Fetch the current state of the object an event is about, from Stripe: the webhook never trusts
 * the event's copy or the order events arrive in, so any order and any number of deliveries end in
 * the state Stripe holds.
 */
export async function fetchObject(stripe: Stripe, event: Stripe.Event): Promise<Fetched> {
  const object = event.data.object as unknown as Record<string, unknown> & { id?: string };
  const type = event.type;
  const expandPi = { expand: ["latest_charge"] };
  if (type.startsWith("customer.subscription.")) {
    return {
      kind: "subscription",
      object: subscriptionState(await stripe.subscriptions.retrieve(object.id as string)),
    };
  }
  if (type.startsWith("invoice.")) {
    const subId = invoiceSubscriptionId(object as unknown as Stripe.Invoice);
    if (!subId) return { kind: "other", object: { id: object.id ?? null } };
    return { kind: "subscription", object: subscriptionState(await stripe.subscriptions.retrieve(subId)) };
  }
  if (type.startsWith("checkout.session.")) {
    const session = await stripe.checkout.sessions.retrieve(object.id as string);
    if (session.mode === "subscription") {
      const subId = idOf(session.subscription);
      if (!subId) return { kind: "other", object: { id: session.id } };
      return { kind: "subscription", object: subscriptionState(await stripe.subscriptions.retrieve(subId)) };
    }
    const piId = idOf(session.payment_intent);
    if (piId) {
      return {
        kind: "payment",
        object: paymentIntentState(await stripe.paymentIntents.retrieve(piId, expandPi), session.id),
      };
    }
    return {
      kind: "payment",
      object: {
        payment_id: session.metadata?.supasocial_payment_id ?? null,
        payment_intent_id: null,
        checkout_session_id: session.id,
        state: session.status === "expired" ? "canceled" : "open",
      },
    };
  }
  if (type.startsWith("payment_intent.")) {
    return {
      kind: "payment",
      object: paymentIntentState(await stripe.paymentIntents.retrieve(object.id as string, expandPi)),
    };
  }
  if (type.startsWith("charge.") || type.startsWith("refund.")) {
    const piId = idOf(object.payment_intent as string | { id: string } | null);
    if (!piId) return { kind: "other", object: { id: object.id ?? null } };
    return { kind: "payment", object: paymentIntentState(await stripe.paymentIntents.retrieve(piId, expandPi)) };
  }
  return { kind: "other", object: { id: object.id ?? null } };
}

/** Refund a payment that succeeded after its seat was gone (idempotent by the PaymentIntent). */
export async function refundDue(stripe: Stripe, paymentIntentId: string): Promise<void> {
  await stripe.refunds.create(
    { payment_intent: paymentIntentId, metadata: { supasocial_reason: "seat_gone" } },
    { idempotencyKey: `refund-${paymentIntentId}` },
  );
}

/**
 * `POST /functions/v1/stripe-webhook`: Stripe's webhook endpoint. Verifies the signature on the
 * raw body (400 `invalid_signature`, nothing written, for a bad or stale one), answers a repeated
 * event id at once, fetches the object's current state from Stripe and applies it with the event id
 * in one transaction. A Stripe or database failure answers 5xx so Stripe delivers again.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  return async (req: Request): Promise<Response> => {
    if (req.method !== "POST") return json({ code: "method_not_allowed", message: "use POST" }, { status: 405 });
    if (!deps.stripe || !deps.secret || !deps.db) {
      return json(
        { code: "not_configured", message: "STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the database are not set" },
        { status: 503 },
      );
    }
    const body = await req.text();
    const signature = req.headers.get("stripe-signature") ?? "";
    let event: Stripe.Event;
    try {
      event = await deps.stripe.webhooks.constructEventAsync(
        body,
        signature,
        deps.secret,
        deps.tolerance,
        cryptoProvider,
      );
    } catch (error) {
      return json({ code: "invalid_signature", message: (error as Error).message }, { status: 400 });
    }
    try {
      if (await deps.db.seen(event.id)) return json({ received: true, outcome: "duplicate" });
      const fetched = await fetchObject(deps.stripe, event);
      const result = await deps.db.apply(event.id, event.type, fetched);
      if (result.outcome === "refund_due" && result.payment_intent_id) {
        // best effort: the reconciliation job refunds what this could not
        await refundDue(deps.stripe, result.payment_intent_id).catch(() => undefined);
      }
      return json({ received: true, outcome: result.outcome });
    } catch (error) {
      const status = error instanceof Stripe.errors.StripeError ? 502 : 500;
      return json({ code: "server_error", message: (error as Error).message }, { status });
    }
  };
}

/** The webhook's database calls over a service-role client. */
export function webhookDb(): WebhookDb | undefined {
  const client = serviceDb();
  if (!client) return undefined;
  return {
    seen: (eventId) => rpc<boolean>(client, "stripe_event_seen", { p_event_id: eventId }),
    apply: (eventId, type, fetched) =>
      rpc(client, "apply_stripe_event", {
        p_event_id: eventId,
        p_type: type,
        p_kind: fetched.kind,
        p_object: fetched.object,
      }),
  };
}

export const handler = createWebhookHandler({
  stripe: stripeFromEnv(),
  secret: Deno.env.get("STRIPE_WEBHOOK_SECRET"),
  db: webhookDb(),
});

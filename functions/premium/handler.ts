import type { SupabaseClient } from "@supabase/supabase-js";
import { z } from "zod";
import { corsHeaders, json } from "../_shared/cors.ts";
import { hasSecret } from "../_shared/media.ts";
import { callerDb, DbError, rpc, serviceDb } from "../_shared/premium-db.ts";
import {
  idOf,
  type PaymentState,
  paymentIntentState,
  Stripe,
  stripeFromEnv,
  subscriptionState,
} from "../_shared/stripe.ts";

/** Dependencies of the premium function, passed in so tests can call the handler directly. */
export interface PremiumDeps {
  stripe?: Stripe;
  /** The service-role database client (customers, Stripe ids, reconciliation). */
  service?: SupabaseClient;
  /** A database client acting as the caller (their Authorization header). */
  caller?: (authorization: string) => SupabaseClient | undefined;
  /** STRIPE_PUBLISHABLE_KEY, returned to mobile apps for PaymentSheet. */
  publishableKey?: string;
  /** Bearer secrets that may run the reconciliation job (service role key, CRON_SECRET). */
  jobSecrets: (string | undefined)[];
  /** Origins success/cancel/return URLs must be on (PREMIUM_REDIRECT_ORIGINS); empty: any http(s). */
  redirectOrigins?: string[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const key = z.string().regex(/^[A-Za-z0-9_:-]{8,100}$/);
const url = z.string().max(2000).url();
const promo = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const channel = z.enum(["mobile", "web"]).default("mobile");

export const subscribeInput = z.object({
  planId: z.string().min(1).max(64),
  channel,
  idempotencyKey: key,
  promoCode: promo.optional(),
  successUrl: url.optional(),
  cancelUrl: url.optional(),
  stripeVersion: z.string().max(40).optional(),
});
export const ticketInput = z.object({
  eventId: z.string().uuid(),
  guests: z.number().int().min(0).max(10).default(0),
  channel,
  idempotencyKey: key,
  promoCode: promo.optional(),
  successUrl: url.optional(),
  cancelUrl: url.optional(),
  stripeVersion: z.string().max(40).optional(),
});
export const boostInput = z.object({
  targetType: z.enum(["event", "profile"]),
  targetId: z.string().uuid(),
  hours: z.union([z.literal(24), z.literal(72), z.literal(168)]).default(24),
  channel,
  idempotencyKey: key,
  promoCode: promo.optional(),
  successUrl: url.optional(),
  cancelUrl: url.optional(),
  stripeVersion: z.string().max(40).optional(),
});
export const portalInput = z.object({ returnUrl: url });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new HttpError(
      400,
      "invalid_input",
      result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  return result.data;
}

function checkRedirects(deps: PremiumDeps, ...urls: (string | undefined)[]) {
  for (const u of urls) {
    if (u === undefined) continue;
    const parsed = new URL(u);
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw new HttpError(400, "invalid_input", "redirect URLs are http(s)");
    }
    if (deps.redirectOrigins?.length && !deps.redirectOrigins.includes(parsed.origin)) {
      throw new HttpError(400, "invalid_input", `redirect URLs must be on ${deps.redirectOrigins.join(", ")}`);
    }
  }
}

/** The signed-in caller: id, email and a client acting as them. */
async function caller(deps: PremiumDeps, req: Request) {
  const authorization = req.headers.get("authorization") ?? "";
  const client = authorization.startsWith("Bearer ") ? deps.caller?.(authorization) : undefined;
  if (!client) throw new HttpError(401, "not_authenticated", "sign in first");
  const { data, error } = await client.auth.getUser(authorization.slice("Bearer ".length).trim());
  if (error || !data.user) throw new HttpError(401, "not_authenticated", "sign in first");
  return { id: data.user.id, email: data.user.email ?? undefined, client };
}

/** The caller's Stripe customer, made (idempotently) and linked on first use. */
async function ensureCustomer(stripe: Stripe, service: SupabaseClient, user: { id: string; email?: string }) {
  const { data, error } = await service
    .schema("social")
    .from("billing_customers")
    .select("stripe_customer_id")
    .eq("user_id", user.id)
    .maybeSingle();
  if (error) throw new DbError("server_error", 500, error.message);
  if (data) return data.stripe_customer_id as string;
  const customer = await stripe.customers.create(
    { email: user.email, metadata: { supasocial_user_id: user.id } },
    { idempotencyKey: `customer-${user.id}` },
  );
  return await rpc<string>(service, "link_billing_customer", { p_user_id: user.id, p_customer_id: customer.id });
}

/** The active promotion code's id for `code`, or invalid_promo_code. */
async function promotionCodeId(stripe: Stripe, code: string): Promise<string> {
  const found = await stripe.promotionCodes.list({ code, active: true, limit: 1 });
  const id = found.data[0]?.id;
  if (!id) throw new HttpError(400, "invalid_promo_code", "unknown or inactive promo code");
  return id;
}

async function ephemeralKey(stripe: Stripe, customer: string, stripeVersion?: string) {
  const made = await stripe.ephemeralKeys.create({ customer }, { apiVersion: stripeVersion ?? Stripe.API_VERSION });
  return made.secret ?? null;
}

/**
 * The redirect and channel checks of a purchase's input: http(s) redirects on the allowed origins,
 * both of them for a web checkout, and (for one-off payments, `promoFor` naming what is bought) no
 * promo code on mobile, where PaymentSheet takes none.
 */
function checkCheckoutInput(
  deps: PremiumDeps,
  input: { channel: "mobile" | "web"; successUrl?: string; cancelUrl?: string; promoCode?: string },
  promoFor?: string,
) {
  checkRedirects(deps, input.successUrl, input.cancelUrl);
  if (input.channel === "web" && (!input.successUrl || !input.cancelUrl)) {
    throw new HttpError(400, "invalid_input", "a web checkout needs successUrl and cancelUrl");
  }
  if (promoFor && input.channel === "mobile" && input.promoCode) {
    throw new HttpError(400, "invalid_promo_code", `promo codes for ${promoFor} are taken by the web checkout`);
  }
}

type Row = Record<string, unknown>;

async function subscribe(deps: PremiumDeps, stripe: Stripe, service: SupabaseClient, req: Request, body: unknown) {
  const input = parse(subscribeInput, body);
  checkCheckoutInput(deps, input);
  const user = await caller(deps, req);
  const [plan] = await rpc<Row[]>(user.client, "subscription_checkout", {
    p_plan_id: input.planId,
    p_promo_code: input.promoCode ?? null,
  });
  const customer = await ensureCustomer(stripe, service, user);
  const discounts = input.promoCode ? [{ promotion_code: await promotionCodeId(stripe, input.promoCode) }] : undefined;
  const metadata = { supasocial_user_id: user.id, supasocial_plan_id: String(plan!.plan_id) };
  const trial = Number(plan!.trial_days) > 0 ? Number(plan!.trial_days) : undefined;
  const idempotencyKey = `subscribe-${user.id}-${input.channel}-${input.idempotencyKey}`;
  if (input.channel === "web") {
    const session = await stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer,
        client_reference_id: user.id,
        line_items: [{ price: String(plan!.stripe_price_id), quantity: 1 }],
        subscription_data: { metadata, trial_period_days: trial },
        metadata,
        success_url: input.successUrl!,
        cancel_url: input.cancelUrl!,
        ...(discounts ? { discounts } : { allow_promotion_codes: true }),
      },
      { idempotencyKey },
    );
    return { channel: "web", url: session.url, checkoutSessionId: session.id };
  }
  const sub = await stripe.subscriptions.create(
    {
      customer,
      items: [{ price: String(plan!.stripe_price_id) }],
      trial_period_days: trial,
      payment_behavior: "default_incomplete",
      payment_settings: { save_default_payment_method: "on_subscription" },
      expand: ["latest_invoice.confirmation_secret", "pending_setup_intent"],
      metadata,
      discounts,
    },
    { idempotencyKey },
  );
  // mirror it now (incomplete or trialing): the webhook confirms it either way
  await rpc(service, "apply_stripe_subscription", { p_sub: subscriptionState(sub) });
  const invoice = typeof sub.latest_invoice === "object" ? sub.latest_invoice : null;
  const setup = typeof sub.pending_setup_intent === "object" ? sub.pending_setup_intent : null;
  return {
    channel: "mobile",
    subscriptionId: sub.id,
    status: sub.status,
    customerId: customer,
    ephemeralKey: await ephemeralKey(stripe, customer, input.stripeVersion),
    paymentIntentClientSecret: invoice?.confirmation_secret?.client_secret ?? null,
    setupIntentClientSecret: setup?.client_secret ?? null,
    publishableKey: deps.publishableKey ?? null,
  };
}

async function ticket(deps: PremiumDeps, stripe: Stripe, service: SupabaseClient, req: Request, body: unknown) {
  const input = parse(ticketInput, body);
  checkCheckoutInput(deps, input, "tickets");
  const user = await caller(deps, req);
  const [purchase] = await rpc<Row[]>(user.client, "start_ticket_purchase", {
    p_event_id: input.eventId,
    p_guests: input.guests,
    p_idempotency_key: input.idempotencyKey,
    p_channel: input.channel,
    p_promo_code: input.promoCode ?? null,
  });
  const p = purchase!;
  if (p.waitlisted) {
    return { status: "waitlisted", eventId: input.eventId, waitlistPosition: p.waitlist_position };
  }
  const base = {
    paymentId: p.payment_id,
    eventId: input.eventId,
    status: p.status,
    amountCents: p.amount_cents,
    currency: p.currency,
    seats: p.seats,
    holdExpiresAt: p.hold_expires_at,
  };
  if (p.status !== "open") return base;
  return {
    ...base,
    ...(await pay(deps, stripe, service, user, input, {
      kind: "ticket",
      paymentId: String(p.payment_id),
      amountCents: Number(p.amount_cents),
      currency: String(p.currency),
      quantity: Number(p.seats),
      title: String(p.event_title ?? "Ticket"),
      expiresAt: p.hold_expires_at ? String(p.hold_expires_at) : null,
      metadata: { supasocial_event_id: input.eventId },
    })),
  };
}

interface Payable {
  kind: "ticket" | "boost";
  paymentId: string;
  amountCents: number;
  currency: string;
  quantity: number;
  title: string;
  /** When the Checkout Session must expire (a ticket's hold). */
  expiresAt: string | null;
  metadata: Record<string, string>;
}

/**
 * Ask Stripe for an open payment: a PaymentIntent with PaymentSheet's secrets (mobile) or a Checkout
 * Session (web), idempotent by the payment id. A Stripe refusal releases the payment (and its hold).
 */
async function pay(
  deps: PremiumDeps,
  stripe: Stripe,
  service: SupabaseClient,
  user: { id: string; email?: string },
  input: {
    channel: "mobile" | "web";
    promoCode?: string;
    successUrl?: string;
    cancelUrl?: string;
    stripeVersion?: string;
  },
  p: Payable,
) {
  const metadata = {
    supasocial_payment_id: p.paymentId,
    supasocial_user_id: user.id,
    supasocial_kind: p.kind,
    ...p.metadata,
  };
  try {
    const customer = await ensureCustomer(stripe, service, user);
    if (input.channel === "web") {
      const discounts = input.promoCode
        ? [{ promotion_code: await promotionCodeId(stripe, input.promoCode) }]
        : undefined;
      const session = await stripe.checkout.sessions.create(
        {
          mode: "payment",
          customer,
          client_reference_id: user.id,
          line_items: [
            {
              price_data: {
                currency: p.currency.toLowerCase(),
                unit_amount: Math.round(p.amountCents / p.quantity),
                product_data: { name: p.title },
              },
              quantity: p.quantity,
            },
          ],
          payment_intent_data: { metadata },
          metadata,
          ...(p.expiresAt ? { expires_at: Math.floor(new Date(p.expiresAt).getTime() / 1000) } : {}),
          success_url: input.successUrl!,
          cancel_url: input.cancelUrl!,
          ...(discounts ? { discounts } : { allow_promotion_codes: true }),
        },
        { idempotencyKey: `${p.kind}-${p.paymentId}-web` },
      );
      await rpc(service, "attach_stripe_payment", {
        p_payment_id: p.paymentId,
        p_payment_intent_id: null,
        p_checkout_session_id: session.id,
      });
      return { channel: "web" as const, url: session.url, checkoutSessionId: session.id };
    }
    const intent = await stripe.paymentIntents.create(
      {
        amount: p.amountCents,
        currency: p.currency.toLowerCase(),
        customer,
        automatic_payment_methods: { enabled: true },
        description: p.title,
        metadata,
      },
      { idempotencyKey: `${p.kind}-${p.paymentId}-mobile` },
    );
    await rpc(service, "attach_stripe_payment", {
      p_payment_id: p.paymentId,
      p_payment_intent_id: intent.id,
      p_checkout_session_id: null,
    });
    return {
      channel: "mobile" as const,
      customerId: customer,
      ephemeralKey: await ephemeralKey(stripe, customer, input.stripeVersion),
      paymentIntentClientSecret: intent.client_secret,
      publishableKey: deps.publishableKey ?? null,
    };
  } catch (error) {
    if (
      (error instanceof HttpError && error.code === "invalid_promo_code") ||
      error instanceof Stripe.errors.StripeError
    ) {
      await rpc(service, "release_payment", { p_payment_id: p.paymentId });
    }
    throw error;
  }
}

async function boost(deps: PremiumDeps, stripe: Stripe, service: SupabaseClient, req: Request, body: unknown) {
  const input = parse(boostInput, body);
  checkCheckoutInput(deps, input, "boosts");
  const user = await caller(deps, req);
  const [purchase] = await rpc<Row[]>(user.client, "start_boost_purchase", {
    p_target_type: input.targetType,
    p_target_id: input.targetId,
    p_hours: input.hours,
    p_idempotency_key: input.idempotencyKey,
    p_channel: input.channel,
  });
  const p = purchase!;
  const base = {
    paymentId: p.payment_id,
    targetType: input.targetType,
    targetId: input.targetId,
    hours: p.hours,
    status: p.status,
    amountCents: p.amount_cents,
    currency: p.currency,
  };
  if (p.status !== "open") return base;
  return {
    ...base,
    ...(await pay(deps, stripe, service, user, input, {
      kind: "boost",
      paymentId: String(p.payment_id),
      amountCents: Number(p.amount_cents),
      currency: String(p.currency),
      quantity: 1,
      title: String(p.target_title ?? "Boost"),
      expiresAt: null,
      metadata: { supasocial_target: `${input.targetType}:${input.targetId}` },
    })),
  };
}

async function portal(deps: PremiumDeps, stripe: Stripe, service: SupabaseClient, req: Request, body: unknown) {
  const input = parse(portalInput, body);
  checkRedirects(deps, input.returnUrl);
  const user = await caller(deps, req);
  const customer = await ensureCustomer(stripe, service, user);
  const session = await stripe.billingPortal.sessions.create({ customer, return_url: input.returnUrl });
  return { url: session.url };
}

/** What one reconciliation run repaired. */
export interface ReconcileResult {
  subscriptions: number;
  payments: number;
  refunds: number;
  expiredHolds: number;
}

/**
 * Repair state after missed webhooks: every linked customer's subscriptions as Stripe lists them
 * (status all), every payment still open, expired or refund_due as its PaymentIntent or Checkout
 * Session stands (refunding those that are due), then expire the ticket holds that ran out.
 */
export async function reconcile(stripe: Stripe, service: SupabaseClient, limit = 500): Promise<ReconcileResult> {
  const result: ReconcileResult = { subscriptions: 0, payments: 0, refunds: 0, expiredHolds: 0 };
  const { data: customers, error } = await service
    .schema("social")
    .from("billing_customers")
    .select("stripe_customer_id")
    .order("created_at", { ascending: false })
    .limit(limit);
  if (error) throw new DbError("server_error", 500, error.message);
  for (const c of customers ?? []) {
    const subs = await stripe.subscriptions.list({ customer: c.stripe_customer_id, status: "all", limit: 20 });
    for (const sub of subs.data) {
      if ((await rpc<string>(service, "apply_stripe_subscription", { p_sub: subscriptionState(sub) })) === "applied") {
        result.subscriptions++;
      }
    }
  }
  const payments = await rpc<Row[]>(service, "payments_to_reconcile", { p_limit: limit });
  for (const p of payments) {
    let state: PaymentState;
    if (p.stripe_payment_intent_id) {
      const pi = await stripe.paymentIntents.retrieve(String(p.stripe_payment_intent_id), {
        expand: ["latest_charge"],
      });
      state = paymentIntentState(pi);
    } else {
      const session = await stripe.checkout.sessions.retrieve(String(p.stripe_checkout_session_id));
      const piId = idOf(session.payment_intent);
      state = piId
        ? paymentIntentState(await stripe.paymentIntents.retrieve(piId, { expand: ["latest_charge"] }), session.id)
        : {
            payment_id: String(p.payment_id),
            payment_intent_id: null,
            checkout_session_id: session.id,
            state: session.status === "expired" ? ("canceled" as const) : ("open" as const),
          };
    }
    const applied = await rpc<{ outcome: string; payment_intent_id?: string }>(service, "apply_stripe_payment", {
      p_payment: { ...state, payment_id: String(p.payment_id) },
    });
    if (applied.outcome !== p.status) result.payments++;
    if (applied.outcome === "refund_due" && applied.payment_intent_id) {
      await stripe.refunds.create(
        { payment_intent: applied.payment_intent_id, metadata: { supasocial_reason: "seat_gone" } },
        { idempotencyKey: `refund-${applied.payment_intent_id}` },
      );
      result.refunds++;
    }
  }
  result.expiredHolds = await rpc<number>(service, "expire_ticket_holds", {});
  return result;
}

/**
 * `POST /functions/v1/premium/<action>`: `subscribe`, `ticket`, `boost` and `portal` for the signed-in caller
 * (their Authorization header); `reconcile` for a scheduler (Bearer service role key or CRON_SECRET).
 * Errors answer `{ code, message }` with a code of the error list.
 */
export function createPremiumHandler(deps: PremiumDeps) {
  return async (req: Request): Promise<Response> => {
    if (req.method === "OPTIONS") return new Response("ok", { headers: corsHeaders });
    if (req.method !== "POST") return json({ code: "method_not_allowed", message: "use POST" }, { status: 405 });
    const action = new URL(req.url).pathname.split("/").filter(Boolean).at(-1) ?? "";
    if (!["subscribe", "ticket", "boost", "portal", "reconcile"].includes(action)) {
      return json({ code: "not_found", message: "subscribe, ticket, boost, portal or reconcile" }, { status: 404 });
    }
    const stripe = deps.stripe;
    const service = deps.service;
    if (!stripe || !service) {
      return json(
        {
          code: "payment_unavailable",
          message: "STRIPE_SECRET_KEY, SUPABASE_URL and the service role key are not set",
        },
        { status: 503 },
      );
    }
    try {
      if (action === "reconcile") {
        if (!hasSecret(req, deps.jobSecrets)) {
          return json(
            { code: "not_authenticated", message: "a service role key or CRON_SECRET is required" },
            { status: 401 },
          );
        }
        return json(await reconcile(stripe, service));
      }
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        throw new HttpError(400, "invalid_input", "the body is JSON");
      }
      if (action === "subscribe") return json(await subscribe(deps, stripe, service, req, body));
      if (action === "ticket") return json(await ticket(deps, stripe, service, req, body));
      if (action === "boost") return json(await boost(deps, stripe, service, req, body));
      return json(await portal(deps, stripe, service, req, body));
    } catch (error) {
      if (error instanceof HttpError || error instanceof DbError) {
        return json({ code: error.code, message: error.message }, { status: error.status });
      }
      if (error instanceof Stripe.errors.StripeError) {
        return json({ code: "payment_unavailable", message: error.message }, { status: 503 });
      }
      return json({ code: "server_error", message: (error as Error).message }, { status: 500 });
    }
  };
}

export const handler = createPremiumHandler({
  stripe: stripeFromEnv(),
  service: serviceDb(),
  caller: callerDb,
  publishableKey: Deno.env.get("STRIPE_PUBLISHABLE_KEY"),
  jobSecrets: [
    Deno.env.get("SUPABASE_SERVICE_ROLE_KEY"),
    Deno.env.get("SUPABASE_SECRET_KEY"),
    Deno.env.get("CRON_SECRET"),
  ],
  redirectOrigins: (Deno.env.get("PREMIUM_REDIRECT_ORIGINS") ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean),
});

/**
 * `client.premium` (opt-in through `@supasocial/client/premium`): the plan catalog, my
 * entitlements, the tier shown on profiles, and purchases through the `premium` edge function
 * (subscriptions, event tickets, the customer portal) for PaymentSheet on mobile or a Checkout
 * redirect on the web. Card data never touches Supasocial: Stripe takes it.
 */
import * as z from "zod/mini";
import { isSupasocialErrorCode } from "../error-status.ts";
import { SupasocialError, toSupasocialError } from "../errors.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { fail, failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { parseInput, UuidSchema } from "../validation.ts";
import { ts } from "./shared.ts";

/**
 * A plan of the catalog.
 *
 * @example
 * ```ts
 * const { data: plans } = await social.premium.plans()
 * plans!.map((p: Plan) => `${p.name}: ${p.amountCents / 100} ${p.currency}/${p.interval}`)
 * ```
 */
export interface Plan {
  id: string;
  tier: string;
  name: string;
  interval: "month" | "year";
  amountCents: number;
  currency: string;
  trialDays: number;
  benefits: string[];
}

/**
 * What I hold now: my tier, its benefits and when it renews.
 *
 * @example
 * ```ts
 * const { data: me } = await social.premium.entitlements()
 * if (me?.benefits.includes('exclusive_events')) showExclusive()
 * ```
 */
export interface Entitlements {
  tier: string;
  tierRank: number;
  tierName: string;
  planId: string | null;
  /** trialing, active or past_due (a failed payment's grace). */
  status: string;
  benefits: string[];
  /** The next renewal; null when it will not renew (cancelled at period end, past due). */
  renewsAt: string | null;
  cancelAtPeriodEnd: boolean;
  trialEndsAt: string | null;
  /** A payment failed and the grace period is running. */
  inGrace: boolean;
}

/** Where a purchase is paid: PaymentSheet in a mobile app, or a Checkout page on the web. */
export type PurchaseChannel = "mobile" | "web";

/**
 * What PaymentSheet needs (mobile) or where to send the browser (web).
 *
 * @example
 * ```ts
 * const { data: pay } = await social.premium.subscribe({ planId: 'plus-monthly' })
 * if (pay!.channel === 'mobile') await initPaymentSheet({ customerId: pay!.customerId!, customerEphemeralKeySecret: pay!.ephemeralKey! })
 * ```
 */
export interface PaymentHandoff {
  channel: PurchaseChannel;
  /** web: the Checkout Session URL to open. */
  url?: string | null;
  customerId?: string | null;
  ephemeralKey?: string | null;
  paymentIntentClientSecret?: string | null;
  /** A subscription with a free trial collects a card with a SetupIntent instead. */
  setupIntentClientSecret?: string | null;
  publishableKey?: string | null;
}

/**
 * A started subscription (status incomplete or trialing until Stripe confirms it).
 *
 * @example
 * ```ts
 * const { data } = await social.premium.subscribe({ planId: 'plus-monthly' })
 * console.log((data as SubscriptionPurchase).subscriptionId)
 * ```
 */
export interface SubscriptionPurchase extends PaymentHandoff {
  subscriptionId?: string;
  status?: string;
  checkoutSessionId?: string;
}

/**
 * A ticket purchase: seats held until `holdExpiresAt` while the payment is open, or a place on the
 * waitlist when sold out.
 *
 * @example
 * ```ts
 * const { data: t } = await social.premium.buyTicket(eventId)
 * if (t!.status === 'waitlisted') toast(`You are number ${t!.waitlistPosition}`)
 * ```
 */
export interface TicketPurchase extends PaymentHandoff {
  status: "open" | "succeeded" | "waitlisted" | "expired" | "canceled" | "refund_due" | "refunded";
  eventId: string;
  paymentId?: string | null;
  amountCents?: number | null;
  currency?: string | null;
  seats?: number;
  holdExpiresAt?: string | null;
  waitlistPosition?: number | null;
  checkoutSessionId?: string;
}

/**
 * A boost purchase: the window starts when the payment succeeds.
 *
 * @example
 * ```ts
 * const { data: b } = await social.premium.buyBoost({ targetType: 'profile', targetId: me.id, hours: 72 })
 * console.log((b as BoostPurchase).amountCents)
 * ```
 */
export interface BoostPurchase extends PaymentHandoff {
  status: "open" | "succeeded" | "canceled" | "refunded";
  paymentId: string;
  targetType: "event" | "profile";
  targetId: string;
  hours: number;
  amountCents: number;
  currency: string;
  checkoutSessionId?: string;
}

/**
 * A boosted event or profile to show first, marked as promoted until `boostedUntil`.
 *
 * @example
 * ```ts
 * const { data } = await social.premium.boostedEvents()
 * data!.map((e: BoostedEvent) => `${e.title} (promoted)`)
 * ```
 */
export interface BoostedEvent {
  id: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  locationName: string | null;
  coverPath: string | null;
  groupId: string | null;
  organizerId: string;
  /** Always true: show it marked as promoted. */
  promoted: true;
  boostedUntil: string;
}

/**
 * A boosted profile to show first, marked as promoted until `boostedUntil`.
 *
 * @example
 * ```ts
 * const { data } = await social.premium.boostedProfiles()
 * data!.map((p: BoostedProfile) => p.handle)
 * ```
 */
export interface BoostedProfile {
  id: string;
  handle: string;
  displayName: string;
  avatarPath: string | null;
  promoted: true;
  boostedUntil: string;
}

const Channel = z.optional(z.enum(["mobile", "web"]));
const Key = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_:-]{8,100}$/)));
const Promo = z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)));
const Url = z.optional(z.url());

/**
 * Options of `premium.subscribe`.
 *
 * @example
 * ```ts
 * SubscribeInputSchema.parse({ planId: 'plus-monthly', channel: 'web', successUrl: 'https://app/ok', cancelUrl: 'https://app/no' })
 * ```
 */
export const SubscribeInputSchema = z.object({
  planId: z.string().check(z.minLength(1), z.maxLength(64)),
  channel: Channel,
  promoCode: Promo,
  successUrl: Url,
  cancelUrl: Url,
  idempotencyKey: Key,
  stripeVersion: z.optional(z.string().check(z.maxLength(40))),
});
/** Options of `premium.subscribe`. */
export type SubscribeInput = z.input<typeof SubscribeInputSchema>;

/**
 * Options of `premium.buyTicket`.
 *
 * @example
 * ```ts
 * TicketInputSchema.parse({ guests: 1 })
 * ```
 */
export const TicketInputSchema = z.object({
  guests: z.optional(z.int().check(z.gte(0), z.lte(10))),
  channel: Channel,
  promoCode: Promo,
  successUrl: Url,
  cancelUrl: Url,
  idempotencyKey: Key,
  stripeVersion: z.optional(z.string().check(z.maxLength(40))),
});
/** Options of `premium.buyTicket`. */
export type TicketInput = z.input<typeof TicketInputSchema>;

/**
 * Options of `premium.buyBoost`.
 *
 * @example
 * ```ts
 * BoostInputSchema.parse({ targetType: 'event', targetId: '2b1f0c6e-6a8f-4a57-9f2e-9e2a1d3c4b5a', hours: 24 })
 * ```
 */
export const BoostInputSchema = z.object({
  targetType: z.enum(["event", "profile"]),
  targetId: UuidSchema,
  hours: z.optional(z.union([z.literal(24), z.literal(72), z.literal(168)])),
  channel: Channel,
  promoCode: Promo,
  successUrl: Url,
  cancelUrl: Url,
  idempotencyKey: Key,
  stripeVersion: z.optional(z.string().check(z.maxLength(40))),
});
/** Options of `premium.buyBoost`. */
export type BoostInput = z.input<typeof BoostInputSchema>;

const limitSchema = z.optional(z.int().check(z.gte(1), z.lte(50)));

/** A fresh idempotency key (pass your own to retry the same purchase after a dropped answer). */
function newKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `k${Date.now().toString(36)}${Math.random().toString(36).slice(2, 14)}`;
}

/** Call the premium edge function; its JSON, or its `{ code, message }` as a SupasocialError. */
async function invoke<T>(ctx: NamespaceContext, action: string, body: unknown): Promise<SupasocialResult<T>> {
  const { data, error } = await ctx.supabase.functions.invoke(`premium/${action}`, {
    body: body as Record<string, unknown>,
  });
  if (!error) return ok(data as T);
  const response = (error as { context?: unknown }).context;
  if (response instanceof Response) {
    let payload: { code?: unknown; message?: unknown } = {};
    try {
      payload = await response.json();
    } catch {
      // not JSON: the status decides
    }
    const code = isSupasocialErrorCode(payload.code)
      ? payload.code
      : response.status === 503
        ? "payment_unavailable"
        : null;
    if (code) {
      return fail(
        new SupasocialError({
          code,
          status: response.status,
          message: typeof payload.message === "string" ? payload.message : code,
          cause: error,
        }),
      );
    }
    return fail(toSupasocialError(error, { status: response.status }));
  }
  return fail(toSupasocialError(error));
}

type Row = Record<string, unknown>;

function toPlan(r: Row): Plan {
  return {
    id: String(r.id),
    tier: String(r.tier),
    name: String(r.name),
    interval: r.interval as Plan["interval"],
    amountCents: Number(r.amount_cents),
    currency: String(r.currency),
    trialDays: Number(r.trial_days),
    benefits: (r.benefits as string[]) ?? [],
  };
}

/**
 * `client.premium`: plans, entitlements, purchases and the customer portal.
 *
 * @example
 * ```ts
 * import { withPremium } from '@supasocial/client/premium'
 * const { data: me } = await withPremium(social).premium.entitlements()
 * ```
 */
export const premiumNamespace = defineNamespace("premium", (ctx: NamespaceContext) => ({
  /**
   * The plans on offer (active ones), cheapest first.
   *
   * @example
   * ```ts
   * const { data: plans } = await social.premium.plans()
   * ```
   */
  plans(): Promise<SupasocialResult<Plan[]>> {
    return settle(async () => {
      const response = await ctx.social
        .from("plans")
        .select("id, tier, name, interval, amount_cents, currency, trial_days, benefits")
        .order("sort_order")
        .order("amount_cents");
      if (response.error) return failFrom(response);
      return ok((response.data as Row[]).map(toPlan));
    });
  },

  /**
   * My entitlement now (null: no premium): tier, benefits, renewal date, trial end, grace.
   *
   * @example
   * ```ts
   * const { data: me } = await social.premium.entitlements()
   * const renews = me?.renewsAt
   * ```
   */
  entitlements(): Promise<SupasocialResult<Entitlements | null>> {
    return settle(async () => {
      const response = await ctx.social.rpc("my_entitlements");
      if (response.error) return failFrom(response);
      const r = (response.data as Row[] | null)?.[0];
      if (!r) return ok(null);
      return ok({
        tier: String(r.tier),
        tierRank: Number(r.tier_rank),
        tierName: String(r.tier_name),
        planId: (r.plan_id as string | null) ?? null,
        status: String(r.status),
        benefits: (r.benefits as string[]) ?? [],
        renewsAt: ts(r.renews_at as string | null),
        cancelAtPeriodEnd: r.cancel_at_period_end === true,
        trialEndsAt: ts(r.trial_ends_at as string | null),
        inGrace: r.in_grace === true,
      });
    });
  },

  /**
   * Whether I hold `tier` (or a higher one) now.
   *
   * @example
   * ```ts
   * const { data: isPlus } = await social.premium.hasTier('plus')
   * ```
   */
  hasTier(tier: string): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const response = await ctx.social.rpc("has_tier", { p_tier: tier });
      return response.error ? failFrom(response) : ok(response.data === true);
    });
  },

  /**
   * The premium tier shown on each of these profiles (only where its owner allows it).
   *
   * @example
   * ```ts
   * const { data: badges } = await social.premium.badges([ana.id, ben.id])
   * ```
   */
  badges(userIds: string[]): Promise<SupasocialResult<{ userId: string; tier: string; tierName: string }[]>> {
    return settle(async () => {
      const ids = parseInput(z.array(UuidSchema).check(z.maxLength(100)), userIds, "userIds");
      if (ids.error) return ids;
      const response = await ctx.social.rpc("premium_badges", { p_user_ids: ids.data });
      if (response.error) return failFrom(response);
      return ok(
        ((response.data as Row[]) ?? []).map((r) => ({
          userId: String(r.user_id),
          tier: String(r.tier),
          tierName: String(r.tier_name),
        })),
      );
    });
  },

  /**
   * Show or hide my premium tier on my profile (hidden until switched on).
   *
   * @example
   * ```ts
   * await social.premium.showTier(true)
   * ```
   */
  showTier(show: boolean): Promise<SupasocialResult<boolean>> {
    return settle(async () => {
      const input = parseInput(z.boolean(), show, "show");
      if (input.error) return input;
      const response = await ctx.social.rpc("set_premium_preferences", { p_show_tier: input.data });
      if (response.error) return failFrom(response);
      return ok((response.data as Row | null)?.show_tier === true);
    });
  },

  /**
   * Start a subscription: mobile answers what PaymentSheet needs (customer, ephemeral key, and the
   * PaymentIntent client secret, or a SetupIntent's for a plan with a trial); web answers a Checkout
   * URL. `already_subscribed` when I have one (use `portal`), `plan_not_found`, `invalid_promo_code`.
   *
   * @example
   * ```ts
   * const { data: pay } = await social.premium.subscribe({ planId: 'plus-monthly', promoCode: 'LAUNCH' })
   * ```
   */
  subscribe(input: SubscribeInput): Promise<SupasocialResult<SubscriptionPurchase>> {
    return settle(async () => {
      const parsed = parseInput(SubscribeInputSchema, input, "subscribe");
      if (parsed.error) return parsed;
      return invoke<SubscriptionPurchase>(ctx, "subscribe", {
        ...parsed.data,
        idempotencyKey: parsed.data.idempotencyKey ?? newKey(),
      });
    });
  },

  /**
   * Buy a ticket for me and up to 10 guests: the seats are held while I pay (PaymentSheet on
   * mobile, a Checkout URL on the web); when sold out I join the waitlist (`status: 'waitlisted'`)
   * and get a hold to pay for when a seat frees up.
   *
   * @example
   * ```ts
   * const { data: t } = await social.premium.buyTicket(eventId, { guests: 1 })
   * ```
   */
  buyTicket(eventId: string, input: TicketInput = {}): Promise<SupasocialResult<TicketPurchase>> {
    return settle(async () => {
      const id = parseInput(UuidSchema, eventId, "eventId");
      if (id.error) return id;
      const parsed = parseInput(TicketInputSchema, input, "ticket");
      if (parsed.error) return parsed;
      return invoke<TicketPurchase>(ctx, "ticket", {
        ...parsed.data,
        eventId: id.data,
        idempotencyKey: parsed.data.idempotencyKey ?? newKey(),
      });
    });
  },

  /**
   * Buy a boost of my profile or of an event I organize for 24, 72 or 168 hours: it starts when the
   * payment succeeds, shows the item first (marked as promoted) to those who may see it anyway, and
   * stops by itself.
   *
   * @example
   * ```ts
   * const { data: pay } = await social.premium.buyBoost({ targetType: 'event', targetId: eventId, hours: 72 })
   * ```
   */
  buyBoost(input: BoostInput): Promise<SupasocialResult<BoostPurchase>> {
    return settle(async () => {
      const parsed = parseInput(BoostInputSchema, input, "boost");
      if (parsed.error) return parsed;
      return invoke<BoostPurchase>(ctx, "boost", {
        ...parsed.data,
        hours: parsed.data.hours ?? 24,
        idempotencyKey: parsed.data.idempotencyKey ?? newKey(),
      });
    });
  },

  /**
   * Events boosted now that I may see (up to 50): show them first, marked as promoted.
   *
   * @example
   * ```ts
   * const { data: promoted } = await social.premium.boostedEvents({ limit: 3 })
   * ```
   */
  boostedEvents(options: { limit?: number } = {}): Promise<SupasocialResult<BoostedEvent[]>> {
    return settle(async () => {
      const limit = parseInput(limitSchema, options.limit, "limit");
      if (limit.error) return limit;
      const response = await ctx.social.rpc("boosted_events", { p_limit: limit.data ?? 10 });
      if (response.error) return failFrom(response);
      return ok(
        ((response.data as Row[]) ?? []).map((r) => ({
          id: String(r.id),
          title: String(r.title),
          startsAt: ts(r.starts_at as string)!,
          endsAt: ts(r.ends_at as string)!,
          timezone: String(r.timezone),
          locationName: (r.location_name as string | null) ?? null,
          coverPath: (r.cover_path as string | null) ?? null,
          groupId: (r.group_id as string | null) ?? null,
          organizerId: String(r.organizer_id),
          promoted: true as const,
          boostedUntil: ts(r.boosted_until as string)!,
        })),
      );
    });
  },

  /**
   * Profiles boosted now that I may see (never across a block): show them first, marked as promoted.
   *
   * @example
   * ```ts
   * const { data: promoted } = await social.premium.boostedProfiles()
   * ```
   */
  boostedProfiles(options: { limit?: number } = {}): Promise<SupasocialResult<BoostedProfile[]>> {
    return settle(async () => {
      const limit = parseInput(limitSchema, options.limit, "limit");
      if (limit.error) return limit;
      const response = await ctx.social.rpc("boosted_profiles", { p_limit: limit.data ?? 10 });
      if (response.error) return failFrom(response);
      return ok(
        ((response.data as Row[]) ?? []).map((r) => ({
          id: String(r.id),
          handle: String(r.handle),
          displayName: String(r.display_name),
          avatarPath: (r.avatar_path as string | null) ?? null,
          promoted: true as const,
          boostedUntil: ts(r.boosted_until as string)!,
        })),
      );
    });
  },

  /**
   * A Stripe customer portal URL, where I change my plan, card or cancel.
   *
   * @example
   * ```ts
   * const { data: portal } = await social.premium.portal('https://app.example/settings')
   * ```
   */
  portal(returnUrl: string): Promise<SupasocialResult<{ url: string }>> {
    return settle(async () => {
      const url = parseInput(z.url(), returnUrl, "returnUrl");
      if (url.error) return url;
      return invoke<{ url: string }>(ctx, "portal", { returnUrl: url.data });
    });
  },
}));

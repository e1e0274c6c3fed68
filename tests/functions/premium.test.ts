/**
 * Premium through the local stack: the `stripe-webhook` and `premium` edge functions against the
 * fake Stripe API the global setup started (scripts/lib/fake-stripe.ts, which checks every request
 * against the stripe library's param types), with webhooks signed locally by the stripe library.
 *
 * Every lifecycle (subscription: trial, active, past due, cancelled, resumed; ticket: paid, hold
 * expired, refunded; web checkout) is delivered three times in shuffled order and must reach the
 * state Stripe holds; bad and stale signatures are 400 with nothing written; no client writes
 * billing state through the Data API.
 */
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { withEvents } from "../../client-sdk/src/events.ts";
import { withPremium } from "../../client-sdk/src/premium.ts";
import { expectError, session, signUp, type TestUser, unwrap } from "../fixtures/sdk.ts";
import { api } from "../helpers/api.ts";
import { sql } from "../helpers/db.ts";

const fakeBase = () => inject("stripeApiBase");
const stripe = new Stripe(inject("stripeSecretKey"));

type Obj = Record<string, unknown> & { id: string };

async function fakeSet(...objects: Obj[]) {
  const res = await fetch(`${fakeBase()}/__fake/objects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ objects }),
  });
  expect(res.ok).toBe(true);
}
async function fakeGet(id: string): Promise<Obj> {
  return (await (await fetch(`${fakeBase()}/__fake/objects?id=${id}`)).json()) as Obj;
}
interface Recorded {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  violation: string | null;
}
async function fakeRequests(): Promise<Recorded[]> {
  return ((await (await fetch(`${fakeBase()}/__fake/requests`)).json()) as { requests: Recorded[] }).requests;
}

let seq = 0;
/** A Stripe event about `object` (its copy as of the event), with a fresh id. */
function event(type: string, object: Obj): { id: string; payload: string } {
  const id = `evt_${randomUUID().replace(/-/g, "")}${(seq++).toString(36)}`;
  const payload = JSON.stringify({
    id,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: structuredClone(object) },
  });
  return { id, payload };
}

async function deliver(
  e: { payload: string },
  opts: { secret?: string; timestamp?: number; header?: string | null } = {},
): Promise<Response> {
  const header =
    opts.header === undefined
      ? stripe.webhooks.generateTestHeaderString({
          payload: e.payload,
          secret: opts.secret ?? inject("stripeWebhookSecret"),
          timestamp: opts.timestamp,
        })
      : opts.header;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (header !== null) headers["stripe-signature"] = header;
  return fetch(`${api().url}/functions/v1/stripe-webhook`, { method: "POST", headers, body: e.payload });
}

const shuffled = <T>(items: T[]) => [...items].sort(() => Math.random() - 0.5);

/** Deliver every event three times, each round in a new random order; every answer is 200. */
async function replay(events: { id: string; payload: string }[]) {
  const outcomes: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (const e of shuffled(events)) {
      const res = await deliver(e);
      const body = (await res.json()) as { outcome?: string; message?: string };
      expect(res.status, body.message).toBe(200);
      outcomes.push(body.outcome ?? "");
    }
  }
  return outcomes;
}

function premium(user: TestUser) {
  return withPremium(user.client).premium;
}

beforeAll(async () => {
  await sql`insert into social.premium_tiers (tier, rank, name) values ('plus', 1, 'Plus'), ('pro', 2, 'Pro') on conflict do nothing`;
  await sql`
    insert into social.plans (id, tier, name, interval, stripe_price_id, amount_cents, currency, trial_days, benefits)
    values ('plus-monthly', 'plus', 'Plus', 'month', 'price_plus_monthly', 500, 'EUR', 7, '{exclusive_events}'),
           ('pro-monthly', 'pro', 'Pro', 'month', 'price_pro_monthly', 1500, 'EUR', 0, '{exclusive_events,visibility_boost}')
    on conflict do nothing`;
  await fakeSet({ id: "promo_launch", object: "promotion_code", code: "LAUNCH", active: true });
});

describe("stripe-webhook: signatures", () => {
  it("a bad, stale or missing signature is 400 invalid_signature and writes nothing", async () => {
    const ana = await signUp("ana");
    const sub = (await unwrapSubscribe(ana)).subscriptionId!;
    await sql`delete from social.subscriptions where stripe_subscription_id = ${sub}`;
    const obj = await fakeGet(sub);
    const attempts = [
      { name: "wrong secret", opts: { secret: "whsec_not_the_secret" } },
      { name: "stale (10 minutes old)", opts: { timestamp: Math.floor(Date.now() / 1000) - 600 } },
      { name: "no header", opts: { header: null } },
      { name: "garbage header", opts: { header: "t=1,v1=deadbeef" } },
    ];
    for (const a of attempts) {
      const e = event("customer.subscription.updated", obj);
      const res = await deliver(e, a.opts);
      expect([res.status, ((await res.json()) as { code: string }).code], a.name).toEqual([400, "invalid_signature"]);
      expect(await sql`select 1 from social_private.stripe_events where id = ${e.id}`, a.name).toHaveLength(0);
    }
    expect(await sql`select 1 from social.subscriptions where stripe_subscription_id = ${sub}`).toHaveLength(0);
    // the same event, signed with the secret, applies
    const good = event("customer.subscription.updated", obj);
    expect((await deliver(good)).status).toBe(200);
    expect(await sql`select status from social.subscriptions where stripe_subscription_id = ${sub}`).toEqual([
      { status: "trialing" },
    ]);
  });

  it("a tampered body fails the signature made for the original", async () => {
    const e = event("customer.created", { id: "cus_tampered" });
    const header = stripe.webhooks.generateTestHeaderString({
      payload: e.payload,
      secret: inject("stripeWebhookSecret"),
    });
    const res = await fetch(`${api().url}/functions/v1/stripe-webhook`, {
      method: "POST",
      headers: { "stripe-signature": header, "content-type": "application/json" },
      body: e.payload.replace("cus_tampered", "cus_tampere2"),
    });
    expect(res.status).toBe(400);
    await res.body?.cancel();
    expect(await sql`select 1 from social_private.stripe_events where id = ${e.id}`).toHaveLength(0);
  });
});

async function unwrapSubscribe(user: TestUser, planId = "plus-monthly") {
  return unwrap(await premium(user).subscribe({ planId }));
}

const hours = (h: number) => Math.floor(Date.now() / 1000 + h * 3600);

/** A Stripe subscription as the fake holds it, moved to `patch` (periods on its item). */
function snapshot(
  base: Obj,
  patch: { status: string; start?: number; end?: number; cancelAtPeriodEnd?: boolean },
): Obj {
  const copy = structuredClone(base) as Obj & { items: { data: Record<string, unknown>[] } };
  copy.status = patch.status;
  copy.cancel_at_period_end = patch.cancelAtPeriodEnd ?? false;
  copy.canceled_at = patch.status === "canceled" ? hours(0) : null;
  copy.ended_at = patch.status === "canceled" ? hours(0) : null;
  const item = copy.items.data[0]!;
  item.current_period_start = patch.start ?? hours(-1);
  item.current_period_end = patch.end ?? hours(24 * 30);
  return copy;
}

function invoiceFor(sub: Obj): Obj {
  return {
    id: `in_${randomUUID().replace(/-/g, "").slice(0, 16)}`,
    object: "invoice",
    parent: { type: "subscription_details", subscription_details: { subscription: sub.id } },
  };
}

describe("stripe-webhook: subscription lifecycles, three shuffled replays each", () => {
  const lifecycles: {
    name: string;
    steps: { type: string; patch: Parameters<typeof snapshot>[1] }[];
    expected: { status: string; tier: boolean; cancelAtPeriodEnd: boolean; inGrace?: boolean; renews: boolean };
  }[] = [
    {
      name: "trial",
      steps: [{ type: "customer.subscription.created", patch: { status: "trialing", end: hours(24 * 7) } }],
      expected: { status: "trialing", tier: true, cancelAtPeriodEnd: false, renews: true },
    },
    {
      name: "active",
      steps: [
        { type: "customer.subscription.created", patch: { status: "trialing", end: hours(24 * 7) } },
        { type: "invoice.paid", patch: { status: "active" } },
        { type: "customer.subscription.updated", patch: { status: "active" } },
      ],
      expected: { status: "active", tier: true, cancelAtPeriodEnd: false, renews: true },
    },
    {
      name: "past due (in the grace)",
      steps: [
        { type: "customer.subscription.created", patch: { status: "active", start: hours(-24 * 30), end: hours(-2) } },
        { type: "invoice.payment_failed", patch: { status: "past_due", start: hours(-2) } },
        { type: "customer.subscription.updated", patch: { status: "past_due", start: hours(-2) } },
      ],
      expected: { status: "past_due", tier: true, cancelAtPeriodEnd: false, inGrace: true, renews: false },
    },
    {
      name: "cancelled",
      steps: [
        { type: "customer.subscription.created", patch: { status: "active" } },
        { type: "customer.subscription.updated", patch: { status: "active", cancelAtPeriodEnd: true } },
        { type: "customer.subscription.deleted", patch: { status: "canceled" } },
      ],
      expected: { status: "canceled", tier: false, cancelAtPeriodEnd: false, renews: false },
    },
    {
      name: "resumed",
      steps: [
        { type: "customer.subscription.created", patch: { status: "active" } },
        { type: "customer.subscription.updated", patch: { status: "active", cancelAtPeriodEnd: true } },
        { type: "customer.subscription.updated", patch: { status: "active", cancelAtPeriodEnd: false } },
      ],
      expected: { status: "active", tier: true, cancelAtPeriodEnd: false, renews: true },
    },
  ];

  for (const life of lifecycles) {
    it(`${life.name}: every order of every delivery ends in the state Stripe holds`, async () => {
      const user = await signUp("sub");
      const started = await unwrapSubscribe(user);
      const base = await fakeGet(started.subscriptionId!);
      const events = life.steps.map((s) => {
        const obj = snapshot(base, s.patch);
        return event(s.type, s.type.startsWith("invoice.") ? invoiceFor(obj) : obj);
      });
      // what Stripe holds now: the last step
      await fakeSet(snapshot(base, life.steps.at(-1)!.patch));
      const outcomes = await replay(events);
      expect(outcomes.filter((o) => o === "applied")).toHaveLength(events.length);
      expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(events.length * 2);
      const [row] = await sql`
        select status, tier, cancel_at_period_end from social.subscriptions where stripe_subscription_id = ${base.id}`;
      expect(row).toEqual({
        status: life.expected.status,
        tier: "plus",
        cancel_at_period_end: life.expected.cancelAtPeriodEnd,
      });
      expect(unwrap(await premium(user).hasTier("plus")), "has the tier").toBe(life.expected.tier);
      const me = unwrap(await premium(user).entitlements());
      if (!life.expected.tier) {
        expect(me).toBeNull();
      } else {
        expect(me).toMatchObject({ tier: "plus", status: life.expected.status, benefits: ["exclusive_events"] });
        expect(me!.inGrace).toBe(life.expected.inGrace ?? false);
        expect(me!.renewsAt !== null, "renews").toBe(life.expected.renews);
      }
    });
  }

  it("an event for a customer nobody owns is recorded as ignored", async () => {
    const e = event("customer.subscription.updated", {
      id: "sub_orphan1",
      object: "subscription",
      customer: "cus_orphan1",
      status: "active",
      items: {
        data: [{ price: { id: "price_plus_monthly" }, current_period_start: hours(-1), current_period_end: hours(99) }],
      },
      cancel_at_period_end: false,
    });
    await fakeSet(JSON.parse(e.payload).data.object as Obj);
    const res = await deliver(e);
    expect(await res.json()).toEqual({ received: true, outcome: "ignored" });
    expect(await sql`select 1 from social.subscriptions where stripe_subscription_id = 'sub_orphan1'`).toHaveLength(0);
  });
});

describe("premium function: starting a subscription", () => {
  it("mobile: a customer, an ephemeral key and the SetupIntent of a trial; the requests match Stripe's types", async () => {
    const ana = await signUp("ana");
    const before = (await fakeRequests()).length;
    const pay = await unwrapSubscribe(ana);
    expect(pay).toMatchObject({ channel: "mobile", status: "trialing", publishableKey: "pk_test_supasocial_local" });
    expect(pay.customerId).toMatch(/^cus_/);
    expect(pay.ephemeralKey).toMatch(/^ek_test_/);
    expect(pay.setupIntentClientSecret).toMatch(/^seti_.*_secret$/);
    const sent = (await fakeRequests())
      .slice(before)
      .filter((r) => r.params.customer === pay.customerId || r.path === "/v1/customers");
    expect(
      sent.filter((r) => r.violation),
      JSON.stringify(sent.map((r) => r.violation)),
    ).toEqual([]);
    const create = sent.find((r) => r.method === "POST" && r.path === "/v1/subscriptions")!;
    expect(create.params).toMatchObject({
      customer: pay.customerId,
      items: [{ price: "price_plus_monthly" }],
      trial_period_days: "7",
      payment_behavior: "default_incomplete",
      metadata: { supasocial_user_id: ana.id, supasocial_plan_id: "plus-monthly" },
    });
    expect(create.idempotencyKey).toMatch(new RegExp(`^subscribe-${ana.id}-mobile-`));
    expect(sent.find((r) => r.path === "/v1/ephemeral_keys")!.stripeVersion).toBe(Stripe.API_VERSION);
    // mirrored at once (trialing: the trial entitles)
    expect(unwrap(await premium(ana).hasTier("plus"))).toBe(true);
    // a second subscription is refused: change it in the portal
    expectError(await premium(ana).subscribe({ planId: "pro-monthly" }), "already_subscribed", 409);
    const portal = unwrap(await premium(ana).portal("https://app.example/settings"));
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });

  it("web: a Checkout URL; a promo code becomes a discount; unknown codes and plans are refused", async () => {
    const ben = await signUp("ben");
    expectError(await premium(ben).subscribe({ planId: "gold-forever" }), "plan_not_found", 404);
    expectError(
      await premium(ben).subscribe({
        planId: "pro-monthly",
        channel: "web",
        promoCode: "NOPE",
        successUrl: "https://a.example/ok",
        cancelUrl: "https://a.example/no",
      }),
      "invalid_promo_code",
      400,
    );
    expectError(await premium(ben).subscribe({ planId: "pro-monthly", channel: "web" }), "invalid_input", 400);
    const before = (await fakeRequests()).length;
    const web = unwrap(
      await premium(ben).subscribe({
        planId: "pro-monthly",
        channel: "web",
        promoCode: "LAUNCH",
        successUrl: "https://a.example/ok",
        cancelUrl: "https://a.example/no",
      }),
    );
    expect(web.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const session = (await fakeRequests()).slice(before).find((r) => r.path === "/v1/checkout/sessions")!;
    expect(session.violation).toBeNull();
    expect(session.params).toMatchObject({
      mode: "subscription",
      line_items: [{ price: "price_pro_monthly", quantity: "1" }],
      discounts: [{ promotion_code: "promo_launch" }],
    });
    expect(session.params.allow_promotion_codes).toBeUndefined();
  });

  it("signed out: not_authenticated, and nothing reaches Stripe", async () => {
    const anon = withPremium(session().client).premium;
    const before = (await fakeRequests()).length;
    expectError(await anon.subscribe({ planId: "plus-monthly" }), "not_authenticated", 401);
    expect((await fakeRequests()).length).toBe(before);
  });
});

/** A published event of `organizer` with a price (service-side) and capacity. */
async function paidEvent(organizer: TestUser, capacity: number, priceCents = 2500) {
  const events = withEvents(organizer.client).events;
  const starts = new Date(Date.now() + 3 * 86400_000);
  const created = unwrap(
    await events.create({
      title: "Gala",
      startsAt: starts.toISOString(),
      endsAt: new Date(starts.getTime() + 3 * 3600_000).toISOString(),
      capacity,
    }),
  );
  unwrap(await events.publish(created.id));
  await sql`update social.events set price_cents = ${priceCents}, currency = 'EUR' where id = ${created.id}`;
  return created.id;
}

async function seated(eventId: string): Promise<string[]> {
  const rows = await sql<{ user_id: string }[]>`
    select user_id from social.event_rsvps where event_id = ${eventId} and status = 'going' and waitlist_seq is null order by user_id`;
  return rows.map((r) => r.user_id);
}

/** Stripe moves a PaymentIntent: succeeded with a charge (refunded or not). */
async function settle(piId: string, refunded = false): Promise<{ pi: Obj; charge: Obj }> {
  const pi = await fakeGet(piId);
  const chargeId =
    typeof pi.latest_charge === "string" ? pi.latest_charge : `ch_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const charge: Obj = {
    id: chargeId,
    object: "charge",
    payment_intent: piId,
    amount: pi.amount,
    amount_refunded: refunded ? pi.amount : 0,
    refunded,
    status: "succeeded",
  };
  const settled: Obj = { ...pi, status: "succeeded", amount_received: pi.amount, latest_charge: chargeId };
  await fakeSet(charge, settled);
  return { pi: settled, charge };
}

describe("tickets: paid, refunded, hold expired, web checkout; three shuffled replays each", () => {
  it("paid: a hold, PaymentSheet's secrets, then the seat once the payment succeeds", async () => {
    const [organizer, ana] = [await signUp("org"), await signUp("ana")];
    const eventId = await paidEvent(organizer, 10);
    const before = (await fakeRequests()).length;
    const t = unwrap(await premium(ana).buyTicket(eventId, { guests: 1 }));
    expect(t).toMatchObject({ status: "open", channel: "mobile", amountCents: 5000, currency: "EUR", seats: 2 });
    expect(t.paymentIntentClientSecret).toMatch(/^pi_\w+_secret_/);
    expect(t.ephemeralKey).toMatch(/^ek_test_/);
    const sent = (await fakeRequests()).slice(before);
    const create = sent.find((r) => r.path === "/v1/payment_intents")!;
    expect(create.violation).toBeNull();
    expect(create.params).toMatchObject({
      amount: "5000",
      currency: "eur",
      customer: t.customerId,
      automatic_payment_methods: { enabled: "true" },
      metadata: { supasocial_payment_id: t.paymentId, supasocial_event_id: eventId },
    });
    expect(create.idempotencyKey).toBe(`ticket-${t.paymentId}-mobile`);
    expect(await seated(eventId), "held, not going yet").toEqual([]);
    const [held] = await sql`select seats_taken from social.events where id = ${eventId}`;
    expect(held!.seats_taken).toBe(2);

    const [payment] = await sql<{ stripe_payment_intent_id: string }[]>`
      select stripe_payment_intent_id from social.payments where id = ${t.paymentId!}`;
    const piId = payment!.stripe_payment_intent_id;
    const created = await fakeGet(piId);
    const { pi, charge } = await settle(piId);
    const events = [
      event("payment_intent.created", created),
      event("charge.succeeded", charge),
      event("payment_intent.succeeded", pi),
    ];
    await replay(events);
    expect(await seated(eventId)).toEqual([ana.id]);
    expect(await sql`select status from social.payments where id = ${t.paymentId!}`).toEqual([{ status: "succeeded" }]);
    const [after] = await sql`select seats_taken, going_count from social.events where id = ${eventId}`;
    expect(after).toEqual({ seats_taken: 2, going_count: 1 });

    // refunded: the seat is freed, whatever order the old and new events come in
    const refunded = await settle(piId, true);
    await replay([...events, event("charge.refunded", refunded.charge)]);
    expect(await seated(eventId)).toEqual([]);
    expect(await sql`select status from social.payments where id = ${t.paymentId!}`).toEqual([{ status: "refunded" }]);
    const [freed] = await sql`select seats_taken, going_count from social.events where id = ${eventId}`;
    expect(freed).toEqual({ seats_taken: 0, going_count: 0 });

    // the same key retried returns the same payment (Stripe's idempotency keeps the same intent)
    const again = unwrap(await premium(ana).buyTicket(eventId, { guests: 1, idempotencyKey: "not-the-same-key-1" }));
    expect(again.paymentId).not.toBe(t.paymentId);
  });

  it("hold expired: the seat goes to the next in line; a late payment with no seat left is refunded", async () => {
    const [organizer, ben, cleo] = [await signUp("org"), await signUp("ben"), await signUp("cleo")];
    const eventId = await paidEvent(organizer, 1);
    const b = unwrap(await premium(ben).buyTicket(eventId));
    expect(b.status).toBe("open");
    const c = unwrap(await premium(cleo).buyTicket(eventId));
    expect(c).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    await sql`update social.payments set hold_expires_at = now() - interval '1 second' where id = ${b.paymentId!}`;
    const job = await fetch(`${api().url}/functions/v1/premium/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${api().secretKey}` },
    });
    expect(job.status).toBe(200);
    expect(((await job.json()) as { expiredHolds: number }).expiredHolds).toBeGreaterThanOrEqual(1);
    expect(await sql`select status from social.payments where id = ${b.paymentId!}`).toEqual([{ status: "expired" }]);
    const cleoPays = unwrap(await premium(cleo).buyTicket(eventId));
    expect(cleoPays.status, "cleo was promoted to a hold").toBe("open");

    // ben's payment succeeds late: no seat is left, so the webhook refunds it through Stripe
    const [payment] = await sql<{ stripe_payment_intent_id: string }[]>`
      select stripe_payment_intent_id from social.payments where id = ${b.paymentId!}`;
    const piId = payment!.stripe_payment_intent_id;
    const { pi, charge } = await settle(piId);
    const before = (await fakeRequests()).length;
    const outcomes = await replay([event("payment_intent.succeeded", pi), event("charge.succeeded", charge)]);
    expect(outcomes).toContain("refund_due");
    const refund = (await fakeRequests()).slice(before).filter((r) => r.path === "/v1/refunds");
    expect(refund.length).toBeGreaterThanOrEqual(1);
    expect(
      refund.every((r) => r.params.payment_intent === piId && r.idempotencyKey === `refund-${piId}` && !r.violation),
    ).toBe(true);
    expect(await seated(eventId)).toEqual([]);
    // Stripe confirms the refund
    const refunded = await fakeGet(charge.id);
    expect(refunded.refunded).toBe(true);
    await replay([event("charge.refunded", refunded), event("payment_intent.succeeded", pi)]);
    expect(await sql`select status from social.payments where id = ${b.paymentId!}`).toEqual([{ status: "refunded" }]);
    const [row] = await sql`select seats_taken, waitlist_count from social.events where id = ${eventId}`;
    expect(row, "cleo's hold keeps the one seat").toEqual({ seats_taken: 1, waitlist_count: 0 });
  });

  it("web checkout: a Checkout URL that expires with the hold; the completed session seats the buyer", async () => {
    const [organizer, dan] = [await signUp("org"), await signUp("dan")];
    const eventId = await paidEvent(organizer, 5, 1200);
    const before = (await fakeRequests()).length;
    const t = unwrap(
      await premium(dan).buyTicket(eventId, {
        channel: "web",
        successUrl: "https://a.example/ok",
        cancelUrl: "https://a.example/no",
      }),
    );
    expect(t.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const create = (await fakeRequests()).slice(before).find((r) => r.path === "/v1/checkout/sessions")!;
    expect(create.violation).toBeNull();
    expect(create.params).toMatchObject({
      mode: "payment",
      line_items: [{ price_data: { currency: "eur", unit_amount: "1200" }, quantity: "1" }],
      payment_intent_data: { metadata: { supasocial_payment_id: t.paymentId } },
      allow_promotion_codes: "true",
    });
    const holdEnds = new Date(t.holdExpiresAt!).getTime();
    expect(Number(create.params.expires_at) * 1000).toBe(Math.floor(holdEnds / 1000) * 1000);
    // Stripe completes it: a PaymentIntent that succeeded
    const piId = `pi_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
    await fakeSet({
      id: piId,
      object: "payment_intent",
      amount: 1200,
      status: "requires_payment_method",
      latest_charge: null,
      metadata: { supasocial_payment_id: t.paymentId! },
    });
    const { pi } = await settle(piId);
    const sessionNow = {
      ...(await fakeGet(t.checkoutSessionId!)),
      status: "complete",
      payment_status: "paid",
      payment_intent: piId,
    };
    await fakeSet(sessionNow);
    await replay([event("checkout.session.completed", sessionNow), event("payment_intent.succeeded", pi)]);
    expect(await seated(eventId)).toEqual([dan.id]);
    expect(await sql`select status, stripe_payment_intent_id from social.payments where id = ${t.paymentId!}`).toEqual([
      { status: "succeeded", stripe_payment_intent_id: piId },
    ]);
  });

  it("an expired Checkout Session frees the hold", async () => {
    const [organizer, eve] = [await signUp("org"), await signUp("eve")];
    const eventId = await paidEvent(organizer, 5, 1200);
    const t = unwrap(
      await premium(eve).buyTicket(eventId, {
        channel: "web",
        successUrl: "https://a.example/ok",
        cancelUrl: "https://a.example/no",
      }),
    );
    const expired = { ...(await fakeGet(t.checkoutSessionId!)), status: "expired" };
    await fakeSet(expired);
    await replay([event("checkout.session.expired", expired)]);
    expect(await sql`select status, seats_held from social.payments where id = ${t.paymentId!}`).toEqual([
      { status: "canceled", seats_held: false },
    ]);
    expect((await sql`select seats_taken from social.events where id = ${eventId}`)[0]!.seats_taken).toBe(0);
  });

  it("bad input is a 4xx with a code and holds nothing", async () => {
    const [organizer, fay] = [await signUp("org"), await signUp("fay")];
    const eventId = await paidEvent(organizer, 5);
    expectError(await premium(fay).buyTicket("not-a-uuid"), "invalid_input", 400);
    expectError(await premium(fay).buyTicket(eventId, { guests: 11 }), "invalid_input", 400);
    expectError(await premium(fay).buyTicket(eventId, { promoCode: "LAUNCH" }), "invalid_promo_code", 400);
    expectError(await premium(fay).buyTicket(eventId, { channel: "web" }), "invalid_input", 400);
    const raw = await fetch(`${api().url}/functions/v1/premium/ticket`, {
      method: "POST",
      headers: { authorization: `Bearer ${api().publishableKey}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    await raw.body?.cancel();
    expect(await sql`select 1 from social.payments where event_id = ${eventId}`).toHaveLength(0);
    expect((await sql`select seats_taken from social.events where id = ${eventId}`)[0]!.seats_taken).toBe(0);
  });
});

describe("reconciliation repairs missed webhooks", () => {
  it("a subscription whose webhooks never came is mirrored by the job; strangers cannot run it", async () => {
    const gil = await signUp("gil");
    const started = await unwrapSubscribe(gil);
    const base = await fakeGet(started.subscriptionId!);
    await fakeSet(snapshot(base, { status: "active", cancelAtPeriodEnd: true }));
    const denied = await fetch(`${api().url}/functions/v1/premium/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${api().publishableKey}` },
    });
    expect(denied.status).toBe(401);
    await denied.body?.cancel();
    expect(await sql`select status from social.subscriptions where stripe_subscription_id = ${base.id}`).toEqual([
      { status: "trialing" },
    ]);
    const res = await fetch(`${api().url}/functions/v1/premium/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${api().secretKey}` },
    });
    expect(res.status).toBe(200);
    expect(
      await sql`select status, cancel_at_period_end from social.subscriptions where stripe_subscription_id = ${base.id}`,
    ).toEqual([{ status: "active", cancel_at_period_end: true }]);
  });
});

describe("no client writes billing state (supabase-js, as the owner and as anon)", () => {
  it("insert, update and delete on every billing table are refused; the owner reads their own rows", async () => {
    const hal = await signUp("hal");
    await unwrapSubscribe(hal);
    const anon = session();
    const tables = [
      "subscriptions",
      "billing_customers",
      "payments",
      "premium_preferences",
      "plans",
      "premium_tiers",
    ] as const;
    const rows: Record<(typeof tables)[number], Record<string, unknown>> = {
      subscriptions: {
        stripe_subscription_id: "sub_forged1",
        user_id: hal.id,
        stripe_customer_id: "cus_x",
        status: "active",
        tier: "pro",
      },
      billing_customers: { user_id: hal.id, stripe_customer_id: "cus_forged1" },
      payments: { user_id: hal.id, kind: "ticket", status: "succeeded", amount_cents: 0, currency: "EUR" },
      premium_preferences: { user_id: hal.id, show_tier: true },
      plans: {
        id: "forged",
        tier: "pro",
        name: "F",
        interval: "month",
        stripe_price_id: "price_f",
        amount_cents: 0,
        currency: "EUR",
      },
      premium_tiers: { tier: "forged", rank: 99, name: "F" },
    };
    const before = await sql`
      select (select count(*) from social.subscriptions)::int as s, (select count(*) from social.billing_customers)::int as c,
             (select count(*) from social.payments)::int as p, (select count(*) from social.plans)::int as pl`;
    for (const [who, client] of [
      ["owner", hal.supabase],
      ["anon", anon.supabase],
    ] as const) {
      const db = client.schema("social") as unknown as {
        from(t: string): {
          insert(row: unknown): PromiseLike<{ error: { code?: string } | null; status: number }>;
          update(row: unknown): {
            neq(c: string, v: string): PromiseLike<{ error: unknown; status: number; count?: number | null }>;
          };
          delete(): { neq(c: string, v: string): PromiseLike<{ error: unknown; status: number }> };
        };
      };
      for (const table of tables) {
        const ins = await db.from(table).insert(rows[table]);
        expect(ins.error, `${who} insert ${table}`).not.toBeNull();
        expect([401, 403], `${who} insert ${table}: ${ins.status}`).toContain(ins.status);
        const col = table === "premium_preferences" ? "updated_at" : "created_at";
        const upd = await db
          .from(table)
          .update({ [col]: new Date().toISOString() })
          .neq(col, "1970-01-01");
        expect(upd.error, `${who} update ${table}`).not.toBeNull();
        const del = await db.from(table).delete().neq(col, "1970-01-01");
        expect(del.error, `${who} delete ${table}`).not.toBeNull();
      }
    }
    const after = await sql`
      select (select count(*) from social.subscriptions)::int as s, (select count(*) from social.billing_customers)::int as c,
             (select count(*) from social.payments)::int as p, (select count(*) from social.plans)::int as pl`;
    expect(after[0]!.pl).toBe(before[0]!.pl);
    expect(await sql`select 1 from social.subscriptions where stripe_subscription_id = 'sub_forged1'`).toHaveLength(0);
    expect(await sql`select 1 from social.billing_customers where stripe_customer_id = 'cus_forged1'`).toHaveLength(0);
    const mine = await hal.supabase.schema("social").from("subscriptions").select("user_id");
    expect(mine.data).toEqual([{ user_id: hal.id }]);
    const anonRead = await anon.supabase.schema("social").from("subscriptions").select("user_id");
    expect(anonRead.data ?? []).toEqual([]);
    const rpc = await hal.supabase.schema("social").rpc("apply_stripe_subscription", {
      p_sub: { id: "sub_forged2", customer: "cus_x", status: "active" },
    });
    expect(rpc.error, "the apply functions are service_role only").not.toBeNull();
  });
});

describe("boosts through the function and the webhook", () => {
  it("a boost paid on mobile starts once under three shuffled replays, shows marked, and a refund stops it", async () => {
    const [organizer, viewer] = [await signUp("org"), await signUp("viewer")];
    const eventId = await paidEvent(organizer, 10, 0);
    const before = (await fakeRequests()).length;
    const b = unwrap(await premium(organizer).buyBoost({ targetType: "event", targetId: eventId, hours: 24 }));
    expect(b).toMatchObject({ status: "open", channel: "mobile", amountCents: 500, currency: "EUR", hours: 24 });
    expect(b.paymentIntentClientSecret).toMatch(/^pi_\w+_secret_/);
    const create = (await fakeRequests()).slice(before).find((r) => r.path === "/v1/payment_intents")!;
    expect(create.violation).toBeNull();
    expect(create.params).toMatchObject({
      amount: "500",
      metadata: { supasocial_payment_id: b.paymentId, supasocial_kind: "boost" },
    });
    expect(unwrap(await premium(viewer).boostedEvents()).map((e) => e.id)).not.toContain(eventId);
    const [payment] = await sql<{ stripe_payment_intent_id: string }[]>`
      select stripe_payment_intent_id from social.payments where id = ${b.paymentId}`;
    const piId = payment!.stripe_payment_intent_id;
    const { pi, charge } = await settle(piId);
    await replay([event("payment_intent.succeeded", pi), event("charge.succeeded", charge)]);
    const shown = unwrap(await premium(viewer).boostedEvents({ limit: 50 })).find((e) => e.id === eventId);
    expect(shown).toMatchObject({ id: eventId, promoted: true, title: "Gala" });
    const [window] = await sql`select ends_at - starts_at as span from social.boosts where payment_id = ${b.paymentId}`;
    expect(window!.span).toBe("1 day");
    const refunded = await settle(piId, true);
    await replay([event("charge.refunded", refunded.charge), event("payment_intent.succeeded", pi)]);
    expect(unwrap(await premium(viewer).boostedEvents({ limit: 50 })).map((e) => e.id)).not.toContain(eventId);
    expectError(await premium(viewer).buyBoost({ targetType: "event", targetId: eventId }), "not_event_organizer", 403);
    expectError(await premium(viewer).buyBoost({ targetType: "profile", targetId: organizer.id }), "not_allowed", 403);
  });
});

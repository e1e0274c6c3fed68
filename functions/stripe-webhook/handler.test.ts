import { paymentIntentState, type Stripe, stripeClient, subscriptionState } from "../_shared/stripe.ts";
import { assert, assertEquals } from "../_test/assert.ts";
import { createWebhookHandler, type Fetched, type WebhookDb } from "./handler.ts";

const secret = "whsec_handler_test";
// a Stripe API nobody listens on: a test that reaches it fails with a connection error
const stripe = stripeClient("sk_test_handler", "http://127.0.0.1:9");

function recordingDb(seen: string[] = []) {
  const applied: { id: string; type: string; fetched: Fetched }[] = [];
  const db: WebhookDb = {
    seen: (id) => Promise.resolve(seen.includes(id)),
    apply: (id, type, fetched) => {
      applied.push({ id, type, fetched });
      return Promise.resolve({ outcome: fetched.kind === "other" ? "ignored" : "applied" });
    },
  };
  return { db, applied };
}

async function signed(payload: string, opts: { secret?: string; timestamp?: number } = {}) {
  const header = await stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? secret,
    timestamp: opts.timestamp,
  });
  return new Request("http://x/stripe-webhook", {
    method: "POST",
    headers: { "stripe-signature": header },
    body: payload,
  });
}

const payload = (id: string, type: string, object: Record<string, unknown>) =>
  JSON.stringify({ id, object: "event", type, created: 1, data: { object } });

Deno.test("a bad, stale or missing signature is 400 and reaches neither the database nor Stripe", async () => {
  const { db, applied } = recordingDb();
  const handler = createWebhookHandler({ stripe, secret, db });
  const body = payload("evt_1", "customer.subscription.updated", { id: "sub_1" });
  for (const req of [
    await signed(body, { secret: "whsec_wrong" }),
    await signed(body, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    new Request("http://x/stripe-webhook", { method: "POST", body }),
  ]) {
    const res = await handler(req);
    assertEquals(res.status, 400);
    assertEquals((await res.json()).code, "invalid_signature");
  }
  assertEquals(applied.length, 0);
});

Deno.test("an event id seen before answers duplicate without fetching or applying", async () => {
  const { db, applied } = recordingDb(["evt_seen"]);
  const res = await createWebhookHandler({ stripe, secret, db })(
    await signed(payload("evt_seen", "customer.subscription.updated", { id: "sub_1" })),
  );
  assertEquals(await res.json(), { received: true, outcome: "duplicate" });
  assertEquals(applied.length, 0);
});

Deno.test("an event about nothing premium mirrors is recorded as other, with no Stripe call", async () => {
  const { db, applied } = recordingDb();
  const res = await createWebhookHandler({ stripe, secret, db })(
    await signed(payload("evt_2", "customer.created", { id: "cus_1" })),
  );
  assertEquals(res.status, 200);
  assertEquals(applied, [
    { id: "evt_2", type: "customer.created", fetched: { kind: "other", object: { id: "cus_1" } } },
  ]);
});

Deno.test("when Stripe cannot be reached the answer is 5xx and nothing is recorded (Stripe retries)", async () => {
  const { db, applied } = recordingDb();
  const res = await createWebhookHandler({ stripe, secret, db })(
    await signed(payload("evt_3", "customer.subscription.updated", { id: "sub_1" })),
  );
  assert(res.status >= 500, `status ${res.status}`);
  await res.body?.cancel();
  assertEquals(applied.length, 0);
});

Deno.test("without keys the webhook answers 503 not_configured", async () => {
  const res = await createWebhookHandler({ stripe, secret: undefined, db: recordingDb().db })(
    await signed(payload("evt_4", "customer.created", { id: "cus_1" })),
  );
  assertEquals([res.status, (await res.json()).code], [503, "not_configured"]);
});

Deno.test("a subscription's periods come from its item; a full refund wins over succeeded", () => {
  const sub = subscriptionState({
    id: "sub_1",
    customer: "cus_1",
    status: "active",
    items: { data: [{ price: { id: "price_1" }, current_period_start: 10, current_period_end: 20 }] },
    cancel_at_period_end: true,
    cancel_at: null,
    canceled_at: null,
    ended_at: null,
    trial_start: null,
    trial_end: null,
    metadata: { supasocial_user_id: "u1" },
  } as unknown as Stripe.Subscription);
  assertEquals(
    [sub.price_id, sub.current_period_start, sub.current_period_end, sub.user_id],
    ["price_1", 10, 20, "u1"],
  );
  const pi = (charge: unknown) =>
    paymentIntentState({
      id: "pi_1",
      status: "succeeded",
      metadata: { supasocial_payment_id: "p1" },
      latest_charge: charge,
    } as unknown as Stripe.PaymentIntent);
  assertEquals(pi({ refunded: true, amount: 100, amount_refunded: 100 }).state, "refunded");
  assertEquals(pi({ refunded: false, amount: 100, amount_refunded: 40 }).state, "succeeded");
  assertEquals(pi("ch_1").state, "succeeded");
});

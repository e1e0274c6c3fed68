/**
 * A local fake of the part of Stripe's API the premium functions call, for tests and benchmarks
 * (no network). The functions reach it through STRIPE_API_BASE.
 *
 * It checks every request it is sent: the form body is decoded the way Stripe decodes it
 * (`a[b][0]=x`) and parsed with a zod schema per endpoint whose output type must satisfy the
 * `stripe` library's own params type (`satisfies z.ZodType<Stripe.PaymentIntentCreateParams>` &c.),
 * so a schema that drifts from the library does not compile; POSTs that create must carry an
 * Idempotency-Key, and an ephemeral key a Stripe-Version. A request that fails is answered 400 with
 * Stripe's error shape and recorded as a violation.
 *
 * Objects live in memory. Tests set "what Stripe holds now" through `POST /__fake/objects` and read
 * the recorded requests and violations through `GET /__fake/requests` (so a test in another
 * process, as vitest's workers are, can drive it).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { z } from "zod";

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  violation: string | null;
}

export interface FakeStripe {
  url: string;
  requests: RecordedRequest[];
  objects: Map<string, Record<string, unknown>>;
  set(object: Record<string, unknown>): void;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** Decode a Stripe form body (`metadata[a]=1&items[0][price]=p&expand[0]=x`) into nested values. */
export function decodeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split("[").map((p, i) => (i === 0 ? p : p.replace(/\]$/, "")));
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const key: string | number = /^\d+$/.test(part) && Array.isArray(node) ? Number(part) : part;
      if (last) {
        (node as Record<string | number, unknown>)[key] = value;
      } else {
        const next = parts[i + 1]!;
        const holder = node as Record<string | number, unknown>;
        if (holder[key] === undefined) holder[key] = /^\d+$/.test(next) ? [] : {};
        node = holder[key] as Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
}

const metadata = z.record(z.string(), z.string());
const expand = z.array(z.string()).optional();
const int = z.coerce.number().int();
const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const currency = z.string().regex(/^[a-z]{3}$/);
const customerId = z.string().regex(/^cus_/);
const discounts = z.array(z.object({ promotion_code: z.string().regex(/^promo_/) })).optional();

const customerCreate = z.object({
  email: z.string().email().optional(),
  metadata: metadata.refine((m) => !!m.supasocial_user_id, "metadata.supasocial_user_id"),
}) satisfies z.ZodType<Stripe.CustomerCreateParams>;

const paymentIntentCreate = z.object({
  amount: int.positive(),
  currency,
  customer: customerId,
  automatic_payment_methods: z.object({ enabled: bool }),
  description: z.string().optional(),
  metadata: metadata.refine(
    (m) => /^[0-9a-f-]{36}$/.test(m.supasocial_payment_id ?? ""),
    "metadata.supasocial_payment_id",
  ),
}) satisfies z.ZodType<Stripe.PaymentIntentCreateParams>;

const checkoutCreate = z
  .object({
    mode: z.enum(["payment", "subscription"]),
    customer: customerId,
    client_reference_id: z.string().optional(),
    line_items: z
      .array(
        z.object({
          price: z
            .string()
            .regex(/^price_/)
            .optional(),
          quantity: int.positive(),
          price_data: z
            .object({
              currency,
              unit_amount: int.nonnegative(),
              product_data: z.object({ name: z.string().min(1) }),
            })
            .optional(),
        }),
      )
      .length(1),
    payment_intent_data: z.object({ metadata }).optional(),
    subscription_data: z.object({ metadata, trial_period_days: int.positive().optional() }).optional(),
    metadata,
    expires_at: int.optional(),
    success_url: z.string().url(),
    cancel_url: z.string().url(),
    allow_promotion_codes: bool.optional(),
    discounts,
  })
  .refine((s) => !(s.allow_promotion_codes && s.discounts), "allow_promotion_codes and discounts together")
  .refine(
    (s) => s.expires_at === undefined || (s.expires_at >= now() + 29 * 60 && s.expires_at <= now() + 24 * 3600),
    "expires_at is 30 minutes to 24 hours away",
  ) satisfies z.ZodType<Stripe.Checkout.SessionCreateParams>;

const subscriptionCreate = z.object({
  customer: customerId,
  items: z.array(z.object({ price: z.string().regex(/^price_/) })).length(1),
  trial_period_days: int.positive().optional(),
  payment_behavior: z.literal("default_incomplete"),
  payment_settings: z.object({ save_default_payment_method: z.literal("on_subscription") }),
  expand,
  metadata: metadata.refine((m) => !!m.supasocial_user_id, "metadata.supasocial_user_id"),
  discounts,
}) satisfies z.ZodType<Stripe.SubscriptionCreateParams>;

const refundCreate = z.object({
  payment_intent: z.string().regex(/^pi_/),
  metadata: metadata.optional(),
}) satisfies z.ZodType<Stripe.RefundCreateParams>;

const ephemeralKeyCreate = z.object({ customer: customerId }) satisfies z.ZodType<Stripe.EphemeralKeyCreateParams>;

const portalCreate = z.object({
  customer: customerId,
  return_url: z.string().url(),
}) satisfies z.ZodType<Stripe.BillingPortal.SessionCreateParams>;

const retrieve = z.object({ expand }) satisfies z.ZodType<Stripe.PaymentIntentRetrieveParams>;
const subscriptionList = z.object({
  customer: customerId,
  status: z.literal("all"),
  limit: int.positive().max(100),
}) satisfies z.ZodType<Stripe.SubscriptionListParams>;
const promotionCodeList = z.object({
  code: z.string().min(1),
  active: bool,
  limit: int.positive().max(100),
}) satisfies z.ZodType<Stripe.PromotionCodeListParams>;

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function check<T>(schema: z.ZodType<T>, params: unknown): T {
  const r = schema.safeParse(params);
  if (!r.success) throw new Refused(400, r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  return r.data;
}

/** Start the fake on a free port (or `port`). */
export async function startFakeStripe(port = 0): Promise<FakeStripe> {
  const objects = new Map<string, Record<string, unknown>>();
  const requests: RecordedRequest[] = [];
  const idempotent = new Map<string, unknown>();

  const get = (objectId: string, kind: string) => {
    const o = objects.get(objectId);
    if (!o) throw new Refused(404, `No such ${kind}: '${objectId}'`);
    return o;
  };
  const withExpanded = (o: Record<string, unknown>, paths: string[] | undefined) => {
    const copy: Record<string, unknown> = structuredClone(o);
    for (const path of paths ?? []) {
      const [head, tail] = path.split(".", 2) as [string, string | undefined];
      const ref = copy[head];
      if (typeof ref === "string" && objects.has(ref)) {
        const inner = structuredClone(objects.get(ref)!);
        if (tail && typeof inner[tail] === "string" && objects.has(inner[tail] as string)) {
          inner[tail] = structuredClone(objects.get(inner[tail] as string)!);
        }
        copy[head] = inner;
      }
    }
    return copy;
  };
  const list = (data: unknown[]) => ({ object: "list", data, has_more: false, url: "/v1/list" });

  function route(method: string, path: string, params: Record<string, unknown>, req: IncomingMessage): unknown {
    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    const creates = method === "POST";
    if (creates && !key && path !== "/v1/billing_portal/sessions")
      throw new Refused(400, "an Idempotency-Key is required");
    if (creates && key && idempotent.has(`${path} ${key}`)) return idempotent.get(`${path} ${key}`);
    const remember = <T>(value: T): T => {
      if (key) idempotent.set(`${path} ${key}`, value);
      return value;
    };
    const at = (re: RegExp) => (method === "GET" ? (path.match(re)?.[1] ?? null) : null);
    const piId = at(/^\/v1\/payment_intents\/(pi_\w+)$/);
    const csId = at(/^\/v1\/checkout\/sessions\/(cs_\w+)$/);
    const subId = at(/^\/v1\/subscriptions\/(sub_\w+)$/);
    if (method === "POST" && path === "/v1/customers") {
      const p = check(customerCreate, params);
      const c = { id: id("cus"), object: "customer", email: p.email ?? null, metadata: p.metadata, created: now() };
      objects.set(c.id, c);
      return remember(c);
    }
    if (method === "POST" && path === "/v1/ephemeral_keys") {
      const p = check(ephemeralKeyCreate, params);
      if (!req.headers["stripe-version"]) throw new Refused(400, "an ephemeral key needs a Stripe-Version");
      get(p.customer, "customer");
      return remember({ id: id("ephkey"), object: "ephemeral_key", secret: id("ek_test"), expires: now() + 3600 });
    }
    if (method === "POST" && path === "/v1/payment_intents") {
      const p = check(paymentIntentCreate, params);
      get(p.customer, "customer");
      const piId = id("pi");
      const pi = {
        id: piId,
        object: "payment_intent",
        amount: p.amount,
        amount_received: 0,
        currency: p.currency,
        customer: p.customer,
        status: "requires_payment_method",
        client_secret: `${piId}_secret_${randomBytes(8).toString("hex")}`,
        latest_charge: null,
        metadata: p.metadata,
        created: now(),
      };
      objects.set(pi.id, pi);
      return remember(pi);
    }
    if (piId) {
      const p = check(retrieve, params);
      return withExpanded(get(piId, "payment_intent"), p.expand);
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      const p = check(checkoutCreate, params);
      get(p.customer, "customer");
      const s = {
        id: id("cs_test"),
        object: "checkout.session",
        mode: p.mode,
        status: "open",
        payment_status: "unpaid",
        customer: p.customer,
        url: `https://checkout.stripe.test/c/pay/${randomBytes(8).toString("hex")}`,
        payment_intent: null,
        subscription: null,
        metadata: p.metadata,
        expires_at: p.expires_at ?? now() + 24 * 3600,
        amount_total: (p.line_items[0]!.price_data?.unit_amount ?? 0) * (p.line_items[0]!.quantity ?? 1),
      };
      objects.set(s.id, s);
      return remember(s);
    }
    if (csId) {
      check(retrieve, params);
      return get(csId, "checkout.session");
    }
    if (method === "POST" && path === "/v1/subscriptions") {
      const p = check(subscriptionCreate, params);
      get(p.customer, "customer");
      const trial = p.trial_period_days ? p.trial_period_days * 86400 : 0;
      const invoiceId = id("in");
      const setupId = trial ? id("seti") : null;
      objects.set(invoiceId, {
        id: invoiceId,
        object: "invoice",
        confirmation_secret: trial ? null : { client_secret: `${invoiceId}_secret`, type: "payment_intent" },
      });
      if (setupId) objects.set(setupId, { id: setupId, object: "setup_intent", client_secret: `${setupId}_secret` });
      const start = now();
      const sub = {
        id: id("sub"),
        object: "subscription",
        customer: p.customer,
        status: trial ? "trialing" : "incomplete",
        items: {
          object: "list",
          data: [
            {
              id: id("si"),
              price: { id: p.items[0]!.price },
              current_period_start: start,
              current_period_end: start + (trial || 30 * 86400),
            },
          ],
        },
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        trial_start: trial ? start : null,
        trial_end: trial ? start + trial : null,
        latest_invoice: invoiceId,
        pending_setup_intent: setupId,
        metadata: p.metadata,
        created: start,
      };
      objects.set(sub.id, sub);
      return remember(withExpanded(sub, p.expand));
    }
    if (subId) {
      check(retrieve, params);
      return get(subId, "subscription");
    }
    if (method === "GET" && path === "/v1/subscriptions") {
      const p = check(subscriptionList, params);
      return list([...objects.values()].filter((o) => o.object === "subscription" && o.customer === p.customer));
    }
    if (method === "GET" && path === "/v1/promotion_codes") {
      const p = check(promotionCodeList, params);
      return list(
        [...objects.values()].filter(
          (o) => o.object === "promotion_code" && o.code === p.code && o.active === p.active,
        ),
      );
    }
    if (method === "POST" && path === "/v1/refunds") {
      const p = check(refundCreate, params);
      const pi = get(p.payment_intent, "payment_intent");
      if (pi.status !== "succeeded") throw new Refused(400, "the PaymentIntent has not succeeded");
      const refund = { id: id("re"), object: "refund", payment_intent: pi.id, amount: pi.amount, status: "succeeded" };
      objects.set(refund.id, refund);
      const charge = typeof pi.latest_charge === "string" ? objects.get(pi.latest_charge) : undefined;
      if (charge) objects.set(charge.id as string, { ...charge, refunded: true, amount_refunded: charge.amount });
      return remember(refund);
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      const p = check(portalCreate, params);
      get(p.customer, "customer");
      return {
        id: id("bps"),
        object: "billing_portal.session",
        customer: p.customer,
        url: `https://billing.stripe.test/p/session/${randomBytes(8).toString("hex")}`,
        return_url: p.return_url,
      };
    }
    throw new Refused(404, `Unrecognized request URL (${method}: ${path})`);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://fake");
      const body = Buffer.concat(chunks).toString("utf8");
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
        res.end(JSON.stringify(value));
      };
      if (u.pathname === "/__fake/objects" && req.method === "POST") {
        for (const o of (JSON.parse(body) as { objects: Record<string, unknown>[] }).objects)
          objects.set(o.id as string, o);
        return send(200, { ok: true });
      }
      if (u.pathname === "/__fake/objects" && req.method === "GET") {
        const o = objects.get(u.searchParams.get("id") ?? "");
        return o ? send(200, o) : send(404, { error: { message: "no such object" } });
      }
      if (u.pathname === "/__fake/requests") {
        const since = Number(u.searchParams.get("since") ?? "0");
        return send(200, { total: requests.length, requests: requests.slice(since) });
      }
      const params = req.method === "GET" ? decodeForm(u.search.slice(1)) : decodeForm(body);
      const record: RecordedRequest = {
        method: req.method ?? "GET",
        path: u.pathname,
        params,
        idempotencyKey: (req.headers["idempotency-key"] as string | undefined) ?? null,
        stripeVersion: (req.headers["stripe-version"] as string | undefined) ?? null,
        violation: null,
      };
      requests.push(record);
      try {
        if (!(req.headers.authorization ?? "").startsWith("Bearer sk_"))
          throw new Refused(401, "Invalid API Key provided");
        send(200, route(record.method, record.path, params, req));
      } catch (error) {
        const status = error instanceof Refused ? error.status : 500;
        record.violation = (error as Error).message;
        send(status, {
          error: {
            type: status === 401 ? "authentication_error" : "invalid_request_error",
            message: (error as Error).message,
          },
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    objects,
    set: (o) => objects.set(o.id as string, o),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

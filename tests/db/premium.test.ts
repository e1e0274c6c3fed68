/**
 * Premium in the database: the catalog and billing rows under RLS (each user reads their own,
 * nobody but service_role writes), entitlements through every subscription state (trial, active,
 * past due within and beyond the grace, cancelled, cancelled at period end, resumed), the tier on
 * profiles where allowed, tier-gated groups (listed but closed, closed again at once when the tier
 * is lost), and paid tickets: holds, payment, expiry with waitlist promotion, refunds, late
 * payments, retries, and 200 concurrent purchases on 25 seats.
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { broadcasts, send } from "../fixtures/chat.ts";
import { confirmed, createEvent, eventRow, waitlist } from "../fixtures/events.ts";
import { addMember, createGroup } from "../fixtures/groups.ts";
import {
  applyPayment,
  applySubscription,
  buyTicket,
  linkCustomer,
  premiumCatalog,
  setPrice,
} from "../fixtures/premium.ts";
import { refused, type TestDb, withDb } from "../helpers/db.ts";

async function hasTier(db: TestDb, user: string, tier: string): Promise<boolean> {
  await db.as(user);
  const [row] = await db.q<{ ok: boolean }[]>`select social.has_tier(${tier}) as ok`;
  return row!.ok;
}

describe("billing rows under RLS", () => {
  const billingTables = [
    "premium_tiers",
    "plans",
    "billing_customers",
    "subscriptions",
    "payments",
    "premium_preferences",
  ];

  it("each user reads only their own billing rows; anon and strangers read none; the catalog is public", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana, ben] = await db.createUsers(2);
      await applySubscription(db, ana!, { status: "active", tier: "plus" });
      await db.as(ana!);
      expect(await db.q`select user_id from social.subscriptions`).toEqual([{ user_id: ana }]);
      expect(await db.q`select user_id from social.billing_customers`).toEqual([{ user_id: ana }]);
      await db.as(ben!);
      expect(await db.q`select 1 from social.subscriptions`, "as stranger").toHaveLength(0);
      expect(await db.q`select 1 from social.billing_customers`, "as stranger").toHaveLength(0);
      expect((await db.q`select id from social.plans order by id`).map((r) => r.id)).toEqual([
        "plus-monthly",
        "pro-monthly",
      ]);
      await db.asAnon();
      expect((await db.q`select tier from social.premium_tiers`).length).toBeGreaterThanOrEqual(2);
      for (const t of ["subscriptions", "billing_customers", "payments", "premium_preferences"]) {
        const e = await db.error((tx) => tx.unsafe(`select 1 from social.${t}`));
        expect(e.code, `anon reading ${t}`).toBe("42501");
      }
    });
  });

  it("no client writes billing state: insert, update and delete are refused to the owner, strangers and anon", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana] = await db.createUsers(1);
      const sub = await applySubscription(db, ana!, { status: "active", tier: "plus" });
      const writes: Record<string, string[]> = {
        premium_tiers: [
          "insert into social.premium_tiers (tier, rank, name) values ('gold', 9, 'Gold')",
          "update social.premium_tiers set rank = 99",
          "delete from social.premium_tiers",
        ],
        plans: [
          "insert into social.plans (id, tier, name, interval, stripe_price_id, amount_cents, currency) values ('x', 'plus', 'X', 'month', 'price_x', 1, 'EUR')",
          "update social.plans set amount_cents = 0",
          "delete from social.plans",
        ],
        billing_customers: [
          `insert into social.billing_customers (user_id, stripe_customer_id) values ('${ana}', 'cus_forged')`,
          "update social.billing_customers set stripe_customer_id = 'cus_forged'",
          "delete from social.billing_customers",
        ],
        subscriptions: [
          `insert into social.subscriptions (stripe_subscription_id, user_id, stripe_customer_id, tier, status) values ('sub_forged', '${ana}', 'cus_x', 'pro', 'active')`,
          `update social.subscriptions set tier = 'pro', status = 'active' where stripe_subscription_id = '${sub}'`,
          "delete from social.subscriptions",
        ],
        payments: [
          `insert into social.payments (user_id, kind, status, amount_cents, currency) values ('${ana}', 'ticket', 'succeeded', 0, 'EUR')`,
          "update social.payments set status = 'succeeded'",
          "delete from social.payments",
        ],
        premium_preferences: [
          `insert into social.premium_preferences (user_id, show_tier) values ('${ana}', true)`,
          "update social.premium_preferences set show_tier = true",
          "delete from social.premium_preferences",
        ],
      };
      expect(Object.keys(writes).sort()).toEqual([...billingTables].sort());
      for (const who of ["owner", "anon"] as const) {
        for (const [table, statements] of Object.entries(writes)) {
          for (const statement of statements) {
            if (who === "owner") await db.as(ana!);
            else await db.asAnon();
            const e = await db.error((tx) => tx.unsafe(statement));
            expect(e.code, `${who}: ${statement}`).toBe("42501");
          }
          await db.asService();
          expect(
            (await db.q.unsafe(`select count(*)::int as n from social.${table}`))[0]!.n,
            `${table} kept`,
          ).toBeGreaterThanOrEqual(table === "payments" || table === "premium_preferences" ? 0 : 1);
        }
      }
      await db.asSuperuser();
      const [row] = await db.q`select tier, status from social.subscriptions where stripe_subscription_id = ${sub}`;
      expect(row).toEqual({ tier: "plus", status: "active" });
    });
  });

  it("the webhook's apply functions are service_role only", async () => {
    await withDb(async (db) => {
      const [ana] = await db.createUsers(1);
      const calls = [
        `select social.apply_stripe_subscription('{"id":"sub_x","customer":"cus_x","status":"active"}')`,
        `select social.apply_stripe_payment('{"state":"succeeded"}')`,
        `select social.apply_stripe_event('evt_x', 'x', 'subscription', '{}')`,
        `select social.link_billing_customer('${ana}', 'cus_x')`,
        "select social.stripe_event_seen('evt_x')",
        "select social.expire_ticket_holds()",
        `select social.release_payment('${randomUUID()}')`,
        `select social.attach_stripe_payment('${randomUUID()}', 'pi_x', null)`,
        "select * from social.payments_to_reconcile()",
      ];
      for (const call of calls) {
        for (const who of ["authenticated", "anon"] as const) {
          if (who === "anon") await db.asAnon();
          else await db.as(ana!);
          const e = await db.error((tx) => tx.unsafe(call));
          expect(e.code, `${who}: ${call}`).toBe("42501");
        }
      }
      await db.asSuperuser();
      expect(await db.q`select 1 from social_private.stripe_events where id = 'evt_x'`).toHaveLength(0);
      expect(await db.q`select 1 from social.billing_customers where user_id = ${ana!}`).toHaveLength(0);
    });
  });
});

describe("entitlements", () => {
  it("trial and active entitle; past due keeps the tier for the grace only; cancelled and unpaid do not", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana] = await db.createUsers(1);
      const sub = `sub_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
      expect(await hasTier(db, ana!, "plus"), "no subscription").toBe(false);
      await applySubscription(db, ana!, { status: "trialing", tier: "plus" }, sub);
      expect(await hasTier(db, ana!, "plus"), "trialing").toBe(true);
      await db.as(ana!);
      const [trial] = await db.q`select tier, status, benefits, trial_ends_at, in_grace from social.my_entitlements()`;
      expect(trial).toMatchObject({
        tier: "plus",
        status: "trialing",
        benefits: ["exclusive_events"],
        in_grace: false,
      });
      expect(trial!.trial_ends_at).not.toBeNull();
      await applySubscription(db, ana!, { status: "active", tier: "plus" }, sub);
      expect(await hasTier(db, ana!, "plus"), "active").toBe(true);
      expect(await hasTier(db, ana!, "pro"), "plus does not include pro").toBe(false);
      await applySubscription(db, ana!, { status: "past_due", tier: "plus", periodStartHours: -24 }, sub);
      expect(await hasTier(db, ana!, "plus"), "past due within the 72 h grace").toBe(true);
      await db.as(ana!);
      const [grace] = await db.q`select in_grace, renews_at from social.my_entitlements()`;
      expect(grace).toEqual({ in_grace: true, renews_at: null });
      await applySubscription(db, ana!, { status: "past_due", tier: "plus", periodStartHours: -73 }, sub);
      expect(await hasTier(db, ana!, "plus"), "past due beyond the grace").toBe(false);
      await db.asService();
      await db.q`update social_private.premium_config set past_due_grace_hours = 96`;
      expect(await hasTier(db, ana!, "plus"), "the grace is configurable").toBe(true);
      await applySubscription(db, ana!, { status: "unpaid", tier: "plus" }, sub);
      expect(await hasTier(db, ana!, "plus"), "unpaid").toBe(false);
      await applySubscription(db, ana!, { status: "active", tier: "plus", cancelAtPeriodEnd: true }, sub);
      expect(await hasTier(db, ana!, "plus"), "cancelled at period end, until then").toBe(true);
      await db.as(ana!);
      const [ending] = await db.q`select cancel_at_period_end, renews_at from social.my_entitlements()`;
      expect(ending).toEqual({ cancel_at_period_end: true, renews_at: null });
      await applySubscription(db, ana!, { status: "active", tier: "plus", cancelAtPeriodEnd: false }, sub);
      await db.as(ana!);
      const [resumed] = await db.q`select cancel_at_period_end, renews_at from social.my_entitlements()`;
      expect(resumed!.cancel_at_period_end, "resumed").toBe(false);
      expect(resumed!.renews_at).not.toBeNull();
      await applySubscription(db, ana!, { status: "canceled", tier: "plus" }, sub);
      expect(await hasTier(db, ana!, "plus"), "cancelled").toBe(false);
      await db.as(ana!);
      expect(await db.q`select * from social.my_entitlements()`).toHaveLength(0);
    });
  });

  it("a higher tier includes the lower ones; unknown tiers and anon hold nothing", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana] = await db.createUsers(1);
      await applySubscription(db, ana!, { status: "active", tier: "pro" });
      expect(await hasTier(db, ana!, "plus")).toBe(true);
      expect(await hasTier(db, ana!, "pro")).toBe(true);
      expect(await hasTier(db, ana!, "gold")).toBe(false);
      await db.asAnon();
      expect((await db.q`select social.has_tier('plus') as ok`)[0]!.ok).toBe(false);
    });
  });

  it("an active subscription whose period ended beyond the grace (a missed renewal webhook) stops entitling", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana] = await db.createUsers(1);
      await applySubscription(db, ana!, {
        status: "active",
        tier: "plus",
        periodStartHours: -800,
        periodEndHours: -73,
      });
      expect(await hasTier(db, ana!, "plus")).toBe(false);
    });
  });

  it("a profile shows the premium tier only when its owner allows it", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana, ben] = await db.createUsers(2);
      await applySubscription(db, ana!, { status: "active", tier: "pro" });
      const badges = async () => {
        await db.as(ben!);
        return db.q`select user_id, tier from social.premium_badges(${[ana!, ben!]}::uuid[])`;
      };
      expect(await badges(), "not allowed yet").toEqual([]);
      await db.as(ana!);
      await db.q`select social.set_premium_preferences(true)`;
      expect(await badges()).toEqual([{ user_id: ana, tier: "pro" }]);
      await db.as(ana!);
      await db.q`select social.set_premium_preferences(false)`;
      expect(await badges(), "hidden again").toEqual([]);
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select social.set_premium_preferences(null)`)).toEqual([
        "22023",
        "invalid_preference",
      ]);
    });
  });

  it("an unknown customer's subscription is ignored; bad payloads are invalid_payload", async () => {
    await withDb(async (db) => {
      await db.asService();
      const [r] =
        await db.q`select social.apply_stripe_subscription(${db.q.json({ id: "sub_nobody", customer: "cus_nobody", status: "active" })}) as o`;
      expect(r!.o).toBe("ignored");
      expect(
        await refused(
          db,
          (tx) =>
            tx`select social.apply_stripe_subscription(${tx.json({ id: "sub_x", status: "weird", customer: "c" })})`,
        ),
      ).toEqual(["22023", "invalid_payload"]);
      expect(
        await refused(db, (tx) => tx`select social.apply_stripe_event('nope', 't', 'subscription', '{}')`),
      ).toEqual(["22023", "invalid_payload"]);
      await db.asSuperuser();
      expect(await db.q`select 1 from social.subscriptions where stripe_subscription_id = 'sub_nobody'`).toHaveLength(
        0,
      );
    });
  });

  it("an event id is applied once: a repeat answers duplicate and changes nothing", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [ana] = await db.createUsers(1);
      const customer = await linkCustomer(db, ana!);
      const sub = (status: string) => ({ id: "sub_once1", customer, status, price_id: "price_plus_monthly" });
      await db.asService();
      const [a] =
        await db.q`select social.apply_stripe_event('evt_once1', 'customer.subscription.updated', 'subscription', ${db.q.json(sub("active"))}) as r`;
      expect(a!.r).toEqual({ outcome: "applied" });
      const [b] =
        await db.q`select social.apply_stripe_event('evt_once1', 'customer.subscription.updated', 'subscription', ${db.q.json(sub("canceled"))}) as r`;
      expect(b!.r).toEqual({ outcome: "duplicate" });
      const [c] = await db.q`select social.stripe_event_seen('evt_once1') as seen`;
      expect(c!.seen).toBe(true);
      await db.asSuperuser();
      expect(await db.q`select status from social.subscriptions where stripe_subscription_id = 'sub_once1'`).toEqual([
        { status: "active" },
      ]);
    });
  });
});

describe("tier-gated groups: listed but closed", () => {
  async function tieredClub(db: TestDb) {
    await premiumCatalog(db);
    const [owner, paying, lapsed, stranger, outsider] = await db.createUsers(5);
    await applySubscription(db, owner!, { status: "active", tier: "plus" });
    const group = await createGroup(db, owner!, {
      name: "Inner circle",
      kind: "club",
      visibility: "public",
      tier: "plus",
    });
    await applySubscription(db, paying!, { status: "active", tier: "plus" });
    const lapsedSub = await applySubscription(db, lapsed!, { status: "active", tier: "plus" });
    await addMember(db, group, paying!);
    await addMember(db, group, lapsed!);
    await db.asSuperuser();
    const [post] = await db.q<{ id: string }[]>`
      insert into social.posts (author_id, body, visibility, group_id) values (${owner!}, 'members only', 'group', ${group}) returning id`;
    await db.as(owner!);
    await db.q`select social.create_announcement(${group}, 'Members night', 'Friday at eight')`;
    return {
      group,
      owner: owner!,
      paying: paying!,
      lapsed: lapsed!,
      lapsedSub,
      stranger: stranger!,
      outsider: outsider!,
      post: post!.id,
    };
  }

  async function feed(db: TestDb, user: string, group: string) {
    return db.attempt(async (tx) => {
      await db.as(user);
      return tx`select id from social.group_feed(${group})`;
    });
  }

  it("the group is listed to everyone; its posts only to members who hold the tier and to staff", async () => {
    await withDb(async (db) => {
      const c = await tieredClub(db);
      for (const who of ["owner", "paying", "lapsed", "stranger"] as const) {
        await db.as(c[who]);
        expect(await db.q`select name from social.groups where id = ${c.group}`, `${who} sees the listing`).toEqual([
          { name: "Inner circle" },
        ]);
      }
      await db.asAnon();
      expect(await db.q`select name from social.groups where id = ${c.group}`, "anon sees the listing").toHaveLength(1);
      for (const who of ["owner", "paying", "lapsed"] as const) {
        const r = await feed(db, c[who], c.group);
        expect(r.ok && r.value.map((p) => p.id), `as ${who}`).toEqual([c.post]);
      }
      const r = await feed(db, c.stranger, c.group);
      expect(!r.ok && r.error.hint, "as stranger").toBe("group_forbidden");
      await db.as(c.stranger);
      expect(await db.q`select id from social.posts where id = ${c.post}`, "stranger, posts RLS").toHaveLength(0);
      // a stranger holding the tier reads a public tiered club, as any public club
      await applySubscription(db, c.outsider, { status: "active", tier: "plus" });
      const o = await feed(db, c.outsider, c.group);
      expect(o.ok && o.value.map((p) => p.id), "as outsider with the tier").toEqual([c.post]);
    });
  });

  it("losing the tier closes the content at once (cancelled, past due beyond grace); renewing opens it", async () => {
    await withDb(async (db) => {
      const c = await tieredClub(db);
      await db.as(c.lapsed);
      await db.as(c.lapsed);
      expect(await db.q`select title from social.my_announcements()`, "while paying").toEqual([
        { title: "Members night" },
      ]);
      for (const lost of [{ status: "canceled" as const }, { status: "past_due" as const, periodStartHours: -100 }]) {
        await applySubscription(db, c.lapsed, { tier: "plus", ...lost }, c.lapsedSub);
        const r = await feed(db, c.lapsed, c.group);
        expect(!r.ok && r.error.hint, `group feed, ${lost.status}`).toBe("group_forbidden");
        await db.as(c.lapsed);
        expect(await db.q`select id from social.posts where id = ${c.post}`, `posts RLS, ${lost.status}`).toHaveLength(
          0,
        );
        expect(
          (await db.q`select id from social.home_feed()`).map((p) => p.id),
          `home feed, ${lost.status}`,
        ).not.toContain(c.post);
        await db.as(c.lapsed);
        expect(
          await db.q`select user_id from social.group_members where group_id = ${c.group} and user_id <> ${c.lapsed}`,
          "member list",
        ).toHaveLength(0);
        await db.as(c.lapsed);
        expect(await db.q`select id from social.my_announcements()`, `announcements, ${lost.status}`).toHaveLength(0);
      }
      // the paying member is unaffected, and sees it in the home feed
      await db.as(c.paying);
      expect((await db.q`select id from social.home_feed()`).map((p) => p.id)).toContain(c.post);
      expect(await db.q`select title from social.my_announcements()`).toEqual([{ title: "Members night" }]);
      await applySubscription(db, c.lapsed, { status: "active", tier: "plus" }, c.lapsedSub);
      const back = await feed(db, c.lapsed, c.group);
      expect(back.ok && back.value.map((p) => p.id), "renewed").toEqual([c.post]);
    });
  });

  it("the club's chat closes with the tier: messages, sending, opening, the list, unread counts and announcements", async () => {
    await withDb(async (db) => {
      const c = await tieredClub(db);
      await db.as(c.owner);
      const [conv] = await db.q<{ id: string }[]>`select id from social.open_group_chat(${c.group})`;
      const id = conv!.id;
      await send(db, c.owner, id, "welcome");
      const messages = async (who: string) => {
        await db.as(who);
        return (await db.q`select id from social.messages where conversation_id = ${id}`).length;
      };
      const listed = async (who: string) => {
        await db.as(who);
        return (await db.q<{ id: string }[]>`select id from social.list_conversations()`).map((r) => r.id);
      };
      const unread = async (who: string) => {
        await db.as(who);
        const [r] = await db.q<{ n: number }[]>`select unread_messages::int as n from social.unread_chat_count()`;
        return r!.n;
      };
      const announced = async (who: string) => (await broadcasts(db, `user:${who}`, "chat.message")).length;
      // while paying the lapsed member reads what the paying one reads (the welcome, and any
      // messages the chat itself wrote)
      const shown = await messages(c.paying);
      expect(shown).toBeGreaterThanOrEqual(1);
      expect([await messages(c.lapsed), await listed(c.lapsed)]).toEqual([shown, [id]]);
      expect(await unread(c.lapsed)).toBe(await unread(c.paying));
      expect(await unread(c.lapsed)).toBeGreaterThanOrEqual(1);
      const announcedBefore = await announced(c.lapsed);
      expect(announcedBefore).toBeGreaterThanOrEqual(1);
      const payingAnnounced = await announced(c.paying);

      await applySubscription(db, c.lapsed, { status: "canceled", tier: "plus" }, c.lapsedSub);
      await send(db, c.owner, id, "members only news");
      expect(await messages(c.lapsed), "messages, lapsed").toBe(0);
      expect(await listed(c.lapsed), "the list, lapsed").toEqual([]);
      expect(await unread(c.lapsed), "unread, lapsed").toBe(0);
      expect(await announced(c.lapsed), "no announcement of the new message").toBe(announcedBefore);
      await db.as(c.lapsed);
      expect(
        (await refused(db, (tx) => tx`select social.send_message(${id}, ${randomUUID()}, 'still here?')`))[1],
      ).toBe("conversation_not_found");
      expect((await refused(db, (tx) => tx`select * from social.list_messages(${id})`))[1]).toBe(
        "conversation_not_found",
      );
      expect(await refused(db, (tx) => tx`select social.open_group_chat(${c.group})`)).toEqual([
        "42501",
        "tier_required",
      ]);
      // the paying member and the staff are unaffected
      expect(await messages(c.paying)).toBe(shown + 1);
      expect(await announced(c.paying)).toBe(payingAnnounced + 1);
      expect(await messages(c.owner)).toBe(shown + 1);
      // renewing opens it again, with the membership kept
      await applySubscription(db, c.lapsed, { status: "active", tier: "plus" }, c.lapsedSub);
      expect([await messages(c.lapsed), await listed(c.lapsed)]).toEqual([shown + 1, [id]]);
    });
  });

  it("joining needs the tier (tier_required) until it is held", async () => {
    await withDb(async (db) => {
      const c = await tieredClub(db);
      await db.as(c.stranger);
      expect(await refused(db, (tx) => tx`select social.join_group(${c.group})`)).toEqual(["42501", "tier_required"]);
      await applySubscription(db, c.stranger, { status: "trialing", tier: "plus" });
      await db.as(c.stranger);
      await db.q`select social.join_group(${c.group})`;
      const r = await feed(db, c.stranger, c.group);
      expect(r.ok).toBe(true);
    });
  });
});

describe("paid tickets", () => {
  async function paidEvent(db: TestDb, capacity: number, tier: string | null = null) {
    const [organizer] = await db.createUsers(1);
    const e = await createEvent(db, organizer!, { capacity });
    await setPrice(db, e.id, 2000, tier);
    return e.id;
  }

  it("a purchase holds the seats; the seat counts as going only when the payment succeeds", async () => {
    await withDb(async (db) => {
      const [ana] = await db.createUsers(1);
      const event = await paidEvent(db, 5);
      const p = await buyTicket(db, ana!, event, { guests: 1 });
      expect(p).toMatchObject({ status: "open", amount_cents: 4000, seats: 2, waitlisted: false });
      expect(p.hold_expires_at!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
      let row = await eventRow(db, event);
      expect([row.seats_taken, row.going_count], "held, not going").toEqual([2, 0]);
      expect(await applyPayment(db, p.payment_id!, "succeeded")).toBe("succeeded");
      row = await eventRow(db, event);
      expect([row.seats_taken, row.going_count]).toEqual([2, 1]);
      expect(await confirmed(db, event)).toEqual([ana]);
      // replays change nothing
      expect(await applyPayment(db, p.payment_id!, "succeeded")).toBe("succeeded");
      expect(await applyPayment(db, p.payment_id!, "open")).toBe("succeeded");
      row = await eventRow(db, event);
      expect([row.seats_taken, row.going_count]).toEqual([2, 1]);
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${event}, 0, 'another-key-1')`),
      ).toEqual(["PT409", "already_attending"]);
    });
  });

  it("a retry with the same key returns the same payment; the key cannot be reused for another purchase", async () => {
    await withDb(async (db) => {
      const [ana] = await db.createUsers(1);
      const event = await paidEvent(db, 5);
      const a = await buyTicket(db, ana!, event, { key: "retry-key-123" });
      const b = await buyTicket(db, ana!, event, { key: "retry-key-123" });
      expect(b.payment_id).toBe(a.payment_id);
      expect((await eventRow(db, event)).seats_taken).toBe(1);
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${event}, 2, 'retry-key-123')`),
      ).toEqual(["PT409", "idempotency_conflict"]);
      expect(await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${event}, 0, 'x')`)).toEqual([
        "22023",
        "invalid_idempotency_key",
      ]);
      expect(
        await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${event}, 11, 'valid-key-99')`),
      ).toEqual(["22023", "invalid_guests"]);
    });
  });

  it("free events need no ticket; a tiered event needs the tier; RSVP going to a paid event stays ticket_required", async () => {
    await withDb(async (db) => {
      await premiumCatalog(db);
      const [organizer, ana] = await db.createUsers(2);
      const free = await createEvent(db, organizer!, { capacity: 5 });
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${free.id}, 0, 'free-key-123')`),
      ).toEqual(["PT409", "ticket_not_needed"]);
      const tiered = await paidEvent(db, 5, "plus");
      await db.as(ana!);
      expect(
        await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${tiered}, 0, 'tier-key-123')`),
      ).toEqual(["42501", "tier_required"]);
      expect(await refused(db, (tx) => tx`select * from social.rsvp_event(${tiered}, 'going')`)).toEqual([
        "42501",
        "tier_required",
      ]);
      await applySubscription(db, ana!, { status: "active", tier: "plus" });
      expect((await buyTicket(db, ana!, tiered)).status).toBe("open");
      await db.as(ana!);
      expect(await refused(db, (tx) => tx`select * from social.rsvp_event(${tiered}, 'going')`)).toEqual([
        "42501",
        "ticket_required",
      ]);
      await db.asAnon();
      expect(
        (await refused(db, (tx) => tx`select * from social.start_ticket_purchase(${tiered}, 0, 'anon-key-123')`))[0],
      ).toBe("42501");
    });
  });

  it("sold out: buyers wait in line; an expired hold frees the seat and the next in line gets a hold", async () => {
    await withDb(async (db) => {
      const [ana, ben, cleo] = await db.createUsers(3);
      const event = await paidEvent(db, 1);
      const a = await buyTicket(db, ana!, event);
      expect(a.status).toBe("open");
      const b = await buyTicket(db, ben!, event);
      expect(b).toMatchObject({ status: "waitlisted", waitlisted: true, waitlist_position: 1, payment_id: null });
      const c = await buyTicket(db, cleo!, event);
      expect(c).toMatchObject({ waitlisted: true, waitlist_position: 2 });
      expect(await waitlist(db, event)).toEqual([ben, cleo]);
      await db.asSuperuser();
      await db.q`update social.payments set hold_expires_at = now() - interval '1 second' where id = ${a.payment_id!}`;
      await db.asService();
      const [job] = await db.q`select social.expire_ticket_holds() as n`;
      expect(job!.n).toBe(1);
      await db.asSuperuser();
      expect((await db.q`select status, seats_held from social.payments where id = ${a.payment_id!}`)[0]).toEqual({
        status: "expired",
        seats_held: false,
      });
      const [held] = await db.q<{ id: string; seats_held: boolean }[]>`
        select id, seats_held from social.payments where user_id = ${ben!} and event_id = ${event}`;
      expect(held!.seats_held, "ben was promoted to a hold").toBe(true);
      expect(await waitlist(db, event)).toEqual([cleo]);
      const [note] =
        await db.q`select kind::text from social.notifications where recipient_id = ${ben!} and kind = 'event_promoted'`;
      expect(note).toEqual({ kind: "event_promoted" });
      // ben's purchase pays the hold he was given
      const again = await buyTicket(db, ben!, event);
      expect(again.payment_id).toBe(held!.id);
      expect(await applyPayment(db, held!.id, "succeeded")).toBe("succeeded");
      expect(await confirmed(db, event)).toEqual([ben]);
      // ana pays late: no seat is left, so her payment is refund_due, and the refund settles it
      expect(await applyPayment(db, a.payment_id!, "succeeded")).toBe("refund_due");
      expect(await confirmed(db, event)).toEqual([ben]);
      expect(await applyPayment(db, a.payment_id!, "refunded")).toBe("refunded");
      const row = await eventRow(db, event);
      expect([row.seats_taken, row.going_count, row.waitlist_count]).toEqual([1, 1, 1]);
    });
  });

  it("a late payment takes a seat that is still free", async () => {
    await withDb(async (db) => {
      const [ana] = await db.createUsers(1);
      const event = await paidEvent(db, 3);
      const a = await buyTicket(db, ana!, event);
      await db.asSuperuser();
      await db.q`update social.payments set hold_expires_at = now() - interval '1 second' where id = ${a.payment_id!}`;
      await db.asService();
      await db.q`select social.expire_ticket_holds()`;
      expect((await eventRow(db, event)).seats_taken).toBe(0);
      expect(await applyPayment(db, a.payment_id!, "succeeded")).toBe("succeeded");
      expect(await confirmed(db, event)).toEqual([ana]);
    });
  });

  it("a refund frees the seat and promotes the waitlist; a cancelled payment frees its hold", async () => {
    await withDb(async (db) => {
      const [ana, ben, cleo] = await db.createUsers(3);
      const event = await paidEvent(db, 1);
      const a = await buyTicket(db, ana!, event);
      await applyPayment(db, a.payment_id!, "succeeded");
      await buyTicket(db, ben!, event);
      expect(await applyPayment(db, a.payment_id!, "refunded")).toBe("refunded");
      expect(await confirmed(db, event)).toEqual([]);
      await db.asSuperuser();
      const [benHold] = await db.q<
        { id: string }[]
      >`select id from social.payments where user_id = ${ben!} and seats_held`;
      expect(benHold, "ben holds the freed seat").toBeDefined();
      await buyTicket(db, cleo!, event);
      expect(await applyPayment(db, benHold!.id, "canceled")).toBe("canceled");
      await db.asSuperuser();
      const [cleoHold] = await db.q`select 1 from social.payments where user_id = ${cleo!} and seats_held`;
      expect(cleoHold, "cleo holds it next").toBeDefined();
      expect((await eventRow(db, event)).seats_taken).toBe(1);
      // replays in any order end the same
      for (const s of ["refunded", "succeeded", "open", "refunded"] as const) await applyPayment(db, a.payment_id!, s);
      expect(await confirmed(db, event)).toEqual([]);
      expect((await eventRow(db, event)).seats_taken).toBe(1);
    });
  });

  it("200 concurrent purchases on 25 seats, then payments in random order: never oversold", async () => {
    const url = inject("dbUrl");
    const pool = postgres(url, { max: 16, onnotice: () => {} });
    const ids = Array.from({ length: 201 }, () => randomUUID());
    const [organizer, ...buyers] = ids as [string, ...string[]];
    const as = <T>(user: string, fn: (tx: postgres.TransactionSql) => Promise<T>) =>
      pool.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: user, role: "authenticated" })}, true)`;
        await tx.unsafe("set local role authenticated");
        return fn(tx);
      }) as Promise<T>;
    const service = <T>(fn: (tx: postgres.TransactionSql) => Promise<T>) =>
      pool.begin(async (tx) => {
        await tx.unsafe("set local role service_role");
        return fn(tx);
      }) as Promise<T>;
    try {
      await pool`
        insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, email_confirmed_at)
        select u, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', u || '@ticket-race.test', '{}', now()
        from unnest(${ids}::uuid[]) u`;
      await pool`update social_private.rate_limit_rules set per_minute = 1000 where action = 'ticket'`;
      const event = await as(organizer, async (tx) => {
        const [row] = await tx`select id from social.create_event(${tx.json({
          title: "Race",
          starts_at: new Date(Date.now() + 86400_000).toISOString(),
          ends_at: new Date(Date.now() + 90000_000).toISOString(),
          capacity: 25,
        })})`;
        await tx`select social.publish_event(${row!.id}, false)`;
        return row!.id as string;
      });
      await pool`update social.events set price_cents = 1500, currency = 'EUR' where id = ${event}`;
      const results = await Promise.all(
        buyers.map((b) =>
          as(b, async (tx) => {
            const [r] =
              await tx`select payment_id, waitlisted from social.start_ticket_purchase(${event}, 0, ${`race-${b}`})`;
            return r as { payment_id: string | null; waitlisted: boolean };
          }),
        ),
      );
      expect(results.filter((r) => !r.waitlisted)).toHaveLength(25);
      expect(results.filter((r) => r.waitlisted)).toHaveLength(175);
      const seatsOver = async () => {
        const [r] = await pool`
          select e.capacity, e.seats_taken,
            (select coalesce(sum(1 + guests), 0)::int from social.event_rsvps r where r.event_id = e.id and r.status = 'going' and r.waitlist_seq is null) as seated,
            (select coalesce(sum(seats), 0)::int from social.payments p where p.event_id = e.id and p.seats_held) as held
          from social.events e where e.id = ${event}`;
        expect(r!.seats_taken, "seats_taken = seated + held").toBe(r!.seated + r!.held);
        return r!.seated + r!.held - r!.capacity;
      };
      // three rounds: every open hold's payment resolves at once in random order (two in three
      // succeed, the rest are cancelled, promoting the next in line), replays included
      for (let round = 0; round < 3; round++) {
        const open = await pool<
          { id: string }[]
        >`select id from social.payments where event_id = ${event} and status = 'open'`;
        const applies = open.flatMap((p, i) => {
          const state = i % 3 === 2 ? "canceled" : "succeeded";
          return [state, state].map((s) => ({ id: p.id, s }));
        });
        applies.sort(() => Math.random() - 0.5);
        await Promise.all(
          applies.map((a) =>
            service((tx) => tx`select social.apply_stripe_payment(${tx.json({ payment_id: a.id, state: a.s })})`),
          ),
        );
        expect(await seatsOver(), `round ${round}`).toBeLessThanOrEqual(0);
      }
      const [paid] = await pool`
        select count(*)::int as n from social.payments where event_id = ${event} and status = 'succeeded'`;
      const seated =
        await pool`select 1 from social.event_rsvps where event_id = ${event} and status = 'going' and waitlist_seq is null`;
      expect(seated.length, "every success is a seat").toBe(paid!.n);
      expect(seated.length).toBeLessThanOrEqual(25);
      expect(await seatsOver()).toBeLessThanOrEqual(0);
    } finally {
      await pool`update social_private.rate_limit_rules set per_minute = 10 where action = 'ticket'`;
      await pool`delete from social.payments where user_id = any(${ids}::uuid[])`;
      await pool`delete from auth.users where id = any(${ids}::uuid[])`;
      await pool.end({ timeout: 5 });
    }
  });
});

describe("boosts", () => {
  async function buyBoost(db: TestDb, user: string, type: "event" | "profile", target: string, hours = 24) {
    await db.as(user);
    const [row] = await db.q<{ payment_id: string; amount_cents: number; status: string }[]>`
      select * from social.start_boost_purchase(${type}, ${target}, ${hours}, ${`boost-${randomUUID()}`})`;
    return row!;
  }
  async function boostedEvents(db: TestDb, who: string | null) {
    if (who) await db.as(who);
    else await db.asAnon();
    return (await db.q<{ id: string }[]>`select id from social.boosted_events()`).map((r) => r.id);
  }
  async function boostedProfiles(db: TestDb, who: string) {
    await db.as(who);
    return (await db.q<{ id: string }[]>`select id from social.boosted_profiles()`).map((r) => r.id);
  }

  it("a paid boost shows the event first for its window, to those who may see it, and stops by itself", async () => {
    await withDb(async (db) => {
      const [organizer, follower, stranger] = await db.createUsers(3);
      const publicEvent = await createEvent(db, organizer!, { capacity: 10 });
      const followersEvent = await createEvent(db, organizer!, { visibility: "followers" });
      await db.as(follower!);
      await db.q`select social.follow(${organizer!})`;
      const a = await buyBoost(db, organizer!, "event", publicEvent.id, 72);
      expect(a).toMatchObject({ status: "open", amount_cents: 1500 });
      const b = await buyBoost(db, organizer!, "event", followersEvent.id);
      expect(await boostedEvents(db, stranger!), "not before the payment succeeds").toEqual([]);
      expect(await applyPayment(db, a.payment_id, "succeeded")).toBe("succeeded");
      expect(await applyPayment(db, b.payment_id, "succeeded")).toBe("succeeded");
      // replays do not move the window
      await db.asSuperuser();
      const [w1] = await db.q`select starts_at, ends_at from social.boosts where payment_id = ${a.payment_id}`;
      expect(w1!.ends_at.getTime() - w1!.starts_at.getTime()).toBe(72 * 3600_000);
      await applyPayment(db, a.payment_id, "succeeded");
      await db.asSuperuser();
      expect((await db.q`select starts_at, ends_at from social.boosts where payment_id = ${a.payment_id}`)[0]).toEqual(
        w1,
      );
      expect((await boostedEvents(db, follower!)).sort()).toEqual([publicEvent.id, followersEvent.id].sort());
      expect(await boostedEvents(db, stranger!), "a followers-only event stays hidden from a stranger").toEqual([
        publicEvent.id,
      ]);
      expect(await boostedEvents(db, null), "anon sees the public one").toEqual([publicEvent.id]);
      await db.as(follower!);
      const [row] = await db.q`select boosted_until from social.boosted_events() where id = ${publicEvent.id}`;
      expect(row!.boosted_until.getTime()).toBe(w1!.ends_at.getTime());
      // the window closes: gone at the next read, no job needed
      await db.asSuperuser();
      await db.q`update social.boosts set starts_at = now() - interval '73 hours', ends_at = now() - interval '1 hour'
                 where payment_id = ${a.payment_id}`;
      expect(await boostedEvents(db, stranger!)).toEqual([]);
    });
  });

  it("a refund ends a boost at once; a profile boost is never shown across a block", async () => {
    await withDb(async (db) => {
      const [ana, ben, blocked] = await db.createUsers(3);
      const p = await buyBoost(db, ana!, "profile", ana!, 168);
      expect(p.amount_cents).toBe(3500);
      await applyPayment(db, p.payment_id, "succeeded");
      expect(await boostedProfiles(db, ben!)).toEqual([ana]);
      await db.as(ana!);
      await db.q`select social.block(${blocked!})`;
      expect(await boostedProfiles(db, blocked!), "blocked by the booster").toEqual([]);
      expect(await applyPayment(db, p.payment_id, "refunded")).toBe("refunded");
      expect(await boostedProfiles(db, ben!), "refunded: stopped").toEqual([]);
      expect(await applyPayment(db, p.payment_id, "succeeded"), "a late replay does not restart it").toBe("refunded");
      expect(await boostedProfiles(db, ben!)).toEqual([]);
    });
  });

  it("only one's own profile, or an event one organizes, is boosted; bad input changes nothing", async () => {
    await withDb(async (db) => {
      const [organizer, other] = await db.createUsers(2);
      const e = await createEvent(db, organizer!);
      await db.as(other!);
      expect(
        await refused(
          db,
          (tx) => tx`select * from social.start_boost_purchase('profile', ${organizer!}, 24, 'boost-key-0001')`,
        ),
      ).toEqual(["42501", "not_allowed"]);
      expect(
        await refused(
          db,
          (tx) => tx`select * from social.start_boost_purchase('event', ${e.id}, 24, 'boost-key-0002')`,
        ),
      ).toEqual(["42501", "not_event_organizer"]);
      expect(
        await refused(db, (tx) => tx`select * from social.start_boost_purchase('event', ${e.id}, 5, 'boost-key-0003')`),
      ).toEqual(["22023", "invalid_input"]);
      expect(
        await refused(
          db,
          (tx) => tx`select * from social.start_boost_purchase('group', ${e.id}, 24, 'boost-key-0004')`,
        ),
      ).toEqual(["22023", "invalid_target"]);
      await db.asSuperuser();
      expect(await db.q`select 1 from social.payments where user_id = ${other!}`).toHaveLength(0);
      expect(await db.q`select 1 from social.boosts where user_id = ${other!}`).toHaveLength(0);
      // a retry with the same key returns the same payment
      const a = await buyBoost(db, organizer!, "event", e.id);
      await db.as(organizer!);
      const [again] =
        await db.q`select payment_id from social.start_boost_purchase('event', ${e.id}, 24, ${"boost-key-0005"})`;
      const [again2] =
        await db.q`select payment_id from social.start_boost_purchase('event', ${e.id}, 24, ${"boost-key-0005"})`;
      expect(again!.payment_id).toBe(again2!.payment_id);
      expect(again!.payment_id).not.toBe(a.payment_id);
      // clients do not write boosts
      const e2 = await db.error((tx) => tx`update social.boosts set ends_at = now() + interval '1 year'`);
      expect(e2.code).toBe("42501");
    });
  });
});

/**
 * Joining channels on the local Realtime server through supabase-js: who may join which topic
 * (the user's RLS on realtime.messages, checked as that user), the API key at the door, tokens,
 * and the error messages in Realtime's own words.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  client,
  ensureTestPolicies,
  join,
  rawSocket,
  sideStack,
  testTopic,
  token,
  user,
} from "../fixtures/realtime.ts";
import { api } from "../helpers/api.ts";

beforeAll(ensureTestPolicies);

const refusal = (topic: string) =>
  `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;

describe("private channels: the user topic rule (user:<id>)", () => {
  test("a user joins their own topic; another user, anon and a forged identity are refused", async () => {
    const [ben, cleo] = await Promise.all([user("ben"), user("cleo")]);
    const topic = `user:${ben.id}`;
    const cases: [string, ReturnType<typeof client>, boolean][] = [
      ["ben (own topic)", ben.supabase, true],
      ["cleo (someone else's topic)", cleo.supabase, false],
      ["anon (publishable key, no session)", client(), false],
    ];
    for (const [who, supabase, allowed] of cases) {
      const outcome = await join(supabase.channel(topic, { config: { private: true } }));
      if (allowed) expect(outcome.status, `as ${who}: ${outcome.error?.message}`).toBe("SUBSCRIBED");
      else {
        expect(outcome.status, `as ${who}`).toBe("CHANNEL_ERROR");
        expect(outcome.error?.message, `as ${who}`).toBe(refusal(topic));
      }
      await supabase.removeAllChannels();
    }
  });

  test("the service role (secret key) joins any user topic, as its BYPASSRLS does on Supabase", async () => {
    const ben = await user("ben");
    const service = client({ key: api().secretKey });
    const outcome = await join(service.channel(`user:${ben.id}`, { config: { private: true } }));
    expect(outcome.status, outcome.error?.message).toBe("SUBSCRIBED");
    await service.removeAllChannels();
  });

  test("a token for another user, signed with the project secret, joins only that user's topic", async () => {
    const [ben, cleo] = await Promise.all([user("ben"), user("cleo")]);
    const rt = client().realtime;
    rt.setAuth(token({ sub: cleo.id }));
    expect((await join(rt.channel(`user:${cleo.id}`, { config: { private: true } }))).status).toBe("SUBSCRIBED");
    const other = await join(rt.channel(`user:${ben.id}`, { config: { private: true } }));
    expect(other.error?.message).toBe(refusal(`user:${ben.id}`));
    await rt.removeAllChannels();
  });
});

describe("private channels: reader and writer rules (test topics)", () => {
  test("listed readers join, everyone else is refused; presence is checked when enabled", async () => {
    const [ana, ben, cleo] = await Promise.all([user("ana"), user("ben"), user("cleo")]);
    const topic = testTopic([ana.id, ben.id], [ana.id]);
    for (const [who, u, allowed] of [
      ["ana (reader, writer)", ana, true],
      ["ben (reader)", ben, true],
      ["cleo (stranger)", cleo, false],
    ] as const) {
      const outcome = await join(u.supabase.channel(topic, { config: { private: true, presence: { enabled: true } } }));
      expect(outcome.status, `as ${who}: ${outcome.error?.message}`).toBe(allowed ? "SUBSCRIBED" : "CHANNEL_ERROR");
      await u.supabase.removeAllChannels();
    }
  });

  test("a topic without a policy refuses everyone but the service role", async () => {
    const ana = await user("ana");
    const topic = `no-policy:${ana.id}`;
    const outcome = await join(ana.supabase.channel(topic, { config: { private: true } }));
    expect(outcome.error?.message).toBe(refusal(topic));
    const service = client({ key: api().secretKey });
    expect((await join(service.channel(topic, { config: { private: true } }))).status).toBe("SUBSCRIBED");
    await Promise.all([ana.supabase.removeAllChannels(), service.removeAllChannels()]);
  });
});

describe("public channels", () => {
  test("anyone with the API key joins a public channel while public channels are allowed", async () => {
    const ana = await user("ana");
    for (const [who, supabase] of [
      ["anon", client()],
      ["ana", ana.supabase],
    ] as const) {
      expect((await join(supabase.channel("lobby"))).status, `as ${who}`).toBe("SUBSCRIBED");
      await supabase.removeAllChannels();
    }
  });

  test("with public access switched off only private channels can be joined", async () => {
    const side = await sideStack({ privateOnly: true });
    try {
      const ben = await user("ben", { url: side.url });
      const pub = await join(ben.supabase.channel("lobby"));
      expect(pub.status).toBe("CHANNEL_ERROR");
      expect(pub.error?.message).toBe("PrivateOnly: This project only allows private channels");
      const own = await join(ben.supabase.channel(`user:${ben.id}`, { config: { private: true } }));
      expect(own.status, own.error?.message).toBe("SUBSCRIBED");
      await ben.supabase.removeAllChannels();
    } finally {
      await side.close();
    }
  });
});

describe("tokens and keys", () => {
  test("a bad, expired or incomplete token is refused at join with Realtime's reason", async () => {
    const ben = await user("ben");
    const topic = `user:${ben.id}`;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, string | RegExp][] = [
      ["malformed", "not-a-jwt", "MalformedJWT: The token provided is not a valid JWT"],
      [
        "signed with another secret",
        token({ sub: ben.id }, "another-secret-another-secret-another-secret"),
        "JwtSignatureError: Failed to validate JWT signature",
      ],
      ["expired", token({ sub: ben.id, exp: now - 30 }), /^InvalidJWTToken: Token has expired (30|31|32) seconds ago$/],
      [
        "without a role",
        token({ sub: ben.id, role: undefined }),
        "InvalidJWTToken: Fields `role` and `exp` are required in JWT",
      ],
    ];
    for (const [label, jwt, reason] of cases) {
      const rt = client().realtime;
      rt.setAuth(jwt);
      const outcome = await join(rt.channel(topic, { config: { private: true } }));
      expect(outcome.status, label).toBe("CHANNEL_ERROR");
      expect(outcome.error?.message, label).toMatch(reason);
      await rt.removeAllChannels();
      rt.disconnect();
    }
  });

  test("the socket needs the publishable or secret key, as the API gateway does", async () => {
    const missing = await rawSocket({ vsn: "2.0.0" });
    expect(missing.status).toBe(401);
    expect(missing.ws === null && JSON.parse(missing.body).message).toBe("No API key found in request");
    const wrong = await rawSocket({ vsn: "2.0.0", apikey: "sb_publishable_nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.ws === null && JSON.parse(wrong.body).message).toBe("Invalid API key");
    const badVsn = await rawSocket({ vsn: "3.0.0", apikey: api().publishableKey });
    expect(badVsn.status).toBe(403);
    for (const key of [api().publishableKey, api().secretKey]) {
      const ok = await rawSocket({ vsn: "2.0.0", apikey: key });
      expect(ok.status).toBeNull();
      ok.ws?.close();
    }
  });

  test("a channel needs a topic name, and Postgres Changes are refused", async () => {
    const supabase = client();
    const empty = await join(supabase.channel(""));
    expect(empty.error?.message).toBe("TopicNameRequired: You must provide a topic name");
    const changes = supabase
      .channel("changes")
      .on("postgres_changes", { event: "*", schema: "social", table: "posts" }, () => {});
    const outcome = await join(changes);
    expect(outcome.status).toBe("CHANNEL_ERROR");
    expect(outcome.error?.message).toMatch(/^PostgresChangesNotSupported: /);
    await supabase.removeAllChannels();
  });
});

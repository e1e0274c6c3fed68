/**
 * Realtime's HTTP Broadcast API, what supabase-js uses to send without subscribing:
 *  - `POST /realtime/v1/api/broadcast` with `{ messages: [{ topic, event, payload, private?, id? }] }`
 *    (`channel.send()` before the channel joined); private messages of a topic the caller may not
 *    write to are skipped, as upstream's BatchBroadcast does;
 *  - `POST /realtime/v1/api/broadcast/:topic/events/:event[?private=true]` with a JSON or
 *    `application/octet-stream` body (`channel.httpSend()`); 403 when the caller may not write.
 * Both answer 202 with an empty body. The caller is the bearer token (a user's JWT) or, without
 * one, the API key's role. Follows lib/realtime_web/controllers/broadcast_controller.ex,
 * broadcast_single_controller.ex, lib/realtime/tenants/batch_broadcast.ex and single_broadcast.ex.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthorizationError, type Authorizer, emptyPolicies } from "./authorization.ts";
import { verifyJwt } from "./jwt.ts";
import type { ApiKeys } from "./keys.ts";
import type { Outbound } from "./server.ts";

export interface BroadcastApiDeps {
  apiKeys: ApiKeys;
  jwtSecret: string;
  authorizer: Authorizer;
  log: (line: string) => void;
  send(subTopic: string, isPrivate: boolean, message: Outbound): void;
}

const MAX_PAYLOAD_BYTES = 3000 * 1000 + 500;
const MAX_BODY_BYTES = 8 * 1000 * 1000;

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "authorization, apikey, content-type, x-client-info",
};

function respond(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...CORS,
    ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** Plug.Parsers.JSON: an object stays as is; any other JSON value arrives as `{ _json: value }`. */
function parseJsonBody(body: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false } {
  if (body.length === 0) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    return { ok: true, value: isObject(value) ? value : { _json: value } };
  } catch {
    return { ok: false };
  }
}

function mediaType(req: IncomingMessage): string | null {
  const header = req.headers["content-type"];
  if (!header) return null;
  return header.split(";")[0]!.trim().toLowerCase();
}

export async function handleBroadcastApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: BroadcastApiDeps) {
  try {
    const rest = url.pathname.slice("/realtime/v1/api".length);
    const single = /^\/broadcast\/([^/]+)\/events\/([^/]+)\/?$/.exec(rest);
    const batch = /^\/broadcast\/?$/.test(rest);
    if (!single && !batch) return respond(res, 404, { errors: { detail: "Not Found" } });
    if (req.method === "OPTIONS") return respond(res, 204);
    if (req.method !== "POST") return respond(res, 404, { errors: { detail: "Not Found" } });

    // the API gateway: a publishable or secret key
    const key = deps.apiKeys.check(req, url.searchParams);
    if (!key.ok) return respond(res, key.status, key.body, { "sb-error-code": key.code });

    // AuthTenant: the bearer token, else the API key
    const authorization = req.headers.authorization;
    let token: string | null = key.token;
    if (authorization) {
      const [scheme, value] = authorization.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !value) return respond(res, 401, { message: "Unauthorized" });
      token = value.startsWith("sb_") ? deps.apiKeys.tokenFor(value) : value;
    }
    const verified = token ? verifyJwt(token, deps.jwtSecret) : null;
    if (!verified?.ok) return respond(res, 401, { message: "Unauthorized" });
    const claims = verified.claims;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
    }
    const mayWrite = async (topic: string) => {
      const policies = await deps.authorizer.write(
        emptyPolicies(),
        {
          topic,
          claims,
          role: claims.role,
          sub: typeof claims.sub === "string" ? claims.sub : null,
          headers,
        },
        ["broadcast"],
      );
      return policies.broadcast.write === true;
    };

    if (single) {
      const type = mediaType(req);
      if (type !== null && type !== "application/json" && type !== "application/octet-stream") {
        return respond(res, 415, {
          error: "Unsupported Media Type. Use application/json or application/octet-stream",
        });
      }
      const topic = decodeURIComponent(single[1]!);
      const event = decodeURIComponent(single[2]!);
      const isPrivate = ["true", "1"].includes(url.searchParams.get("private") ?? "");
      const body = await readBody(req);
      if (body === null) return respond(res, 413, { message: "Payload Too Large" });
      let message: Outbound;
      if (type === "application/octet-stream") {
        if (body.length > MAX_PAYLOAD_BYTES) {
          return respond(res, 422, { errors: { payload: ["Payload size exceeds tenant limit"] } });
        }
        message = { type: "user", broadcast: { event, encoding: "binary", body, metadata: null }, messageId: null };
      } else {
        const parsed = parseJsonBody(body);
        if (!parsed.ok) return respond(res, 400, { errors: { detail: "Bad Request" } });
        const text = Buffer.from(JSON.stringify(parsed.value), "utf8");
        if (text.length > MAX_PAYLOAD_BYTES) {
          return respond(res, 422, { errors: { payload: ["Payload size exceeds tenant limit"] } });
        }
        message = {
          type: "user",
          broadcast: { event, encoding: "json", body: text, metadata: null },
          messageId: null,
        };
      }
      if (isPrivate) {
        try {
          if (!(await mayWrite(topic))) return respond(res, 403, { message: "Unauthorized" });
        } catch (error) {
          deps.log(`[realtime] broadcast API: ${(error as Error).message}`);
          const message =
            error instanceof AuthorizationError && error.kind === "rls_policy_error"
              ? "RLS policy error"
              : "Tenant database unavailable";
          return respond(res, 422, { message });
        }
      }
      deps.send(topic, isPrivate, message);
      return respond(res, 202);
    }

    // batch
    const body = await readBody(req);
    if (body === null) return respond(res, 413, { message: "Payload Too Large" });
    const type = mediaType(req);
    const parsed = type === null || type === "application/json" ? parseJsonBody(body) : { ok: true, value: {} };
    if (!parsed.ok) return respond(res, 400, { errors: { detail: "Bad Request" } });
    const messages = (parsed as { value: Record<string, unknown> }).value.messages;
    if (messages === undefined || messages === null) {
      return respond(res, 422, { errors: { messages: ["can't be blank"] } });
    }
    if (!Array.isArray(messages) || !messages.every(isObject)) {
      return respond(res, 422, { errors: { messages: ["is invalid"] } });
    }
    let invalid = false;
    const errors = messages.map((m) => {
      const e: Record<string, string[]> = {};
      for (const field of ["topic", "event"] as const) {
        if (blank(m[field])) e[field] = ["can't be blank"];
        else if (typeof m[field] !== "string") e[field] = ["is invalid"];
      }
      if (m.payload === undefined || m.payload === null) e.payload = ["can't be blank"];
      else if (!isObject(m.payload)) e.payload = ["is invalid"];
      else if (Buffer.byteLength(JSON.stringify(m.payload)) > MAX_PAYLOAD_BYTES) {
        e.payload = ["Payload size exceeds tenant limit"];
      }
      if (m.private !== undefined && m.private !== null && typeof m.private !== "boolean") e.private = ["is invalid"];
      if (m.id !== undefined && m.id !== null && typeof m.id !== "string") e.id = ["is invalid"];
      if (Object.keys(e).length > 0) invalid = true;
      return e;
    });
    if (invalid) return respond(res, 422, { errors: { messages: errors } });

    const allowed = new Map<string, boolean>();
    for (const m of messages) {
      const topic = m.topic as string;
      const isPrivate = m.private === true;
      if (isPrivate && !allowed.has(topic)) {
        try {
          allowed.set(topic, await mayWrite(topic));
        } catch (error) {
          deps.log(`[realtime] broadcast API: ${(error as Error).message}`);
          allowed.set(topic, false);
        }
      }
      if (isPrivate && !allowed.get(topic)) continue;
      const payload: Record<string, unknown> = { payload: m.payload, event: m.event, type: "broadcast" };
      if (typeof m.id === "string") payload.meta = { id: m.id };
      const messageId = typeof m.id === "string" ? m.id : null;
      deps.send(topic, isPrivate, { type: "json", event: "broadcast", payload, messageId });
    }
    return respond(res, 202);
  } catch (error) {
    deps.log(`[realtime] broadcast API: ${(error as Error).stack ?? error}`);
    if (!res.headersSent) respond(res, 500, { message: "Unknown error" });
  }
}

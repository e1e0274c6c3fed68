/**
 * A development server that speaks Supabase Realtime's protocol (Broadcast, Presence, Realtime
 * Authorization, Broadcast from the database, the HTTP broadcast API) for the local stack, so
 * `supabase.channel(...)` works unchanged against `npm start` and in tests. Production uses
 * Supabase Realtime; scripts/realtime/README.md says what this server does not do.
 *
 * Read alongside Supabase Realtime's lib/realtime_web/channels/realtime_channel.ex (join, access
 * token refresh, shutdown), realtime_channel/broadcast_handler.ex, presence_handler.ex and
 * message_dispatcher.ex: the behaviour and the error messages follow them.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import postgres from "postgres";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import {
  type AuthorizationContext,
  AuthorizationError,
  Authorizer,
  type Extension,
  emptyPolicies,
  type Policies,
} from "./authorization.ts";
import { handleBroadcastApi } from "./http.ts";
import { type Claims, verifyJwt } from "./jwt.ts";
import { ApiKeys, type ProjectKeys } from "./keys.ts";
import { type PresenceDiff, PresenceRegistry } from "./presence.ts";
import { type DatabaseMessage, startReplication } from "./replication.ts";
import {
  decode,
  encodeBroadcast,
  encodeMessage,
  encodeReply,
  encodeUserBroadcast,
  type Inbound,
  ProtocolError,
  parseVsn,
  type UserBroadcast,
  type Vsn,
} from "./serializer.ts";

export interface RealtimeOptions {
  dbUrl: string;
  keys: ProjectKeys;
  /**
   * Supabase's "Allow public access" switched off (`private_only`): only private channels may be
   * joined. Off by default, as for a new Supabase project.
   */
  privateOnly?: boolean;
  /** Close a socket that sent nothing (not even a heartbeat) for this long; Phoenix's 60 s. */
  idleTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface RealtimeServer {
  /** Takes `/realtime/v1/websocket` upgrades; false for any other path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Takes `/realtime/v1/api/*` requests; false for any other path. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Why Broadcast from the database is off (null when it is on). */
  databaseBroadcastDisabled: string | null;
  stop(): Promise<void>;
}

export const REALTIME_PREFIX = "/realtime/v1";
const SOCKET_PATH = `${REALTIME_PREFIX}/websocket`;
/** Realtime's default tenant limits. */
export const MAX_PAYLOAD_BYTES = 3000 * 1000 + 500;
const MAX_CHANNELS_PER_CLIENT = 100;
const CONFIRM_TOKEN_INTERVAL_MS = 5 * 60_000;
const PRESENCE_CLIENT_LIMIT = { maxCalls: 5, windowMs: 30_000 };

interface Channel {
  id: string;
  conn: Connection;
  /** `realtime:<sub topic>` */
  topic: string;
  subTopic: string;
  joinRef: string | null;
  isPrivate: boolean;
  /** The hub key: public and private channels of one name are different topics. */
  tenantTopic: string;
  self: boolean;
  ack: boolean;
  presenceEnabled: boolean;
  presenceKey: string;
  accessToken: string;
  ctx: AuthorizationContext;
  /** null on public channels. */
  policies: Policies | null;
  replayed: Set<string>;
  confirmTimer: NodeJS.Timeout | null;
  presenceCalls: { count: number; resetAt: number };
  closed: boolean;
}

interface Connection {
  id: string;
  ws: WebSocket;
  vsn: Vsn;
  /** The JWT the API key stands for (anon or service_role). */
  tenantToken: string;
  /** `x-*` request headers, passed to policies as `request.headers`. */
  headers: Record<string, string>;
  channels: Map<string, Channel>;
  queue: Promise<void>;
  idleTimer: NodeJS.Timeout | null;
}

type Outbound =
  | { type: "user"; broadcast: UserBroadcast; messageId: string | null }
  | { type: "json"; event: string; payload: unknown; messageId: string | null };

const tenantTopicOf = (subTopic: string, isPrivate: boolean) => `${isPrivate ? "private" : "public"}:${subTopic}`;

/** Realtime's FlexibleBoolean: true/false, "true"/"false" (any case), absent = default. */
function flexibleBoolean(value: unknown, fallback = false): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (value.toLowerCase() === "true") return true;
    if (value.toLowerCase() === "false") return false;
  }
  return fallback;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function xHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-") && value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}

function jwtReason(kind: string, message: string): string {
  switch (kind) {
    case "expired_token":
    case "missing_claims":
      return `InvalidJWTToken: ${message}`;
    case "token_malformed":
      return `MalformedJWT: ${message}`;
    case "signature_error":
      return `JwtSignatureError: ${message}`;
    case "error_generating_signer":
      return `JwtSignerError: ${message}`;
    default:
      return "Unknown Error on Channel";
  }
}

export async function startRealtime(options: RealtimeOptions): Promise<RealtimeServer> {
  const log = options.log ?? (() => {});
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const apiKeys = new ApiKeys(options.keys);
  const sql = postgres(options.dbUrl, {
    max: 8,
    onnotice: () => {},
    idle_timeout: 30,
    connection: { application_name: "realtime_authorization" },
  });
  const authorizer = new Authorizer(sql);
  const presence = new PresenceRegistry();
  const hub = new Map<string, Set<Channel>>();
  const connections = new Set<Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 5_000_000, perMessageDeflate: false });

  // -------------------------------------------------------------------------------------------
  // sending
  // -------------------------------------------------------------------------------------------

  const sendRaw = (conn: Connection, data: string | Buffer) => {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(data);
  };
  const push = (channel: Channel, event: string, payload: unknown) =>
    sendRaw(
      channel.conn,
      encodeMessage(channel.conn.vsn, { joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload }),
    );
  const reply = (
    conn: Connection,
    m: { joinRef: string | null; ref: string | null; topic: string },
    status: "ok" | "error",
    response: unknown,
  ) => sendRaw(conn, encodeReply(conn.vsn, { joinRef: m.joinRef, ref: m.ref, topic: m.topic, status, response }));

  /** Deliver a broadcast to the topic's subscribers who may read it (encoded once per format). */
  function dispatch(tenantTopic: string, message: Outbound, from: Channel | null) {
    const channels = hub.get(tenantTopic);
    if (!channels) return;
    const cache = new Map<Vsn, string | Buffer | null>();
    for (const channel of channels) {
      if (channel === from || channel.closed) continue;
      if (channel.policies && channel.policies.broadcast.read !== true) continue;
      if (message.messageId && channel.replayed.has(message.messageId)) continue;
      const vsn = channel.conn.vsn;
      let encoded = cache.get(vsn);
      if (encoded === undefined) {
        encoded =
          message.type === "user"
            ? encodeUserBroadcast(vsn, channel.topic, message.broadcast)
            : encodeBroadcast(vsn, channel.topic, message.event, message.payload);
        cache.set(vsn, encoded);
      }
      if (encoded !== null) sendRaw(channel.conn, encoded);
    }
  }

  /** presence_diff goes to every subscriber that may read presence (public channels: all). */
  function dispatchPresence(tenantTopic: string, diff: PresenceDiff) {
    const channels = hub.get(tenantTopic);
    if (!channels) return;
    const cache = new Map<Vsn, string>();
    for (const channel of channels) {
      if (channel.closed) continue;
      if (channel.policies && channel.policies.presence.read !== true) continue;
      const vsn = channel.conn.vsn;
      let encoded = cache.get(vsn);
      if (encoded === undefined) {
        encoded = encodeBroadcast(vsn, channel.topic, "presence_diff", diff);
        cache.set(vsn, encoded);
      }
      sendRaw(channel.conn, encoded);
    }
  }

  // -------------------------------------------------------------------------------------------
  // channel lifecycle
  // -------------------------------------------------------------------------------------------

  function removeChannel(channel: Channel) {
    if (channel.closed) return;
    channel.closed = true;
    if (channel.confirmTimer) clearTimeout(channel.confirmTimer);
    if (channel.conn.channels.get(channel.topic) === channel) channel.conn.channels.delete(channel.topic);
    const members = hub.get(channel.tenantTopic);
    members?.delete(channel);
    if (members && members.size === 0) hub.delete(channel.tenantTopic);
    const diff = presence.untrack(channel.tenantTopic, channel.id);
    if (diff) dispatchPresence(channel.tenantTopic, diff);
  }

  /** The channel stops: `phx_close` as Phoenix sends when a channel process exits normally. */
  function closeChannel(channel: Channel) {
    removeChannel(channel);
    sendRaw(
      channel.conn,
      encodeMessage(channel.conn.vsn, {
        joinRef: channel.joinRef,
        ref: channel.joinRef,
        topic: channel.topic,
        event: "phx_close",
        payload: {},
      }),
    );
  }

  /** Realtime's shutdown_response: a `system` error message, then the channel closes. */
  function shutdown(channel: Channel, message: string) {
    if (channel.closed) return;
    log(`[realtime] ChannelShutdown: ${message}`);
    push(channel, "system", { extension: "system", status: "error", message, channel: channel.subTopic });
    closeChannel(channel);
  }

  /** Re-check the token at least every 5 minutes and when it expires, as Realtime does. */
  function scheduleConfirm(channel: Channel, exp: number) {
    if (channel.confirmTimer) clearTimeout(channel.confirmTimer);
    const wait = Math.min(CONFIRM_TOKEN_INTERVAL_MS, Math.max(0, exp * 1000 - Date.now()));
    channel.confirmTimer = setTimeout(() => {
      const result = verifyJwt(channel.accessToken, options.keys.jwtSecret);
      if (result.ok) scheduleConfirm(channel, result.claims.exp);
      else shutdown(channel, result.error.message);
    }, wait);
    channel.confirmTimer.unref();
  }

  const authContext = (conn: Connection, subTopic: string, claims: Claims): AuthorizationContext => ({
    topic: subTopic,
    claims,
    role: String(claims.role),
    sub: typeof claims.sub === "string" ? claims.sub : claims.sub === undefined ? null : String(claims.sub),
    headers: conn.headers,
  });

  const unauthorized = (subTopic: string) =>
    `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`;

  async function join(conn: Connection, m: Inbound & { kind: "message" }) {
    const existing = conn.channels.get(m.topic);
    // Phoenix closes a channel joined twice on one socket before the new join
    if (existing) closeChannel(existing);
    const fail = (reason: string) => {
      log(`[realtime] join ${m.topic} refused: ${reason}`);
      reply(conn, m, "error", { reason });
    };
    if (m.topic === "realtime:") return fail("TopicNameRequired: You must provide a topic name");
    const subTopic = m.topic.slice("realtime:".length);
    const params = isObject(m.payload) ? m.payload : {};
    const config = isObject(params.config) ? params.config : {};
    const broadcastConfig = isObject(config.broadcast) ? config.broadcast : {};
    const presenceConfig = isObject(config.presence) ? config.presence : {};
    const isPrivate = flexibleBoolean(config.private);
    const presenceEnabled = flexibleBoolean(presenceConfig.enabled);
    const given = typeof params.access_token === "string" ? params.access_token : params.user_token;
    const accessToken = typeof given === "string" && !given.startsWith("sb_") ? given : conn.tenantToken;

    if (options.privateOnly && !isPrivate) return fail("PrivateOnly: This project only allows private channels");
    if (conn.channels.size >= MAX_CHANNELS_PER_CLIENT) return fail("ChannelRateLimitReached: Too many channels");
    const verified = verifyJwt(accessToken, options.keys.jwtSecret);
    if (!verified.ok) return fail(jwtReason(verified.error.kind, verified.error.message));
    const postgresChanges = Array.isArray(config.postgres_changes)
      ? config.postgres_changes.filter((x) => x !== null)
      : [];
    if (postgresChanges.length > 0) {
      return fail(
        "PostgresChangesNotSupported: the local Realtime development server does not stream Postgres Changes; " +
          "use Broadcast (scripts/realtime/README.md)",
      );
    }
    const ctx = authContext(conn, subTopic, verified.claims);
    let policies: Policies | null = null;
    if (isPrivate) {
      try {
        const extensions: Extension[] = presenceEnabled ? ["broadcast", "presence"] : ["broadcast"];
        policies = await authorizer.read(emptyPolicies(), ctx, extensions);
      } catch (error) {
        if (error instanceof AuthorizationError && error.kind === "rls_policy_error") {
          log(`[realtime] RlsPolicyError: ${error.message}`);
          return fail(unauthorized(subTopic));
        }
        log(`[realtime] UnableToSetPolicies: ${(error as Error).message}`);
        return fail("Realtime was unable to connect to the project database");
      }
      if (!policies.broadcast.read && !policies.presence.read) return fail(unauthorized(subTopic));
    }

    let replay: Awaited<ReturnType<Authorizer["replay"]>> = [];
    if (broadcastConfig.replay !== undefined) {
      if (policies && policies.broadcast.read === false) return fail(unauthorized(subTopic));
      if (!isPrivate) return fail("UnableToReplayMessages: Replay is not allowed for public channels");
      const r = broadcastConfig.replay;
      const since = isObject(r) ? r.since : undefined;
      const limit = isObject(r) ? (r.limit ?? 25) : undefined;
      if (!Number.isInteger(since) || !Number.isInteger(limit)) {
        return fail("UnableToReplayMessages: Replay params are not valid");
      }
      try {
        replay = await authorizer.replay(subTopic, since as number, limit as number);
      } catch (error) {
        log(`[realtime] replay: ${(error as Error).message}`);
        return fail("UnableToReplayMessages: Realtime was unable to replay messages");
      }
    }
    if (conn.ws.readyState !== WebSocket.OPEN) return;

    const key = presenceConfig.key;
    const channel: Channel = {
      id: randomUUID(),
      conn,
      topic: m.topic,
      subTopic,
      joinRef: m.joinRef,
      isPrivate,
      tenantTopic: tenantTopicOf(subTopic, isPrivate),
      self: flexibleBoolean(broadcastConfig.self),
      ack: flexibleBoolean(broadcastConfig.ack),
      presenceEnabled,
      presenceKey: key === undefined || key === null || key === "" ? randomUUID() : String(key),
      accessToken,
      ctx,
      policies,
      replayed: new Set(replay.map((r) => r.id)),
      confirmTimer: null,
      presenceCalls: { count: 0, resetAt: 0 },
      closed: false,
    };
    conn.channels.set(m.topic, channel);
    let members = hub.get(channel.tenantTopic);
    if (!members) {
      members = new Set();
      hub.set(channel.tenantTopic, members);
    }
    members.add(channel);
    scheduleConfirm(channel, verified.claims.exp);
    reply(conn, m, "ok", { postgres_changes: [] });

    for (const row of replay) {
      const meta = { replayed: true, id: row.id };
      if (row.binary_payload) {
        if (conn.vsn === "2.0.0") {
          const frame = encodeUserBroadcast(conn.vsn, channel.topic, {
            event: row.event ?? "",
            encoding: "binary",
            body: row.binary_payload,
            metadata: meta,
          });
          if (frame) sendRaw(conn, frame);
        }
      } else {
        push(channel, "broadcast", {
          payload: row.payload === null ? null : JSON.parse(row.payload),
          event: row.event,
          type: "broadcast",
          meta,
        });
      }
    }
    if (presenceEnabled && (!isPrivate || policies?.presence.read === true)) {
      push(channel, "presence_state", presence.state(channel.tenantTopic));
    }
  }

  /**
   * Write access for a private channel, checked once for both extensions (as Realtime's
   * get_write_authorizations does by default) and kept until the token changes.
   */
  async function ensureWrite(channel: Channel, extension: Extension): Promise<Policies> {
    const policies = channel.policies!;
    if (policies[extension].write !== null) return policies;
    channel.policies = await authorizer.write(policies, channel.ctx, ["broadcast", "presence"]);
    return channel.policies;
  }

  async function handleBroadcast(channel: Channel, m: Inbound) {
    let outbound: Outbound;
    let size: number;
    if (m.kind === "user_broadcast_push") {
      // metadata sent by the client is not relayed (Realtime does not use it yet)
      outbound = {
        type: "user",
        broadcast: { event: m.event, encoding: m.encoding, body: m.body, metadata: null },
        messageId: null,
      };
      size = m.body.length;
    } else {
      if (!isObject(m.payload)) return;
      outbound = { type: "json", event: "broadcast", payload: m.payload, messageId: null };
      size = Buffer.byteLength(JSON.stringify(m.payload));
    }
    if (channel.isPrivate) {
      try {
        const policies = await ensureWrite(channel, "broadcast");
        if (policies.broadcast.write !== true) return;
      } catch (error) {
        log(`[realtime] UnableToHandleBroadcast: ${(error as Error).message}`);
        return;
      }
    }
    if (channel.closed) return;
    if (size > MAX_PAYLOAD_BYTES) {
      if (channel.ack) reply(channel.conn, m, "error", "payload_size_exceeded");
      return;
    }
    dispatch(channel.tenantTopic, outbound, channel.self ? null : channel);
    if (channel.ack) reply(channel.conn, m, "ok", {});
  }

  async function handlePresence(channel: Channel, m: Inbound & { kind: "message" }) {
    const payload = isObject(m.payload) ? m.payload : {};
    if (typeof payload.event !== "string") return reply(channel.conn, m, "ok", {});
    const now = Date.now();
    const calls = channel.presenceCalls;
    if (now > calls.resetAt) {
      calls.count = 1;
      calls.resetAt = now + PRESENCE_CLIENT_LIMIT.windowMs;
    } else if (calls.count >= PRESENCE_CLIENT_LIMIT.maxCalls) {
      return shutdown(channel, "Client presence rate limit exceeded");
    } else {
      calls.count++;
    }
    const event = payload.event.toLowerCase();
    if (event === "untrack") {
      const diff = presence.untrack(channel.tenantTopic, channel.id);
      if (diff) dispatchPresence(channel.tenantTopic, diff);
      return reply(channel.conn, m, "ok", {});
    }
    if (event !== "track") {
      log(`[realtime] UnknownPresenceEvent: ${event}`);
      return reply(channel.conn, m, "error", {});
    }
    if (channel.isPrivate) {
      try {
        let policies = channel.policies!;
        if (policies.presence.write === null) {
          // presence enabled by this track: authorize presence read now if the join skipped it
          if (policies.presence.read === null) {
            policies = await authorizer.read(policies, channel.ctx, ["broadcast", "presence"]);
            channel.policies = policies;
          }
          policies = await ensureWrite(channel, "presence");
        }
        if (policies.presence.write !== true) {
          log("[realtime] UnableToHandlePresence: unauthorized");
          return reply(channel.conn, m, "error", {});
        }
      } catch (error) {
        log(`[realtime] UnableToHandlePresence: ${(error as Error).message}`);
        return reply(channel.conn, m, "error", {});
      }
    }
    if (channel.closed) return;
    const tracked = payload.payload === undefined ? {} : payload.payload;
    if (!isObject(tracked)) return reply(channel.conn, m, "error", { reason: "Presence track payload must be a map" });
    if (Buffer.byteLength(JSON.stringify(tracked)) > MAX_PAYLOAD_BYTES) {
      return shutdown(channel, "Track message size exceeded");
    }
    const current = presence.current(channel.tenantTopic, channel.id);
    if (current === null || JSON.stringify(current) !== JSON.stringify(tracked)) {
      const diff = presence.track(channel.tenantTopic, channel.id, channel.presenceKey, tracked);
      dispatchPresence(channel.tenantTopic, diff);
    }
    channel.presenceEnabled = true;
    reply(channel.conn, m, "ok", {});
  }

  async function handleAccessToken(channel: Channel, m: Inbound & { kind: "message" }) {
    const token = isObject(m.payload) ? m.payload.access_token : undefined;
    if (typeof token !== "string" || token.startsWith("sb_") || token === channel.accessToken) return;
    const previous = channel.policies;
    channel.accessToken = token;
    const verified = verifyJwt(token, options.keys.jwtSecret);
    if (!verified.ok) return shutdown(channel, verified.error.message);
    channel.ctx = authContext(channel.conn, channel.subTopic, verified.claims);
    if (channel.isPrivate) {
      let policies: Policies;
      try {
        const extensions: Extension[] = channel.presenceEnabled ? ["broadcast", "presence"] : ["broadcast"];
        policies = await authorizer.read(emptyPolicies(), channel.ctx, extensions);
      } catch (error) {
        if (error instanceof AuthorizationError && error.kind === "rls_policy_error") {
          return shutdown(channel, `You do not have permissions to read from this Channel topic: ${channel.subTopic}`);
        }
        return shutdown(channel, "Realtime was unable to connect to the project database");
      }
      if (!policies.broadcast.read && !policies.presence.read) {
        return shutdown(channel, `You do not have permissions to read from this Channel topic: ${channel.subTopic}`);
      }
      const revoked =
        (previous?.broadcast.read === true && policies.broadcast.read === false) ||
        (previous?.presence.read === true && policies.presence.read === false);
      if (revoked) {
        return shutdown(channel, `You no longer have permission to read from this Channel topic: ${channel.subTopic}`);
      }
      channel.policies = policies;
    }
    scheduleConfirm(channel, verified.claims.exp);
  }

  async function handleFrame(conn: Connection, m: Inbound) {
    if (m.kind === "message" && m.topic === "phoenix" && m.event === "heartbeat") {
      return reply(conn, m, "ok", {});
    }
    if (m.kind === "message" && m.event === "phx_join") {
      if (!m.topic.startsWith("realtime:")) return reply(conn, m, "error", { reason: "unmatched topic" });
      return join(conn, m);
    }
    const channel = conn.channels.get(m.topic);
    if (!channel) {
      if (m.kind === "message" && m.event === "phx_leave") return reply(conn, m, "ok", {});
      return reply(conn, m, "error", { reason: "unmatched topic" });
    }
    if (m.kind === "user_broadcast_push") return handleBroadcast(channel, m);
    switch (m.event) {
      case "phx_leave":
        reply(conn, m, "ok", {});
        return closeChannel(channel);
      case "broadcast":
        return handleBroadcast(channel, m);
      case "presence":
        return handlePresence(channel, m);
      case "access_token":
        return handleAccessToken(channel, m);
      default:
        log(`[realtime] Unexpected message from client of type \`${m.event}\``);
    }
  }

  // -------------------------------------------------------------------------------------------
  // sockets
  // -------------------------------------------------------------------------------------------

  function touch(conn: Connection) {
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    conn.idleTimer = setTimeout(() => conn.ws.close(1000, "idle timeout"), idleTimeoutMs);
    conn.idleTimer.unref();
  }

  function accept(ws: WebSocket, req: IncomingMessage, vsn: Vsn, tenantToken: string) {
    const conn: Connection = {
      id: randomUUID(),
      ws,
      vsn,
      tenantToken,
      headers: xHeaders(req),
      channels: new Map(),
      queue: Promise.resolve(),
      idleTimer: null,
    };
    connections.add(conn);
    touch(conn);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      touch(conn);
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      let inbound: Inbound;
      try {
        inbound = decode(vsn, buffer, isBinary);
      } catch (error) {
        log(`[realtime] ${error instanceof ProtocolError ? error.message : String(error)}; closing the socket`);
        ws.close(1003, "invalid message");
        return;
      }
      // frames of one socket are handled one after the other, as the Phoenix socket process does
      conn.queue = conn.queue
        .then(() => handleFrame(conn, inbound))
        .catch((error) => log(`[realtime] UnknownErrorOnChannel: ${(error as Error).stack ?? error}`));
    });
    ws.on("close", () => {
      connections.delete(conn);
      if (conn.idleTimer) clearTimeout(conn.idleTimer);
      for (const channel of [...conn.channels.values()]) removeChannel(channel);
    });
    ws.on("error", (error) => log(`[realtime] socket error: ${error.message}`));
  }

  function refuse(socket: Duplex, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    const head = [
      `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Error"}`,
      "content-type: application/json",
      `content-length: ${Buffer.byteLength(text)}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      "connection: close",
      "",
      "",
    ].join("\r\n");
    socket.end(head + text);
  }

  // -------------------------------------------------------------------------------------------
  // Broadcast from the database
  // -------------------------------------------------------------------------------------------

  const replication = await startReplication(
    options.dbUrl,
    (row: DatabaseMessage) => {
      if (row.body.length > MAX_PAYLOAD_BYTES) {
        log(`[realtime] UnableToBroadcastChanges: payload of ${row.id} exceeds the size limit`);
        return;
      }
      dispatch(
        tenantTopicOf(row.topic, row.private),
        {
          type: "user",
          broadcast: { event: row.event, encoding: row.encoding, body: row.body, metadata: { id: row.id } },
          messageId: row.id,
        },
        null,
      );
    },
    log,
  );

  return {
    databaseBroadcastDisabled: replication.reason,
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== SOCKET_PATH && url.pathname !== `${SOCKET_PATH}/`) return false;
      const key = apiKeys.check(req, url.searchParams);
      if (!key.ok) {
        refuse(socket, key.status, key.body, { "sb-error-code": key.code });
        return true;
      }
      const vsn = parseVsn(url.searchParams.get("vsn"));
      if (!vsn) {
        refuse(socket, 403, { error: `unsupported serializer version ${url.searchParams.get("vsn")}` });
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, vsn, key.token));
      return true;
    },
    handleRequest(req, res) {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== REALTIME_PREFIX && !url.pathname.startsWith(`${REALTIME_PREFIX}/`)) return false;
      if (url.pathname.startsWith(`${REALTIME_PREFIX}/api/`)) {
        void handleBroadcastApi(req, res, url, {
          apiKeys,
          jwtSecret: options.keys.jwtSecret,
          authorizer,
          log,
          send: (subTopic, isPrivate, message) => dispatch(tenantTopicOf(subTopic, isPrivate), message, null),
        });
        return true;
      }
      const websocket = url.pathname === SOCKET_PATH || url.pathname === `${SOCKET_PATH}/`;
      const body = JSON.stringify(
        websocket ? { message: "WebSocket upgrade required" } : { errors: { detail: "Not Found" } },
      );
      res.writeHead(websocket ? 400 : 404, { "content-type": "application/json" });
      res.end(body);
      return true;
    },
    async stop() {
      for (const conn of connections) conn.ws.terminate();
      connections.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await replication.stop();
      await sql.end({ timeout: 2 });
    },
  };
}

export type { Outbound };

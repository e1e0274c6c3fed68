/**
 * The two wire formats Supabase Realtime speaks, chosen by the `vsn` query parameter:
 *  - 1.0.0: Phoenix's V1 JSON serializer, one object per frame
 *    (`{topic, event, payload, ref}`; the client also sends `join_ref`);
 *  - 2.0.0: Phoenix's V2 JSON serializer (`[join_ref, ref, topic, event, payload]`) plus
 *    Realtime's binary frames for Broadcast (lib/realtime_web/socket/v2_serializer.ex): the client
 *    sends a "user broadcast push" (kind 3), subscribers receive a "user broadcast" (kind 4), each
 *    carrying the user's event name, an optional JSON metadata block and the payload as JSON or
 *    raw bytes, so the server never parses what it relays.
 */

export type Vsn = "1.0.0" | "2.0.0";

/** Phoenix's `~> 1.0.0` and `~> 2.0.0`; null for anything else. */
export function parseVsn(value: string | null): Vsn | null {
  const v = value ?? "1.0.0";
  if (/^1\.0\.\d+$/.test(v)) return "1.0.0";
  if (/^2\.0\.\d+$/.test(v)) return "2.0.0";
  return null;
}

export interface Message {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A Broadcast as it travels: the payload stays encoded (JSON text or raw bytes). */
export interface UserBroadcast {
  event: string;
  encoding: "json" | "binary";
  body: Buffer;
  metadata: Record<string, unknown> | null;
}

export type Inbound = ({ kind: "message" } & Message) | ({ kind: "user_broadcast_push" } & UserBroadcastPush);

export interface UserBroadcastPush extends UserBroadcast {
  joinRef: string | null;
  ref: string | null;
  topic: string;
}

export class ProtocolError extends Error {}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** One frame from a client. Throws `ProtocolError` for anything the serializer cannot read. */
export function decode(vsn: Vsn, data: Buffer, isBinary: boolean): Inbound {
  if (isBinary) {
    if (vsn !== "2.0.0") throw new ProtocolError("binary frames need vsn 2.0.0");
    return decodeBinary(data);
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch {
    throw new ProtocolError("frame is not JSON");
  }
  if (vsn === "2.0.0") {
    if (!Array.isArray(value) || value.length < 5) throw new ProtocolError("expected V2 array");
    const [joinRef, ref, topic, event, payload] = value;
    if (typeof topic !== "string" || typeof event !== "string") throw new ProtocolError("expected topic and event");
    return { kind: "message", joinRef: str(joinRef), ref: str(ref), topic, event, payload };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ProtocolError("expected V1 object");
  const m = value as Record<string, unknown>;
  if (typeof m.topic !== "string" || typeof m.event !== "string") throw new ProtocolError("expected topic and event");
  return {
    kind: "message",
    joinRef: str(m.join_ref),
    ref: str(m.ref),
    topic: m.topic,
    event: m.event,
    payload: m.payload,
  };
}

function decodeBinary(data: Buffer): Inbound {
  if (data.length < 7 || data[0] !== KIND_USER_BROADCAST_PUSH) throw new ProtocolError("unsupported binary frame");
  const sizes = [data[1]!, data[2]!, data[3]!, data[4]!, data[5]!];
  const encoding = data[6] === 0 ? "binary" : "json";
  let offset = 7;
  const take = (n: number) => {
    if (offset + n > data.length) throw new ProtocolError("truncated binary frame");
    const part = data.subarray(offset, offset + n);
    offset += n;
    return part;
  };
  const joinRef = take(sizes[0]!).toString("utf8");
  const ref = take(sizes[1]!).toString("utf8");
  const topic = take(sizes[2]!).toString("utf8");
  const event = take(sizes[3]!).toString("utf8");
  const meta = take(sizes[4]!);
  let metadata: Record<string, unknown> = {};
  if (meta.length > 0) {
    try {
      metadata = JSON.parse(meta.toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new ProtocolError("metadata is not JSON");
    }
  }
  return {
    kind: "user_broadcast_push",
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event,
    encoding,
    body: Buffer.from(data.subarray(offset)),
    metadata,
  };
}

/** A push or reply from a channel (`phx_reply`, `presence_state`, `system`, `phx_close` ...). */
export function encodeMessage(vsn: Vsn, m: Message): string {
  if (vsn === "2.0.0") return JSON.stringify([m.joinRef, m.ref, m.topic, m.event, m.payload]);
  // V1 sends topic, event, payload and ref only
  return JSON.stringify({ topic: m.topic, event: m.event, payload: m.payload, ref: m.ref });
}

export function encodeReply(
  vsn: Vsn,
  r: { joinRef: string | null; ref: string | null; topic: string; status: "ok" | "error"; response: unknown },
): string {
  return encodeMessage(vsn, {
    joinRef: r.joinRef,
    ref: r.ref,
    topic: r.topic,
    event: "phx_reply",
    payload: { status: r.status, response: r.response },
  });
}

/** A broadcast with a JSON map payload (Phoenix.Socket.Broadcast), as sent to every subscriber. */
export function encodeBroadcast(vsn: Vsn, topic: string, event: string, payload: unknown): string {
  return encodeMessage(vsn, { joinRef: null, ref: null, topic, event, payload });
}

/**
 * A user broadcast for one subscriber: a kind 4 binary frame for 2.0.0; for 1.0.0 the JSON
 * broadcast `{event, payload, type: "broadcast", meta?}`, or nothing when the payload is binary
 * (V1 cannot carry it), as Realtime's message dispatcher does.
 */
export function encodeUserBroadcast(vsn: Vsn, topic: string, b: UserBroadcast): string | Buffer | null {
  if (vsn === "1.0.0") {
    if (b.encoding !== "json") return null;
    const raw = b.body.toString("utf8");
    try {
      JSON.parse(raw);
    } catch {
      return null;
    }
    const meta = b.metadata ? `,"meta":${JSON.stringify(b.metadata)}` : "";
    return `{"topic":${JSON.stringify(topic)},"event":"broadcast","payload":{"event":${JSON.stringify(
      b.event,
    )},"payload":${raw},"type":"broadcast"${meta}},"ref":null}`;
  }
  const topicBytes = Buffer.from(topic, "utf8");
  const eventBytes = Buffer.from(b.event, "utf8");
  const metaBytes = b.metadata ? Buffer.from(JSON.stringify(b.metadata), "utf8") : Buffer.alloc(0);
  if (topicBytes.length > 255 || eventBytes.length > 255 || metaBytes.length > 255) return null;
  const header = Buffer.from([
    KIND_USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metaBytes.length,
    b.encoding === "json" ? 1 : 0,
  ]);
  return Buffer.concat([header, topicBytes, eventBytes, metaBytes, b.body]);
}

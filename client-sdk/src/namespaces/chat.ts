/**
 * `client.chat`: direct and group conversations (and a group's own conversation), messages with
 * idempotent sends, edits, tombstones, history pages, read state and unread counts, receipts, and
 * live delivery, typing and presence over Realtime Broadcast on the private topic
 * `chat:<conversation_id>`.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import * as z from "zod/mini";
import { Constants, type Database, type Json } from "../database.types.ts";
import type { SupasocialError } from "../errors.ts";
import { defineNamespace } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod } from "../pagination.ts";
import {
  joinTopic,
  type LiveSubscription,
  type PendingSubscription,
  pendingSubscription,
  realtimeError,
} from "../realtime.ts";
import { fail, failFrom, ok, type SupasocialResult, settle } from "../result.ts";
import { normalizeTimestamp } from "../timestamps.ts";
import {
  CursorSchema,
  DateTimeSchema,
  LimitSchema,
  type ListOptions,
  ListOptionsSchema,
  parseInput,
  textSchema,
  UuidSchema,
} from "../validation.ts";
import type { MediaItem } from "./media.ts";
import type { ProfileSummary } from "./shared.ts";

type Social = Database["social"];

// =============================================================================================
// types
// =============================================================================================

/**
 * A message attachment as the database stores it: a media item (`client.media.upload` with
 * `target: 'message'`) completed from its row; sign it for display with `client.media.urls`.
 *
 * @example
 * ```ts
 * const { data: urls } = await social.media.urls(message.attachments)
 * ```
 */
export type MessageAttachment = MediaItem;

/**
 * One attachment to send: the id of your own upload made for chat (`target: 'message'`) and an
 * optional alt text. An attachment read back from a message is accepted as it is.
 *
 * @example
 * ```ts
 * MessageAttachmentSchema.parse({ id: photo.id, alt: 'The view' })
 * ```
 */
export const MessageAttachmentSchema = z.object({
  id: UuidSchema,
  alt: z.optional(textSchema({ max: 1000, label: "Attachment alt text" })),
});

/** An attachment to send: `{ id, alt? }`. */
export type MessageAttachmentRef = z.input<typeof MessageAttachmentSchema>;

/**
 * Up to 10 attachments, each listed once.
 *
 * @example
 * ```ts
 * MessageAttachmentListSchema.parse([{ id: photo.id }])
 * ```
 */
export const MessageAttachmentListSchema = z.array(MessageAttachmentSchema).check(
  z.maxLength(10, "At most 10 attachments"),
  z.refine(
    (list) => new Set(list.map((a) => a.id.toLowerCase())).size === list.length,
    "An attachment is listed twice",
  ),
);
/**
 * `direct` (two people) or `group`.
 *
 * @example
 * ```ts
 * const kind: ConversationKind = 'direct'
 * ```
 */
export type ConversationKind = Social["Enums"]["conversation_kind"];

/**
 * `admin` (edits the conversation, manages members, deletes any message) or `member`.
 *
 * @example
 * ```ts
 * if (conversation.role === 'admin') showSettings()
 * ```
 */
export type ConversationRole = Social["Enums"]["conversation_role"];

/**
 * Who may start a conversation with you: `everyone`, `following` (people you follow), `nobody`.
 *
 * @example
 * ```ts
 * await client.chat.setSettings({ allowMessagesFrom: 'following' })
 * ```
 */
export type ChatAudience = Social["Enums"]["chat_audience"];

/**
 * A member as a conversation shows them: their card and role.
 *
 * @example
 * ```ts
 * conversation.members.map((m) => m.displayName).join(', ')
 * ```
 */
export interface ChatMember extends ProfileSummary {
  role: ConversationRole;
}

/**
 * The latest message of a conversation, as the list shows it (text cut to 140 characters).
 *
 * @example
 * ```ts
 * const line = c.lastMessage?.isDeleted ? 'Message deleted' : c.lastMessage?.body
 * ```
 */
export interface MessagePreview {
  id: string;
  seq: number;
  senderId: string | null;
  kind: "text" | "system";
  body: string | null;
  attachmentCount: number;
  data: { [key: string]: Json | undefined };
  isDeleted: boolean;
  createdAt: string;
}

/**
 * A conversation with your own state: role, mute, read position and unread count.
 *
 * @example
 * ```ts
 * const { data: page } = await client.chat.list()
 * page?.items.map((c) => `${c.title ?? c.members[0]?.displayName} (${c.unreadCount})`)
 * ```
 */
export interface Conversation {
  id: string;
  kind: ConversationKind;
  /** A group conversation's title; null for direct ones (show the other member). */
  title: string | null;
  avatarPath: string | null;
  /** What a group conversation is tied to (`group`), null for ad hoc ones. */
  contextType: Social["Enums"]["conversation_context"] | null;
  contextId: string | null;
  memberCount: number;
  slowModeSeconds: number;
  role: ConversationRole | null;
  mutedUntil: string | null;
  /** The seq of the latest message you have read. */
  lastReadSeq: number;
  /** The seq of the latest message. */
  lastSeq: number;
  unreadCount: number;
  lastActivityAt: string;
  lastMessage: MessagePreview | null;
  /** Up to 3 other members, earliest first (blocked users left out). */
  members: ChatMember[];
  createdAt: string;
}

/**
 * A message. A deleted one is a tombstone: `isDeleted`, no body, no attachments.
 *
 * @example
 * ```ts
 * const text = m.isDeleted ? 'This message was deleted' : m.kind === 'system' ? describe(m.data) : m.body
 * ```
 */
export interface ChatMessage {
  id: string;
  conversationId: string;
  /** Position in the conversation: 1, 2, 3 ... */
  seq: number;
  senderId: string | null;
  /** The sender's card (null for system messages, and in a send's ack). */
  sender: ProfileSummary | null;
  /** The key the sender's client sent it with (retries reuse it). */
  clientMessageId: string;
  kind: "text" | "system";
  body: string | null;
  attachments: MessageAttachment[];
  replyToId: string | null;
  replyTo: { id: string; senderId: string | null; body: string | null; isDeleted: boolean } | null;
  /** System messages: `{ event, userId, by }`. */
  data: { [key: string]: Json | undefined };
  editCount: number;
  editedAt: string | null;
  isDeleted: boolean;
  deletedAt: string | null;
  createdAt: string;
}

/**
 * A page of history in sending order, with cursors both ways (`nextCursor` goes the way the page
 * went: older for the latest page, `before` and `around`; newer for `after`).
 *
 * @example
 * ```ts
 * const { data: page } = await client.chat.history(id)
 * if (page?.olderCursor) await client.chat.history(id, { cursor: page.olderCursor })
 * ```
 */
export interface HistoryPage extends Page<ChatMessage> {
  olderCursor: string | null;
  newerCursor: string | null;
}

/**
 * `chat.history`: one page, or `.all()` for every message page by page (newest pages first from
 * the latest; throws the `SupasocialError` of a failed page).
 *
 * @example
 * ```ts
 * for await (const m of client.chat.history.all(id)) if (m.id === wanted) break
 * ```
 */
export interface HistoryMethod {
  (conversationId: string, options?: HistoryOptions): Promise<SupasocialResult<HistoryPage>>;
  all(conversationId: string, options?: HistoryOptions): AsyncGenerator<ChatMessage, void, undefined>;
}

/**
 * A member read up to `lastReadSeq` (small conversations broadcast this).
 *
 * @example
 * ```ts
 * onRead: (e) => markSeen(e.userId, e.lastReadSeq)
 * ```
 */
export interface ReadEvent {
  conversationId: string;
  userId: string;
  lastReadSeq: number;
  readAt: string | null;
}

/**
 * A message was deleted (its tombstone's keys).
 *
 * @example
 * ```ts
 * onDelete: (e) => replaceWithTombstone(e.id)
 * ```
 */
export interface DeleteEvent {
  id: string;
  conversationId: string;
  seq: number;
  deletedAt: string | null;
  deletedBy: string | null;
}

/**
 * What `chat.subscribe` calls. `onClosed` hears that you lost the conversation (removed, left the
 * group, or a block closed a direct one); the subscription has ended by then.
 *
 * @example
 * ```ts
 * const handlers: ChatHandlers = { onMessage: append, onTyping: (e) => setTyping(e.userId, e.typing) }
 * ```
 */
export interface ChatHandlers {
  onMessage?: (message: ChatMessage) => void;
  onUpdate?: (message: ChatMessage) => void;
  onDelete?: (event: DeleteEvent) => void;
  onRead?: (event: ReadEvent) => void;
  /** `typing` turns false 5 s after the last `typing()` of that user, or when they stop. */
  onTyping?: (event: { userId: string; typing: boolean }) => void;
  /** The members online on the conversation now. */
  onPresence?: (event: { userIds: string[] }) => void;
  onMember?: (event: { userId: string; change: "added" | "removed" }) => void;
  onClosed?: (reason: "removed" | "blocked") => void;
  onError?: (error: SupasocialError) => void;
}

/**
 * A live conversation; `typing()` tells the others you are typing (it expires after 5 s unless
 * called again), `stopTyping()` ends it, `unsubscribe()` leaves.
 *
 * @example
 * ```ts
 * input.oninput = () => void sub.typing()
 * ```
 */
export interface ChatSubscription extends LiveSubscription {
  channel: RealtimeChannel;
  typing(): Promise<SupasocialResult<null>>;
  stopTyping(): Promise<SupasocialResult<null>>;
}

// =============================================================================================
// schemas
// =============================================================================================

const BodySchema = textSchema({ max: 4000, label: "Message" });

/**
 * A message to send: text and/or attachments, optionally a reply, and your own idempotency key
 * (made for you when left out).
 *
 * @example
 * ```ts
 * ChatMessageInputSchema.parse({ body: 'On my way', replyToId: message.id })
 * ```
 */
export const ChatMessageInputSchema = z.strictObject({
  body: z.optional(BodySchema),
  attachments: z.optional(MessageAttachmentListSchema),
  replyToId: z.optional(UuidSchema),
  clientMessageId: z.optional(UuidSchema),
});
/**
 * A message to send.
 *
 * @example
 * ```ts
 * const input: ChatMessageInput = { body: 'hi' }
 * ```
 */
export type ChatMessageInput = z.input<typeof ChatMessageInputSchema>;

/**
 * Where a history page is: the latest (nothing given), a `cursor`, or `before` / `after` /
 * `around` a message id (one of them); `limit` 1-50 (default 50).
 *
 * @example
 * ```ts
 * await client.chat.history(id, HistoryOptionsSchema.parse({ around: reply.replyToId }))
 * ```
 */
export const HistoryOptionsSchema = z
  .strictObject({
    cursor: z.nullish(CursorSchema),
    limit: z.optional(LimitSchema),
    before: z.optional(UuidSchema),
    after: z.optional(UuidSchema),
    around: z.optional(UuidSchema),
  })
  .check(
    z.refine((o) => [o.cursor, o.before, o.after, o.around].filter((v) => v !== undefined && v !== null).length <= 1, {
      message: "Give at most one of cursor, before, after and around",
    }),
  );
/**
 * Options of `chat.history`.
 *
 * @example
 * ```ts
 * const options: HistoryOptions = { before: firstShown.id, limit: 30 }
 * ```
 */
export type HistoryOptions = z.input<typeof HistoryOptionsSchema>;

const UuidListSchema = z.array(UuidSchema).check(z.maxLength(500, "At most 500 people at once"));
const TitleSchema = textSchema({ min: 1, max: 80, label: "Title", trim: true });
const AvatarSchema = textSchema({ max: 1024, label: "Avatar path" });
const CreateGroupSchema = z.strictObject({
  title: TitleSchema,
  memberIds: z.optional(UuidListSchema),
  avatarPath: z.optional(AvatarSchema),
});
const UpdateSchema = z.strictObject({
  title: z.optional(TitleSchema),
  avatarPath: z.optional(AvatarSchema),
  slowModeSeconds: z.optional(z.number().check(z.int(), z.gte(0), z.lte(3600))),
});
const AudienceSchema = z.enum(Constants.social.Enums.chat_audience);
const RoleSchema = z.enum(Constants.social.Enums.conversation_role);

// =============================================================================================
// mapping
// =============================================================================================

const JSON_KEYS = /^(sender|reply_to|last_message|members|data|attachments|profile|message|conversation)$/;

/**
 * A row or a broadcast's JSON with camelCase keys, timestamps (`*_at`) in ISO 8601, and jsonb that
 * a server handed back as text parsed.
 */
function camel(value: unknown, key = ""): unknown {
  if (typeof value === "string" && JSON_KEYS.test(key) && /^[[{]/.test(value)) {
    try {
      return camel(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((v) => camel(v));
  if (!value || typeof value !== "object") {
    return typeof value === "string" && key.endsWith("_at") ? normalizeTimestamp(value) : value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!k.endsWith("_cursor")) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = camel(v, k);
  }
  return out;
}

const first = (data: unknown): Record<string, unknown> =>
  (Array.isArray(data) ? data[0] : data) as Record<string, unknown>;

/**
 * A message row, a `list_messages` row or a broadcast's `message` object as a `ChatMessage`;
 * null for anything that is not a message. `chat.subscribe` uses it; exported for apps that
 * listen on the channel themselves.
 *
 * @example
 * ```ts
 * channel.on('broadcast', { event: 'message.new' }, ({ payload }) => {
 *   const message = toChatMessage(payload.message)
 * })
 * ```
 */
export function toChatMessage(value: unknown): ChatMessage | null {
  const m = camel(value, "message") as Record<string, unknown> | null;
  if (!m || typeof m !== "object" || typeof m.id !== "string" || typeof m.conversationId !== "string") return null;
  return {
    sender: null,
    replyTo: null,
    attachments: [],
    data: {},
    ...m,
    isDeleted: m.deletedAt != null,
  } as unknown as ChatMessage;
}

const toConversation = (row: unknown) => camel(row) as Conversation;

// =============================================================================================
// helpers
// =============================================================================================

/** A v4 uuid: `crypto.randomUUID` where there is one, else from `crypto.getRandomValues`. */
function newUuid(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const typingSentBy = new WeakMap<object, Map<string, number>>();
const TYPING_MS = 5000;
const TYPING_RESEND_MS = 2500;

// =============================================================================================
// the namespace
// =============================================================================================

/**
 * `client.chat`: conversations, messages, read state and live delivery.
 *
 * @example
 * ```ts
 * const { data: chat } = await social.chat.openDirect(userId)
 * await social.chat.send(chat!.id, { body: 'Hi!' })
 * ```
 */
export const chatNamespace = defineNamespace("chat", (ctx) => {
  // when this client last said it was typing, per conversation (shared by every SDK client on the
  // same supabase-js client, as its channels are)
  const typingSent = typingSentBy.get(ctx.supabase) ?? new Map<string, number>();
  typingSentBy.set(ctx.supabase, typingSent);

  /**
   * Call RPC `name` with `args` and the uuids of `ids` (checked first; `conversationId` goes as
   * `p_conversation_id`), its data mapped; or fail with the first bad id or the RPC's error.
   */
  const call = <T>(
    name: string,
    ids: Record<string, unknown>,
    map: (data: unknown) => T,
    args: Record<string, unknown> = {},
  ): Promise<SupasocialResult<T>> =>
    settle(async () => {
      for (const [label, value] of Object.entries(ids)) {
        const r = parseInput(UuidSchema, value, label);
        if (r.error) return r;
        args[`p_${label.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`] = r.data;
      }
      const r = (await ctx.social.rpc(name as "get_conversation", args as never)) as {
        data: unknown;
        error: unknown;
        status: number;
      };
      return r.error ? failFrom<T>(r) : ok(map(r.data));
    });

  const get = (conversationId: string) =>
    call("get_conversation", { conversationId }, (data) => toConversation(first(data)));

  /** Run a conversation RPC, then return the conversation it names as the list shows it. */
  const conversation = (name: string, ids: Record<string, unknown>, args?: Record<string, unknown>) =>
    settle(async (): Promise<SupasocialResult<Conversation>> => {
      const r = await call(name, ids, first, args);
      return r.error ? r : get(String(r.data?.id));
    });

  async function broadcastTyping(conversationId: string, typing: boolean): Promise<SupasocialResult<null>> {
    const id = parseInput(UuidSchema, conversationId, "conversationId");
    if (id.error) return id;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const channel = ctx.supabase
      .getChannels()
      .find((c: RealtimeChannel) => c.topic === `realtime:chat:${id.data}` && c.state === "joined");
    if (!channel) return fail(realtimeError("Subscribe to the conversation before typing in it", "NOT_JOINED"));
    const now = Date.now();
    if (typing && now - (typingSent.get(id.data) ?? 0) < TYPING_RESEND_MS) return ok(null);
    typingSent.set(id.data, typing ? now : 0);
    const status = await channel.send({ type: "broadcast", event: "typing", payload: { user_id: me.data, typing } });
    return status === "ok"
      ? ok(null)
      : fail(realtimeError(`Realtime did not take the typing event (${status})`, "SEND"));
  }

  /** A list RPC's rows as a page (each row carries the page's cursors). */
  const page = <T>(data: unknown, item: (row: Record<string, unknown>) => T) => {
    const rows = (data ?? []) as Record<string, unknown>[];
    const at = (k: string) => (rows[0]?.[k] as string | undefined) ?? null;
    return {
      items: rows.map(item),
      nextCursor: at("next_cursor"),
      olderCursor: at("older_cursor"),
      newerCursor: at("newer_cursor"),
    };
  };

  const historyPage = (
    conversationId: string,
    options: HistoryOptions = {},
  ): Promise<SupasocialResult<HistoryPage>> => {
    const o = parseInput(HistoryOptionsSchema, options, "options");
    if (o.error) return Promise.resolve(o);
    const { cursor, limit, before, after, around } = o.data;
    return call(
      "list_messages",
      { conversationId },
      (data) => {
        const p = page(data, toChatMessage);
        return { ...p, items: p.items.filter((m): m is ChatMessage => m !== null) };
      },
      {
        p_message_id: before ?? after ?? around,
        p_position: before ? "before" : after ? "after" : "around",
        p_cursor: cursor ?? undefined,
        p_limit: limit ?? 50,
      },
    );
  };
  const history: HistoryMethod = Object.assign(historyPage, {
    async *all(conversationId: string, options: HistoryOptions = {}) {
      let p = await historyPage(conversationId, options);
      for (;;) {
        if (p.error) throw p.error;
        yield* p.data.items;
        if (!p.data.nextCursor) return;
        p = await historyPage(conversationId, { cursor: p.data.nextCursor, limit: options.limit });
      }
    },
  });

  const toMessage = (data: unknown) => toChatMessage(first(data)) as ChatMessage;
  const none = () => null;

  return {
    /**
     * Your conversations, latest activity first, with unread counts, the latest message and who
     * they are with.
     *
     * @example
     * ```ts
     * const { data: page } = await client.chat.list({ limit: 30 })
     * ```
     */
    list: listMethod(async (options?: ListOptions): Promise<SupasocialResult<Page<Conversation>>> => {
      const o = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (o.error) return o;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      return call("list_conversations", {}, (data) => page(data, toConversation), {
        p_cursor: o.data.cursor ?? undefined,
        p_limit: o.data.limit,
      });
    }),

    /**
     * One of your conversations as the list shows it. Error: `conversation_not_found`.
     *
     * @example
     * ```ts
     * const { data: conversation } = await client.chat.get(id)
     * ```
     */
    get,

    /**
     * Open your direct conversation with a user (made the first time). Errors: `blocked`,
     * `messaging_not_allowed` (their setting), `profile_not_found`, `invalid_target` (yourself).
     *
     * @example
     * ```ts
     * const { data: chat } = await client.chat.openDirect(profile.id)
     * ```
     */
    openDirect(userId: string): Promise<SupasocialResult<Conversation>> {
      return conversation("open_direct_conversation", { userId });
    },

    /**
     * Start a group conversation with people (you are its admin). Errors: `invalid_title`,
     * `too_many_members`, `blocked`, `messaging_not_allowed`.
     *
     * @example
     * ```ts
     * await client.chat.createGroup({ title: 'Saturday ride', memberIds: [ana.id, ben.id] })
     * ```
     */
    createGroup(input: {
      title: string;
      memberIds?: string[];
      avatarPath?: string;
    }): Promise<SupasocialResult<Conversation>> {
      const o = parseInput(CreateGroupSchema, input, "input");
      if (o.error) return Promise.resolve(o);
      return conversation(
        "create_group_conversation",
        {},
        {
          p_title: o.data.title,
          p_member_ids: o.data.memberIds ?? [],
          p_avatar_path: o.data.avatarPath,
        },
      );
    },

    /**
     * A group's own conversation (its active members); the group's owner or an admin starts it.
     * Errors: `group_not_found`, `group_forbidden`, `not_group_admin`.
     *
     * @example
     * ```ts
     * const { data: clubChat } = await client.chat.openGroupChat(groupId)
     * ```
     */
    openGroupChat(groupId: string): Promise<SupasocialResult<Conversation>> {
      return conversation("open_group_chat", { groupId });
    },

    /**
     * Change a group conversation's title, avatar (`''` removes it) or slow mode (seconds, 0 off);
     * admins only.
     *
     * @example
     * ```ts
     * await client.chat.update(id, { slowModeSeconds: 30 })
     * ```
     */
    update(
      conversationId: string,
      patch: { title?: string; avatarPath?: string; slowModeSeconds?: number },
    ): Promise<SupasocialResult<Conversation>> {
      const o = parseInput(UpdateSchema, patch, "patch");
      if (o.error) return Promise.resolve(o);
      return conversation(
        "update_conversation",
        { conversationId },
        {
          p_title: o.data.title,
          p_avatar_path: o.data.avatarPath,
          p_slow_mode_seconds: o.data.slowModeSeconds,
        },
      );
    },

    /**
     * Add people to a group conversation (admins); `data` is how many joined.
     *
     * @example
     * ```ts
     * await client.chat.addMembers(id, [cleo.id])
     * ```
     */
    addMembers(conversationId: string, userIds: string[]): Promise<SupasocialResult<number>> {
      const users = parseInput(UuidListSchema, userIds, "userIds");
      if (users.error) return Promise.resolve(users);
      return call("add_conversation_members", { conversationId }, Number, { p_user_ids: users.data });
    },

    /**
     * Remove someone from a group conversation (admins), or leave it yourself (`userId` = you).
     *
     * @example
     * ```ts
     * await client.chat.removeMember(id, spammer.id)
     * ```
     */
    removeMember(conversationId: string, userId: string): Promise<SupasocialResult<null>> {
      return settle(async () => {
        const me = await ctx.currentUserId();
        if (me.error) return me;
        return me.data === userId
          ? call("leave_conversation", { conversationId }, none)
          : call("remove_conversation_member", { conversationId, userId }, none);
      });
    },

    /**
     * Make a member `admin` or `member` (admins).
     *
     * @example
     * ```ts
     * await client.chat.setRole(id, ben.id, 'admin')
     * ```
     */
    setRole(conversationId: string, userId: string, role: ConversationRole): Promise<SupasocialResult<null>> {
      const r = parseInput(RoleSchema, role, "role");
      if (r.error) return Promise.resolve(r);
      return call("set_conversation_member_role", { conversationId, userId }, none, { p_role: r.data });
    },

    /**
     * The members of a conversation, newest first (blocked users left out).
     *
     * @example
     * ```ts
     * const { data: page } = await client.chat.members(id)
     * ```
     */
    members: scopedListMethod(
      async (conversationId: string, options?: ListOptions): Promise<SupasocialResult<Page<ChatMember>>> => {
        const o = parseInput(ListOptionsSchema, options ?? {}, "options");
        if (o.error) return o;
        return call(
          "list_conversation_members",
          { conversationId },
          (data) =>
            page(data, (row) => ({
              ...(camel(row.profile, "profile") as ProfileSummary),
              role: row.role as ConversationRole,
            })),
          { p_cursor: o.data.cursor ?? undefined, p_limit: o.data.limit },
        );
      },
    ),

    /**
     * Mute a conversation until a time (default: for good), or unmute it with `null`. Muted
     * conversations are not announced and not counted in `unread()`.
     *
     * @example
     * ```ts
     * await client.chat.mute(id, new Date(Date.now() + 8 * 3600_000))
     * await client.chat.mute(id, null) // unmute
     * ```
     */
    mute(
      conversationId: string,
      until?: Date | string | null,
    ): Promise<SupasocialResult<{ mutedUntil: string | null }>> {
      const at = until == null ? ok(until === null ? null : "infinity") : parseInput(DateTimeSchema, until, "until");
      if (at.error) return Promise.resolve(at);
      return call(
        "mute_conversation",
        { conversationId },
        (data) => ({ mutedUntil: (camel(first(data)) as { mutedUntil: string | null }).mutedUntil }),
        { p_until: at.data },
      );
    },

    /**
     * Send a message. The SDK gives it a `clientMessageId` (or uses yours) and retries on a lost
     * connection or a server error with the same key, so it is stored once; the result is the
     * stored message (your ack). Attachments are your uploads made for chat
     * (`media.upload(bytes, { target: 'message' })`), by id. Errors: `conversation_not_found`,
     * `blocked`, `invalid_body`, `invalid_media`, `media_not_found`, `media_in_use`,
     * `media_rejected`, `media_not_uploaded`, `slow_mode`, `rate_limited`, `idempotency_conflict`.
     *
     * @example
     * ```ts
     * const { data: sent, error } = await client.chat.send(id, { body: 'See you at 7' })
     * const { data: photo } = await client.media.upload(bytes, { target: 'message', mimeType: 'image/jpeg' })
     * await client.chat.send(id, { attachments: [{ id: photo!.id, alt: 'The trailhead' }] })
     * ```
     */
    send(
      conversationId: string,
      input: ChatMessageInput,
      options: { retries?: number } = {},
    ): Promise<SupasocialResult<ChatMessage>> {
      return settle(async () => {
        const o = parseInput(ChatMessageInputSchema, input, "input");
        if (o.error) return o;
        const args = {
          p_client_message_id: o.data.clientMessageId ?? newUuid(),
          p_body: o.data.body,
          p_attachments: (o.data.attachments ?? []).map((a) =>
            a.alt === undefined ? { id: a.id } : { id: a.id, alt: a.alt },
          ),
          p_reply_to_id: o.data.replyToId,
        };
        const retries = Math.max(0, Math.min(options.retries ?? 3, 10));
        for (let attempt = 0; ; attempt++) {
          const r = await call("send_message", { conversationId }, toMessage, { ...args });
          // a lost connection, a timeout or a server error may be cured by the same send again
          const status = r.error?.status ?? 200;
          if (!(status === 0 || status >= 500) || attempt >= retries) return r;
          await sleep(200 * 3 ** attempt);
        }
      });
    },

    /**
     * A page of history in sending order: the latest, or `before` / `after` / `around` a message,
     * or where a cursor points; `olderCursor` and `newerCursor` lead on. `history.all(id)` walks
     * the whole history, newest pages first (each page in sending order).
     *
     * @example
     * ```ts
     * const { data: page } = await client.chat.history(id, { around: message.replyToId! })
     * ```
     */
    history,

    /**
     * Mark a conversation read up to a message (default: all of it); never moves back.
     *
     * @example
     * ```ts
     * const { data } = await client.chat.markRead(id, lastVisible.id)
     * data?.unreadCount
     * ```
     */
    markRead(
      conversationId: string,
      messageId?: string,
    ): Promise<SupasocialResult<{ lastReadSeq: number; unreadCount: number }>> {
      return call(
        "mark_conversation_read",
        messageId === undefined ? { conversationId } : { conversationId, messageId },
        (data) => {
          const { lastReadSeq, unreadCount } = camel(first(data)) as { lastReadSeq: number; unreadCount: number };
          return { lastReadSeq, unreadCount };
        },
      );
    },

    /**
     * Your unread messages over your unmuted conversations, and in how many.
     *
     * @example
     * ```ts
     * const { data } = await client.chat.unread()
     * setBadge(data?.messages ?? 0)
     * ```
     */
    unread(): Promise<SupasocialResult<{ messages: number; conversations: number }>> {
      return settle(async () => {
        const me = await ctx.currentUserId();
        if (me.error) return me;
        return call("unread_chat_count", {}, (data) => {
          const row = first(data);
          return { messages: Number(row?.unread_messages ?? 0), conversations: Number(row?.unread_conversations ?? 0) };
        });
      });
    },

    /**
     * Who of the other members has read a message (conversations of up to 32 members).
     *
     * @example
     * ```ts
     * const { data: receipts } = await client.chat.receipts(message.id)
     * ```
     */
    receipts(
      messageId: string,
    ): Promise<SupasocialResult<{ user: ProfileSummary; read: boolean; readAt: string | null }[]>> {
      return call("message_receipts", { messageId }, (data) =>
        (camel(data ?? []) as { profile: ProfileSummary; read: boolean; readAt: string | null }[]).map(
          ({ profile, read, readAt }) => ({ user: profile, read, readAt }),
        ),
      );
    },

    /**
     * Edit your message's text (the earlier text is kept). Errors: `message_not_found`,
     * `not_allowed`, `invalid_transition` (deleted), `invalid_body`.
     *
     * @example
     * ```ts
     * await client.chat.edit(message.id, 'See you at 8')
     * ```
     */
    edit(messageId: string, body: string): Promise<SupasocialResult<ChatMessage>> {
      const text = parseInput(BodySchema, body, "body");
      if (text.error) return Promise.resolve(text);
      return call("edit_message", { messageId }, toMessage, { p_body: text.data });
    },

    /**
     * Delete a message (yours, or any as an admin of a group conversation): it becomes a
     * tombstone. `reason` goes to the moderation log when it is not yours.
     *
     * @example
     * ```ts
     * await client.chat.delete(message.id)
     * ```
     */
    delete(messageId: string, options: { reason?: string } = {}): Promise<SupasocialResult<ChatMessage>> {
      const reason = parseInput(z.optional(textSchema({ max: 1000, label: "Reason" })), options.reason, "reason");
      if (reason.error) return Promise.resolve(reason);
      return call("delete_message", { messageId }, toMessage, { p_reason: reason.data });
    },

    /**
     * The earlier texts of an edited message, oldest first.
     *
     * @example
     * ```ts
     * const { data: versions } = await client.chat.editHistory(message.id)
     * ```
     */
    editHistory(messageId: string): Promise<SupasocialResult<{ body: string | null; replacedAt: string }[]>> {
      return call("message_history", { messageId }, (data) =>
        (camel(data ?? []) as { body: string | null; createdAt: string }[]).map((v) => ({
          body: v.body,
          replacedAt: v.createdAt,
        })),
      );
    },

    /**
     * Who may start a conversation with you.
     *
     * @example
     * ```ts
     * await client.chat.setSettings({ allowMessagesFrom: 'nobody' })
     * ```
     */
    setSettings(settings: {
      allowMessagesFrom: ChatAudience;
    }): Promise<SupasocialResult<{ allowMessagesFrom: ChatAudience }>> {
      const o = parseInput(z.strictObject({ allowMessagesFrom: AudienceSchema }), settings, "settings");
      if (o.error) return Promise.resolve(o);
      return call(
        "set_chat_settings",
        {},
        (data) => ({ allowMessagesFrom: first(data)?.allow_messages_from as ChatAudience }),
        { p_allow_messages_from: o.data.allowMessagesFrom },
      );
    },

    /**
     * Live messages, edits, deletions, reads, typing and presence of a conversation over its
     * private Realtime channel (`chat:<id>`; Realtime checks, as you, that you are a member).
     * Resolves once joined, or with `conversation_not_found` (not a member) or a `realtime_error`
     * (the channel refused or failed). You are tracked as online while subscribed. When you lose
     * the conversation (removed, a block) `onClosed` runs and the subscription ends at once.
     * Members a block separates you from (as it stood when you subscribed) are left out of
     * messages, typing and presence, as everywhere else.
     *
     * @example
     * ```ts
     * useEffect(() => {
     *   const sub = social.chat.subscribe(id, {
     *     onMessage: (m) => append(m),
     *     onTyping: (e) => setTyping(e.userId, e.typing),
     *     onPresence: (e) => setOnline(e.userIds),
     *   })
     *   return () => void sub.unsubscribe()
     * }, [id])
     * ```
     */
    subscribe(conversationId: string, handlers: ChatHandlers = {}): PendingSubscription<ChatSubscription> {
      return pendingSubscription(async (control) => {
        const me = await ctx.currentUserId();
        if (me.error) return me;
        // members a block separates you from: Realtime delivers their broadcasts to every member,
        // the database leaves them out everywhere else; dropped here too
        const hiddenIds = await call("conversation_hidden_members", { conversationId }, (data) =>
          ((data ?? []) as { user_id: string }[]).map((r) => r.user_id),
        );
        if (hiddenIds.error) return hiddenIds;
        const id = conversationId;
        const hidden = new Set(hiddenIds.data);
        const timers = new Map<string, ReturnType<typeof setTimeout>>();
        const stopTimers = () => {
          for (const timer of timers.values()) clearTimeout(timer);
        };
        let live: LiveSubscription | null = null;
        let closed = false;
        const close = (reason: "removed" | "blocked") => {
          if (closed || control.cancelled) return;
          closed = true;
          stopTimers();
          handlers.onClosed?.(reason);
          void live?.unsubscribe();
        };
        const setTyping = (userId: string, typing: boolean) => {
          clearTimeout(timers.get(userId));
          timers.delete(userId);
          if (typing) {
            timers.set(
              userId,
              setTimeout(() => {
                timers.delete(userId);
                if (!control.cancelled) handlers.onTyping?.({ userId, typing: false });
              }, TYPING_MS),
            );
          }
          handlers.onTyping?.({ userId, typing });
        };
        const joined = await joinTopic(
          ctx.supabase,
          `chat:${id}`,
          {
            event: "*",
            onMessage(payload, event) {
              const body = camel(payload) as Record<string, unknown>;
              const userId = body.userId as string | undefined;
              if (event === "message.new" || event === "message.update") {
                const message = toChatMessage((payload as { message?: unknown })?.message);
                if (!message || (message.senderId && hidden.has(message.senderId))) return;
                if (event === "message.update") return handlers.onUpdate?.(message);
                if (message.senderId && timers.has(message.senderId)) setTyping(message.senderId, false);
                handlers.onMessage?.(message);
              } else if (event === "message.delete") {
                if (typeof body.id === "string") handlers.onDelete?.(body as unknown as DeleteEvent);
              } else if (event === "delivery.read") {
                if (userId) handlers.onRead?.(body as unknown as ReadEvent);
              } else if (event === "typing") {
                if (userId && userId !== me.data && !hidden.has(userId)) setTyping(userId, body.typing !== false);
              } else if (event === "member.added" || event === "member.removed") {
                if (!userId) return;
                handlers.onMember?.({ userId, change: event === "member.added" ? "added" : "removed" });
                if (event === "member.removed" && userId === me.data) close("removed");
              } else if (event === "conversation.closed") {
                close("blocked");
              }
            },
            onPresence(state) {
              handlers.onPresence?.({ userIds: Object.keys(state).filter((userId) => !hidden.has(userId)) });
            },
            onError: handlers.onError,
          },
          control,
          { presenceKey: me.data },
        );
        if (joined.error) return joined;
        live = joined.data;
        const channel = joined.data.channel;
        await channel.track({ user_id: me.data, online_at: new Date().toISOString() });
        return ok({
          channel,
          typing: () => broadcastTyping(id, true),
          stopTyping: () => broadcastTyping(id, false),
          async unsubscribe() {
            stopTimers();
            await joined.data.unsubscribe();
          },
        });
      });
    },

    /**
     * Tell the others in a conversation you subscribed to that you are typing: they see it for
     * 5 s unless you call again (calls within 2.5 s send nothing). `typing(id, false)` stops it.
     *
     * @example
     * ```ts
     * input.addEventListener('input', () => void social.chat.typing(id))
     * ```
     */
    typing(conversationId: string, typing = true): Promise<SupasocialResult<null>> {
      return settle(() => broadcastTyping(conversationId, typing));
    },

    /**
     * Live updates for the conversation list, on your private topic `user:<id>`: each new message
     * in your unmuted conversations of up to 50 members (a preview: the text cut to 140
     * characters, no attachments; with your unread count there), and conversations you join or
     * lose. Shares the channel with `notifications.subscribe`.
     *
     * @example
     * ```ts
     * const sub = social.chat.subscribeInbox({
     *   onMessage: (e) => bump(e.conversationId, e.unreadCount),
     *   onConversation: (e) => (e.change === 'added' ? add(e.conversationId) : drop(e.conversationId)),
     * })
     * ```
     */
    subscribeInbox(handlers: {
      onMessage?: (event: { conversationId: string; message: ChatMessage; unreadCount: number }) => void;
      onConversation?: (event: { conversationId: string; change: "added" | "removed" }) => void;
      onError?: (error: SupasocialError) => void;
    }): PendingSubscription<LiveSubscription> {
      return pendingSubscription(async (control) => {
        const me = await ctx.currentUserId();
        if (me.error) return me;
        return joinTopic(
          ctx.supabase,
          `user:${me.data}`,
          {
            event: "*",
            onMessage(payload, event) {
              const body = payload as {
                message?: unknown;
                unread_count?: number;
                conversation?: { id?: string };
                conversation_id?: string;
              };
              if (event === "chat.message") {
                const message = toChatMessage(body.message);
                if (message) {
                  handlers.onMessage?.({
                    conversationId: message.conversationId,
                    message,
                    unreadCount: Number(body.unread_count ?? 0),
                  });
                }
              } else if (event === "conversation.added" || event === "conversation.removed") {
                const conversationId = body.conversation?.id ?? body.conversation_id;
                if (conversationId) {
                  handlers.onConversation?.({
                    conversationId,
                    change: event === "conversation.added" ? "added" : "removed",
                  });
                }
              }
            },
            onError: handlers.onError,
          },
          control,
        );
      });
    },
  };
});

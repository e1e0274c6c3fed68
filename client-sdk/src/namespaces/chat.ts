/**
 * `client.chat`: direct and group conversations (and a group's own conversation), messages with
 * idempotent sends, edits, tombstones, history pages, read state and unread counts, receipts, and
 * live delivery, typing and presence over Realtime Broadcast on the private topic
 * `chat:<conversation_id>`.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import { z } from "zod";
import { Constants, type Database, type Json } from "../database.types.ts";
import type { SupasocialError } from "../errors.ts";
import { toSupasocialError } from "../errors.ts";
import { defineNamespace, type NamespaceContext } from "../namespace.ts";
import { listMethod, type Page, scopedListMethod, toPage } from "../pagination.ts";
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
import { type PostMedia, PostMediaListSchema } from "./posts.ts";
import { notFound, type ProfileSummary, single, toArray, toObject, toProfileSummary, ts } from "./shared.ts";

type Social = Database["social"];
type ConversationRow = Social["Tables"]["conversations"]["Row"];
type ListRow = Social["Functions"]["list_conversations"]["Returns"][number];
type MessageRow = Social["Tables"]["messages"]["Row"];
type HistoryRow = Social["Functions"]["list_messages"]["Returns"][number];

// =============================================================================================
// types
// =============================================================================================

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
  attachments: PostMedia[];
  replyToId: string | null;
  replyTo: { id: string; senderId: string | null; body: string | null; isDeleted: boolean } | null;
  /** System messages: `{ event, user_id, by }`. */
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
  body: BodySchema.optional(),
  attachments: PostMediaListSchema.optional(),
  replyToId: UuidSchema.optional(),
  clientMessageId: UuidSchema.optional(),
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
    cursor: CursorSchema.nullish(),
    limit: LimitSchema.optional(),
    before: UuidSchema.optional(),
    after: UuidSchema.optional(),
    around: UuidSchema.optional(),
  })
  .refine(
    (o) => [o.cursor, o.before, o.after, o.around].filter((v) => v !== undefined && v !== null).length <= 1,
    "Give at most one of cursor, before, after and around",
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

const UuidListSchema = z.array(UuidSchema).max(500, "At most 500 people at once");
const AudienceSchema = z.enum(Constants.social.Enums.chat_audience);
const RoleSchema = z.enum(Constants.social.Enums.conversation_role);

// =============================================================================================
// mapping
// =============================================================================================

const num = (value: unknown): number => (typeof value === "number" ? value : Number(value ?? 0));
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

function toPreview(value: unknown): MessagePreview | null {
  const m = toObject(value);
  const id = str(m.id);
  if (!id) return null;
  return {
    id,
    seq: num(m.seq),
    senderId: str(m.sender_id),
    kind: m.kind === "system" ? "system" : "text",
    body: str(m.body),
    attachmentCount: num(m.attachment_count),
    data: toObject(m.data),
    isDeleted: m.deleted === true,
    createdAt: normalizeTimestamp(str(m.created_at) ?? ""),
  };
}

function toMember(value: unknown): ChatMember[] {
  const card = toProfileSummary(value);
  return card ? [{ ...card, role: toObject(value).role === "admin" ? "admin" : "member" }] : [];
}

function toConversation(row: ConversationRow | ListRow): Conversation {
  const r = row as Partial<ListRow> & ConversationRow;
  return {
    id: r.id,
    kind: r.kind,
    title: r.title ?? null,
    avatarPath: r.avatar_path ?? null,
    contextType: r.context_type ?? null,
    contextId: r.context_id ?? null,
    memberCount: num(r.member_count),
    slowModeSeconds: num(r.slow_mode_seconds),
    role: r.role ?? null,
    mutedUntil: ts(r.muted_until),
    lastReadSeq: num(r.last_read_seq),
    lastSeq: num(r.last_seq),
    unreadCount: num(r.unread_count),
    lastActivityAt: normalizeTimestamp(r.last_activity_at),
    lastMessage: toPreview(r.last_message),
    members: toArray(r.members).flatMap(toMember),
    createdAt: normalizeTimestamp(r.created_at),
  };
}

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
export function toChatMessage(value: MessageRow | HistoryRow | unknown): ChatMessage | null {
  const m = toObject(value);
  const id = str(m.id);
  const conversationId = str(m.conversation_id);
  if (!id || !conversationId) return null;
  const reply = toObject(m.reply_to);
  const replyId = str(reply.id);
  return {
    id,
    conversationId,
    seq: num(m.seq),
    senderId: str(m.sender_id),
    sender: toProfileSummary(m.sender),
    clientMessageId: str(m.client_message_id) ?? "",
    kind: m.kind === "system" ? "system" : "text",
    body: str(m.body),
    attachments: toArray(m.attachments) as unknown as PostMedia[],
    replyToId: str(m.reply_to_id),
    replyTo: replyId
      ? { id: replyId, senderId: str(reply.sender_id), body: str(reply.body), isDeleted: reply.deleted === true }
      : null,
    data: toObject(m.data),
    editCount: num(m.edit_count),
    editedAt: ts(str(m.edited_at)),
    isDeleted: m.deleted_at !== null && m.deleted_at !== undefined,
    deletedAt: ts(str(m.deleted_at)),
    createdAt: normalizeTimestamp(str(m.created_at) ?? ""),
  };
}

// =============================================================================================
// helpers
// =============================================================================================

/** A v4 uuid: `crypto.randomUUID` where there is one (browsers, Node, Deno), else from random bytes. */
function newUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (a: Uint8Array) => Uint8Array } })
    .crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Failures a retry may cure: no response, a timeout, a server error. */
function retryable(error: SupasocialError): boolean {
  return error.status === 0 || error.status >= 500;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const typingSentBy = new WeakMap<object, Map<string, number>>();
const TYPING_MS = 5000;
const TYPING_RESEND_MS = 2500;

function conversationNotFound() {
  return notFound("conversation_not_found", "No such conversation");
}

async function rpc<T>(run: PromiseLike<{ data: unknown; error: unknown; status: number }>, map: (data: unknown) => T) {
  const response = await run;
  if (response.error) return failFrom<T>(response);
  return ok(map(response.data));
}

function conversationResult(ctx: NamespaceContext, name: string, args: Record<string, unknown>) {
  return settle(async () =>
    single(
      (await ctx.social.rpc(name as "open_direct_conversation", args as never)) as never,
      toConversation,
      conversationNotFound,
    ),
  );
}

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
  let typingSent = typingSentBy.get(ctx.supabase);
  if (!typingSent) {
    typingSent = new Map<string, number>();
    typingSentBy.set(ctx.supabase, typingSent);
  }
  const sentAt = typingSent;

  async function broadcastTyping(conversationId: string, typing: boolean): Promise<SupasocialResult<null>> {
    const id = parseInput(UuidSchema, conversationId, "conversationId");
    if (id.error) return id;
    const me = await ctx.currentUserId();
    if (me.error) return me;
    const channel = ctx.supabase
      .getChannels()
      .find((c: RealtimeChannel) => c.topic === `realtime:chat:${id.data}` && c.state === "joined");
    if (!channel) {
      return fail(realtimeError("Subscribe to the conversation before typing in it", "NOT_JOINED"));
    }
    const now = Date.now();
    if (typing && now - (sentAt.get(id.data) ?? 0) < TYPING_RESEND_MS) return ok(null);
    sentAt.set(id.data, typing ? now : 0);
    const status = await channel.send({ type: "broadcast", event: "typing", payload: { user_id: me.data, typing } });
    return status === "ok"
      ? ok(null)
      : fail(realtimeError(`Realtime did not take the typing event (${status})`, "SEND"));
  }

  const historyPage = (conversationId: string, options: HistoryOptions = {}): Promise<SupasocialResult<HistoryPage>> =>
    settle(async () => {
      const id = parseInput(UuidSchema, conversationId, "conversationId");
      if (id.error) return id;
      const parsed = parseInput(HistoryOptionsSchema, options, "options");
      if (parsed.error) return parsed;
      const o = parsed.data;
      return rpc(
        ctx.social.rpc("list_messages", {
          p_conversation_id: id.data,
          p_message_id: o.before ?? o.after ?? o.around,
          p_position: o.before ? "before" : o.after ? "after" : "around",
          p_cursor: o.cursor ?? undefined,
          p_limit: o.limit ?? 50,
        }),
        (data) => {
          const rows = (data as HistoryRow[] | null) ?? [];
          return {
            items: rows.flatMap((row) => toChatMessage(row) ?? []),
            nextCursor: rows[0]?.next_cursor ?? null,
            olderCursor: rows[0]?.older_cursor ?? null,
            newerCursor: rows[0]?.newer_cursor ?? null,
          };
        },
      );
    });
  const history: HistoryMethod = Object.assign(historyPage, {
    async *all(conversationId: string, options: HistoryOptions = {}) {
      let page = await historyPage(conversationId, options);
      for (;;) {
        if (page.error) throw page.error;
        yield* page.data.items;
        if (!page.data.nextCursor) return;
        page = await historyPage(conversationId, { cursor: page.data.nextCursor, limit: options.limit });
      }
    },
  });

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
      const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
      if (parsed.error) return parsed;
      const me = await ctx.currentUserId();
      if (me.error) return me;
      return rpc(
        ctx.social.rpc("list_conversations", { p_cursor: parsed.data.cursor ?? undefined, p_limit: parsed.data.limit }),
        (data) => toPage(data as ListRow[], toConversation),
      );
    }),

    /**
     * One of your conversations as the list shows it. Error: `conversation_not_found`.
     *
     * @example
     * ```ts
     * const { data: conversation } = await client.chat.get(id)
     * ```
     */
    get(conversationId: string): Promise<SupasocialResult<Conversation>> {
      const id = parseInput(UuidSchema, conversationId, "conversationId");
      if (id.error) return Promise.resolve(id);
      return conversationResult(ctx, "get_conversation", { p_conversation_id: id.data });
    },

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
      const id = parseInput(UuidSchema, userId, "userId");
      if (id.error) return Promise.resolve(id);
      return conversationResult(ctx, "open_direct_conversation", { p_user_id: id.data });
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
      const parsed = parseInput(
        z.strictObject({
          title: textSchema({ min: 1, max: 80, label: "Title", trim: true }),
          memberIds: UuidListSchema.optional(),
          avatarPath: textSchema({ max: 1024, label: "Avatar path" }).optional(),
        }),
        input,
        "input",
      );
      if (parsed.error) return Promise.resolve(parsed);
      return conversationResult(ctx, "create_group_conversation", {
        p_title: parsed.data.title,
        p_member_ids: parsed.data.memberIds ?? [],
        p_avatar_path: parsed.data.avatarPath,
      });
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
      const id = parseInput(UuidSchema, groupId, "groupId");
      if (id.error) return Promise.resolve(id);
      return conversationResult(ctx, "open_group_chat", { p_group_id: id.data });
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
      const id = parseInput(UuidSchema, conversationId, "conversationId");
      if (id.error) return Promise.resolve(id);
      const parsed = parseInput(
        z.strictObject({
          title: textSchema({ min: 1, max: 80, label: "Title", trim: true }).optional(),
          avatarPath: textSchema({ max: 1024, label: "Avatar path" }).optional(),
          slowModeSeconds: z.number().int().min(0).max(3600).optional(),
        }),
        patch,
        "patch",
      );
      if (parsed.error) return Promise.resolve(parsed);
      return conversationResult(ctx, "update_conversation", {
        p_conversation_id: id.data,
        p_title: parsed.data.title,
        p_avatar_path: parsed.data.avatarPath,
        p_slow_mode_seconds: parsed.data.slowModeSeconds,
      });
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
      return settle(async () => {
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const users = parseInput(UuidListSchema, userIds, "userIds");
        if (users.error) return users;
        return rpc(
          ctx.social.rpc("add_conversation_members", { p_conversation_id: id.data, p_user_ids: users.data }),
          num,
        );
      });
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
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const user = parseInput(UuidSchema, userId, "userId");
        if (user.error) return user;
        const me = await ctx.currentUserId();
        if (me.error) return me;
        return rpc(
          me.data === user.data
            ? ctx.social.rpc("leave_conversation", { p_conversation_id: id.data })
            : ctx.social.rpc("remove_conversation_member", { p_conversation_id: id.data, p_user_id: user.data }),
          () => null,
        );
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
      return settle(async () => {
        const parsed = parseInput(
          z.tuple([UuidSchema, UuidSchema, RoleSchema]),
          [conversationId, userId, role],
          "arguments",
        );
        if (parsed.error) return parsed;
        const [c, u, r] = parsed.data;
        return rpc(
          ctx.social.rpc("set_conversation_member_role", { p_conversation_id: c, p_user_id: u, p_role: r }),
          () => null,
        );
      });
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
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const parsed = parseInput(ListOptionsSchema, options ?? {}, "options");
        if (parsed.error) return parsed;
        return rpc(
          ctx.social.rpc("list_conversation_members", {
            p_conversation_id: id.data,
            p_cursor: parsed.data.cursor ?? undefined,
            p_limit: parsed.data.limit,
          }),
          (data) =>
            toPage(data as { profile: Json; role: ConversationRole; next_cursor: string | null }[], (row) => ({
              ...(toProfileSummary(row.profile) as ProfileSummary),
              role: row.role,
            })),
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
      return settle(async () => {
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const at =
          until === undefined ? ok("infinity") : until === null ? ok(null) : parseInput(DateTimeSchema, until, "until");
        if (at.error) return at;
        return rpc(
          ctx.social.rpc("mute_conversation", { p_conversation_id: id.data, p_until: at.data as string }),
          (data) => {
            const row = toObject(Array.isArray(data) ? data[0] : data);
            return { mutedUntil: str(row.muted_until) === "infinity" ? "infinity" : ts(str(row.muted_until)) };
          },
        );
      });
    },

    /**
     * Send a message. The SDK gives it a `clientMessageId` (or uses yours) and retries on a lost
     * connection or a server error with the same key, so it is stored once; the result is the
     * stored message (your ack). Errors: `conversation_not_found`, `blocked`, `invalid_body`,
     * `invalid_media`, `slow_mode`, `rate_limited`, `idempotency_conflict`.
     *
     * @example
     * ```ts
     * const { data: sent, error } = await client.chat.send(id, { body: 'See you at 7' })
     * ```
     */
    send(
      conversationId: string,
      input: ChatMessageInput,
      options: { retries?: number } = {},
    ): Promise<SupasocialResult<ChatMessage>> {
      return settle(async () => {
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const parsed = parseInput(ChatMessageInputSchema, input, "input");
        if (parsed.error) return parsed;
        const args = {
          p_conversation_id: id.data,
          p_client_message_id: parsed.data.clientMessageId ?? newUuid(),
          p_body: parsed.data.body,
          p_attachments: (parsed.data.attachments ?? []) as unknown as Json,
          p_reply_to_id: parsed.data.replyToId,
        };
        const retries = Math.max(0, Math.min(options.retries ?? 3, 10));
        for (let attempt = 0; ; attempt++) {
          let error: SupasocialError;
          try {
            const response = await ctx.social.rpc("send_message", args);
            if (!response.error) {
              const message = toChatMessage(Array.isArray(response.data) ? response.data[0] : response.data);
              if (message) return ok(message);
            }
            error = toSupasocialError(response.error ?? new Error("send_message returned no row"), {
              status: response.status,
            });
          } catch (thrown) {
            error = toSupasocialError(thrown);
          }
          if (attempt >= retries || !retryable(error)) return fail(error);
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
      return settle(async () => {
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const message = messageId === undefined ? ok(undefined) : parseInput(UuidSchema, messageId, "messageId");
        if (message.error) return message;
        return rpc(
          ctx.social.rpc("mark_conversation_read", { p_conversation_id: id.data, p_message_id: message.data }),
          (data) => {
            const row = toObject(Array.isArray(data) ? data[0] : data);
            return { lastReadSeq: num(row.last_read_seq), unreadCount: num(row.unread_count) };
          },
        );
      });
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
        return rpc(ctx.social.rpc("unread_chat_count"), (data) => {
          const row = toObject(Array.isArray(data) ? data[0] : data);
          return { messages: num(row.unread_messages), conversations: num(row.unread_conversations) };
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
      return settle(async () => {
        const id = parseInput(UuidSchema, messageId, "messageId");
        if (id.error) return id;
        return rpc(ctx.social.rpc("message_receipts", { p_message_id: id.data }), (data) =>
          ((data as { profile: Json; read: boolean; read_at: string | null }[] | null) ?? []).map((row) => ({
            user: toProfileSummary(row.profile) as ProfileSummary,
            read: row.read,
            readAt: ts(row.read_at),
          })),
        );
      });
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
      return settle(async () => {
        const id = parseInput(UuidSchema, messageId, "messageId");
        if (id.error) return id;
        const text = parseInput(BodySchema, body, "body");
        if (text.error) return text;
        return single(await ctx.social.rpc("edit_message", { p_message_id: id.data, p_body: text.data }), toMsg, () =>
          notFound("message_not_found", "No such message"),
        );
      });
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
      return settle(async () => {
        const id = parseInput(UuidSchema, messageId, "messageId");
        if (id.error) return id;
        const reason = parseInput(textSchema({ max: 1000, label: "Reason" }).optional(), options.reason, "reason");
        if (reason.error) return reason;
        return single(
          await ctx.social.rpc("delete_message", { p_message_id: id.data, p_reason: reason.data }),
          toMsg,
          () => notFound("message_not_found", "No such message"),
        );
      });
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
      return settle(async () => {
        const id = parseInput(UuidSchema, messageId, "messageId");
        if (id.error) return id;
        return rpc(ctx.social.rpc("message_history", { p_message_id: id.data }), (data) =>
          ((data as { body: string | null; created_at: string }[] | null) ?? []).map((v) => ({
            body: v.body,
            replacedAt: normalizeTimestamp(v.created_at),
          })),
        );
      });
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
      return settle(async () => {
        const parsed = parseInput(z.strictObject({ allowMessagesFrom: AudienceSchema }), settings, "settings");
        if (parsed.error) return parsed;
        return rpc(
          ctx.social.rpc("set_chat_settings", { p_allow_messages_from: parsed.data.allowMessagesFrom }),
          (data) => ({
            allowMessagesFrom: toObject(Array.isArray(data) ? data[0] : data).allow_messages_from as ChatAudience,
          }),
        );
      });
    },

    /**
     * Live messages, edits, deletions, reads, typing and presence of a conversation over its
     * private Realtime channel (`chat:<id>`; Realtime checks, as you, that you are a member).
     * Resolves once joined, or with `conversation_not_found` (not a member) or a `realtime_error`
     * (the channel refused or failed). You are tracked as online while
     * subscribed. When you lose the conversation (removed, a block) `onClosed` runs and the
     * subscription ends at once. Members a block separates you from (as it stood when you
     * subscribed) are left out of messages, typing and presence, as everywhere else.
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
        const id = parseInput(UuidSchema, conversationId, "conversationId");
        if (id.error) return id;
        const me = await ctx.currentUserId();
        if (me.error) return me;
        // members a block separates you from: Realtime delivers their broadcasts to every member,
        // the database leaves them out everywhere else; dropped here too
        const hiddenResponse = await ctx.social.rpc("conversation_hidden_members", { p_conversation_id: id.data });
        if (hiddenResponse.error) return failFrom(hiddenResponse);
        const hidden = new Set((hiddenResponse.data ?? []).map((row) => row.user_id));
        const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
        let live: { unsubscribe(): Promise<void> } | null = null;
        let closed: "removed" | "blocked" | null = null;
        const close = (reason: "removed" | "blocked") => {
          if (closed || control.cancelled) return;
          closed = reason;
          for (const timer of typingTimers.values()) clearTimeout(timer);
          handlers.onClosed?.(reason);
          void live?.unsubscribe();
        };
        const setTyping = (userId: string, typing: boolean) => {
          clearTimeout(typingTimers.get(userId));
          typingTimers.delete(userId);
          if (typing) {
            typingTimers.set(
              userId,
              setTimeout(() => {
                typingTimers.delete(userId);
                if (!control.cancelled) handlers.onTyping?.({ userId, typing: false });
              }, TYPING_MS),
            );
          }
          handlers.onTyping?.({ userId, typing });
        };
        const joined = await joinTopic(
          ctx.supabase,
          `chat:${id.data}`,
          {
            event: "*",
            onMessage(payload, event) {
              const body = toObject(payload);
              if (event === "message.new" || event === "message.update") {
                const message = toChatMessage(body.message);
                if (!message || (message.senderId && hidden.has(message.senderId))) return;
                if (event === "message.new") {
                  if (message.senderId) setTypingOff(message.senderId);
                  handlers.onMessage?.(message);
                } else handlers.onUpdate?.(message);
              } else if (event === "message.delete") {
                const messageId = str(body.id);
                if (messageId) {
                  handlers.onDelete?.({
                    id: messageId,
                    conversationId: id.data,
                    seq: num(body.seq),
                    deletedAt: ts(str(body.deleted_at)),
                    deletedBy: str(body.deleted_by),
                  });
                }
              } else if (event === "delivery.read") {
                const userId = str(body.user_id);
                if (userId) {
                  handlers.onRead?.({
                    conversationId: id.data,
                    userId,
                    lastReadSeq: num(body.last_read_seq),
                    readAt: ts(str(body.read_at)),
                  });
                }
              } else if (event === "typing") {
                const userId = str(body.user_id);
                if (userId && userId !== me.data && !hidden.has(userId)) setTyping(userId, body.typing !== false);
              } else if (event === "member.added" || event === "member.removed") {
                const userId = str(body.user_id);
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
        function setTypingOff(userId: string) {
          if (typingTimers.has(userId)) setTyping(userId, false);
        }
        if (joined.error) return joined;
        live = joined.data;
        const channel = joined.data.channel;
        await channel.track({ user_id: me.data, online_at: new Date().toISOString() });
        const subscription: ChatSubscription = {
          channel,
          typing: () => broadcastTyping(id.data, true),
          stopTyping: () => broadcastTyping(id.data, false),
          async unsubscribe() {
            for (const timer of typingTimers.values()) clearTimeout(timer);
            await joined.data.unsubscribe();
          },
        };
        return ok(subscription);
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
     * in your unmuted conversations of up to 50 members (with your unread count there), and
     * conversations you join or lose. Shares the channel with `notifications.subscribe`.
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
              const body = toObject(payload);
              if (event === "chat.message") {
                const message = toChatMessage(body.message);
                if (message) {
                  handlers.onMessage?.({
                    conversationId: message.conversationId,
                    message,
                    unreadCount: num(body.unread_count),
                  });
                }
              } else if (event === "conversation.added" || event === "conversation.removed") {
                const conversationId = str(toObject(body.conversation).id) ?? str(body.conversation_id);
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

function toMsg(row: MessageRow): ChatMessage {
  return toChatMessage(row) as ChatMessage;
}

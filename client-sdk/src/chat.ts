/**
 * `@supasocial/client/chat`: the chat namespace, opt-in. Chat is the SDK's largest namespace
 * (about 3 kB min+gzip with its Realtime handling), so it lives in its own entry point and the
 * core package stays within its 30 kB budget: apps that chat add it to their client with
 * `withChat`.
 *
 * @example
 * ```ts
 * import { createSupasocialClient } from '@supasocial/client'
 * import { withChat } from '@supasocial/client/chat'
 *
 * const social = withChat(createSupasocialClient(supabase))
 * await social.chat.send(conversationId, { body: 'Hi!' })
 * ```
 */
import type { SupasocialClient } from "./client.ts";
import { createContext } from "./namespace.ts";
import { chatNamespace } from "./namespaces/chat.ts";

export * from "./namespaces/chat.ts";

/**
 * What `client.chat` holds: conversations, messages, read state and live delivery.
 *
 * @example
 * ```ts
 * const chat: ChatApi = withChat(social).chat
 * ```
 */
export type ChatApi = ReturnType<typeof chatNamespace.create>;

/**
 * The client with `chat` added (the same object: every other namespace is there too).
 *
 * @example
 * ```ts
 * const social: SupasocialChatClient = withChat(createSupasocialClient(supabase))
 * ```
 */
export type SupasocialChatClient<C extends SupasocialClient = SupasocialClient> = C & { readonly chat: ChatApi };

/**
 * Add the `chat` namespace to a Supasocial client (idempotent); returns the same client, typed
 * with `chat`.
 *
 * @example
 * ```ts
 * const social = withChat(createSupasocialClient(supabase))
 * const { data: inbox } = await social.chat.list()
 * ```
 */
export function withChat<C extends SupasocialClient>(client: C): SupasocialChatClient<C> {
  const target = client as C & { chat?: ChatApi };
  if (!target.chat) {
    Object.defineProperty(target, "chat", {
      value: chatNamespace.create(createContext(client.supabase)),
      enumerable: true,
    });
  }
  return target as SupasocialChatClient<C>;
}

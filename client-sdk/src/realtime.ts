/**
 * Live subscriptions on Realtime Broadcast, shared by the namespaces that push updates
 * (`notifications.subscribe`, `chat.subscribe`, later gamification, events): a subscription resolves once
 * its private channel has joined (or with a `realtime_error`), hears the channel fail and re-join
 * after a dropped connection (supabase-js re-joins by itself), and unsubscribes cleanly, also
 * before it has joined, which is what a React `useEffect` cleanup does.
 *
 * supabase-js keeps one channel per topic and client, so subscriptions to one topic share a
 * channel: it is removed when the last of them unsubscribes, and a new subscription waits until
 * that removal is over instead of picking up the closing channel.
 */
import type { RealtimeChannel } from "@supabase/supabase-js";
import { SUPASOCIAL_ERROR_STATUS } from "./error-status.ts";
import { SupasocialError } from "./errors.ts";
import type { AnySupabaseClient } from "./namespace.ts";
import { fail, ok, type SupasocialResult, settle } from "./result.ts";

/**
 * A live subscription; `unsubscribe()` ends it (idempotent).
 *
 * @example
 * ```ts
 * const { data: sub } = await client.notifications.subscribe(onEvent)
 * await sub?.unsubscribe()
 * ```
 */
export interface LiveSubscription {
  /** The Realtime channel (private), shared with other subscriptions to the same topic. */
  channel: RealtimeChannel;
  unsubscribe(): Promise<void>;
}

/**
 * What a `subscribe` method returns: the promise of `{ data, error }` (settled when the channel
 * has joined or failed to) with an `unsubscribe()` that works at once, joined or not. From then
 * on no callback runs.
 *
 * @example
 * ```ts
 * useEffect(() => {
 *   const subscription = social.notifications.subscribe(onEvent, { onError })
 *   return () => void subscription.unsubscribe()
 * }, [social])
 * ```
 */
export type PendingSubscription<S extends LiveSubscription> = Promise<SupasocialResult<S>> & {
  unsubscribe(): Promise<void>;
};

/** What one subscriber hears on a topic. */
export interface TopicListener {
  /** The broadcast event to hear, or `*`. */
  event: string;
  /** The broadcast's payload, and its event name. */
  onMessage(payload: unknown, event: string): void;
  /** Presence on the topic changed: the state keyed by presence key (channels joined with `presence`). */
  onPresence?: (state: Record<string, unknown[]>) => void;
  onError?: (error: SupasocialError) => void;
}

/** How a topic's channel is opened (by its first subscriber). */
export interface TopicOptions {
  /** Enable Presence with this key (e.g. the user's id); the channel tracks nothing by itself. */
  presenceKey?: string;
}

/** Set once the caller unsubscribed: nothing reaches its callbacks any more. */
export interface SubscriptionControl {
  cancelled: boolean;
}

interface Entry {
  channel: RealtimeChannel;
  listeners: Set<{ listener: TopicListener; control: SubscriptionControl }>;
  /** Settles with the outcome of the first join. */
  joined: Promise<SupasocialError | null>;
  hasJoined: boolean;
  leaving: boolean;
  /** The last `system` error the server sent (it precedes a server-side close). */
  systemError: string | null;
}

interface Registry {
  topics: Map<string, Entry>;
  removals: Map<string, Promise<unknown>>;
}

const registries = new WeakMap<AnySupabaseClient, Registry>();

function registryOf(supabase: AnySupabaseClient): Registry {
  let registry = registries.get(supabase);
  if (!registry) {
    registry = { topics: new Map(), removals: new Map() };
    registries.set(supabase, registry);
  }
  return registry;
}

/**
 * A Realtime failure as a `realtime_error` (a join that timed out: `timeout`), with the status
 * the list gives the code. Realtime's reasons read `Code: message`
 * (`Unauthorized: You do not have permissions to read from this Channel topic: user:…`): that
 * code becomes `rawCode`; without one it is what happened to the channel (`CHANNEL_ERROR` a
 * dropped connection, `CLOSED` closed by the server, `TIMED_OUT`).
 *
 * @example
 * ```ts
 * realtimeError('Unauthorized: You do not have permissions to read from this Channel topic: user:1', 'CHANNEL_ERROR')
 * ```
 */
export function realtimeError(message: string, fallbackCode: string, cause?: unknown): SupasocialError {
  const prefix = /^([A-Za-z]+): /.exec(message)?.[1] ?? null;
  const code = fallbackCode === "TIMED_OUT" ? "timeout" : "realtime_error";
  return new SupasocialError({
    code,
    status: SUPASOCIAL_ERROR_STATUS[code],
    message,
    rawCode: prefix ?? fallbackCode,
    cause,
  });
}

function notify(entry: Entry, error: SupasocialError) {
  for (const { listener, control } of entry.listeners) {
    if (!control.cancelled) listener.onError?.(error);
  }
}

function openEntry(supabase: AnySupabaseClient, registry: Registry, topic: string, options: TopicOptions): Entry {
  const channel = supabase.channel(topic, {
    config: options.presenceKey ? { private: true, presence: { key: options.presenceKey } } : { private: true },
  });
  let settleJoin: (outcome: SupasocialError | null) => void = () => {};
  const entry: Entry = {
    channel,
    listeners: new Set(),
    joined: new Promise((resolve) => {
      settleJoin = resolve;
    }),
    hasJoined: false,
    leaving: false,
    systemError: null,
  };
  const drop = () => {
    if (registry.topics.get(topic) === entry) registry.topics.delete(topic);
  };
  channel.on("broadcast", { event: "*" }, (message: { event?: string; payload?: unknown }) => {
    for (const { listener, control } of entry.listeners) {
      if (control.cancelled) continue;
      if (listener.event === "*" || listener.event === message.event) {
        listener.onMessage(message.payload, message.event ?? "");
      }
    }
  });
  if (options.presenceKey) {
    channel.on("presence", { event: "sync" }, () => {
      const state = channel.presenceState() as Record<string, unknown[]>;
      for (const { listener, control } of entry.listeners) {
        if (!control.cancelled) listener.onPresence?.(state);
      }
    });
  }
  channel
    .on("system", {}, (payload: { status?: string; message?: string }) => {
      if (payload?.status === "error" && typeof payload.message === "string") entry.systemError = payload.message;
    })
    .subscribe((status: string, err?: Error) => {
      if (entry.leaving) return;
      if (status === "SUBSCRIBED") {
        entry.systemError = null;
        if (!entry.hasJoined) {
          entry.hasJoined = true;
          settleJoin(null);
        }
        return;
      }
      if (status === "CLOSED") {
        // the server closed the channel (access lost, token expired ...): it does not come back
        const error = realtimeError(entry.systemError ?? "Realtime closed the channel", "CLOSED");
        drop();
        if (!entry.hasJoined) settleJoin(error);
        else notify(entry, error);
        return;
      }
      const error = realtimeError(err?.message ?? `Realtime channel ${status.toLowerCase()}`, status, err);
      if (!entry.hasJoined) {
        // refused (or timed out) at join: stop supabase-js from retrying and report it
        settleJoin(error);
        entry.leaving = true;
        drop();
        const removal = supabase.removeChannel(channel).catch(() => "error");
        registry.removals.set(topic, removal);
        void removal.finally(() => {
          if (registry.removals.get(topic) === removal) registry.removals.delete(topic);
        });
        return;
      }
      // a dropped connection: supabase-js re-joins when the socket is back
      notify(entry, error);
    });
  return entry;
}

/**
 * Join the private channel of `topic` (or share it) and hear `listener.event` broadcasts on it
 * (and presence, when the channel was opened with `options.presenceKey`); settles when the channel
 * has joined, or with a `realtime_error` when it cannot.
 *
 * @example
 * ```ts
 * const { data: sub, error } = await joinTopic(supabase, `user:${me}`, { event: 'notification', onMessage }, { cancelled: false })
 * ```
 */
export async function joinTopic(
  supabase: AnySupabaseClient,
  topic: string,
  listener: TopicListener,
  control: SubscriptionControl,
  options: TopicOptions = {},
): Promise<SupasocialResult<LiveSubscription>> {
  const registry = registryOf(supabase);
  // private channels authorize with the user's token: make sure Realtime holds the current one
  await supabase.realtime.setAuth();
  let entry = registry.topics.get(topic);
  while (!entry) {
    const removal = registry.removals.get(topic);
    if (removal) {
      await removal;
      entry = registry.topics.get(topic);
      continue;
    }
    if (supabase.getChannels().some((c: RealtimeChannel) => c.topic === `realtime:${topic}`)) {
      return fail(
        realtimeError(`The app already has a channel on ${topic}; remove it before subscribing here`, "CONFLICT"),
      );
    }
    entry = openEntry(supabase, registry, topic, options);
    registry.topics.set(topic, entry);
  }
  const member = { listener, control };
  entry.listeners.add(member);
  const outcome = await entry.joined;
  if (outcome) {
    entry.listeners.delete(member);
    return fail(outcome);
  }
  const current = entry;
  let done = false;
  return ok({
    channel: current.channel,
    async unsubscribe() {
      if (done) return;
      done = true;
      control.cancelled = true;
      current.listeners.delete(member);
      if (current.listeners.size > 0 || current.leaving) return;
      current.leaving = true;
      if (registry.topics.get(topic) === current) registry.topics.delete(topic);
      const removal = supabase.removeChannel(current.channel).catch(() => "error");
      registry.removals.set(topic, removal);
      await removal;
      if (registry.removals.get(topic) === removal) registry.removals.delete(topic);
    },
  });
}

/**
 * Wrap a subscribing operation into a `PendingSubscription`: the promise of its result, plus an
 * `unsubscribe()` that silences the callbacks at once and ends the subscription once it exists.
 *
 * @example
 * ```ts
 * return pendingSubscription((control) => joinTopic(ctx.supabase, topic, listener, control))
 * ```
 */
export function pendingSubscription<S extends LiveSubscription>(
  run: (control: SubscriptionControl) => Promise<SupasocialResult<S>>,
): PendingSubscription<S> {
  const control: SubscriptionControl = { cancelled: false };
  const result = settle(() => run(control));
  return Object.assign(result, {
    async unsubscribe() {
      control.cancelled = true;
      const { data } = await result;
      await data?.unsubscribe();
    },
  });
}

/**
 * Presence on one node, shaped like Phoenix.Presence as Realtime uses it: per topic, each tracked
 * channel holds one entry under its presence key; `presence_state` lists them grouped by key
 * (`{ [key]: { metas: [{ phx_ref, ...payload }] } }`) and every change goes out as a
 * `presence_diff` (`{ joins, leaves }`). An update replaces the entry: the new meta joins with
 * `phx_ref_prev` set and the old one leaves.
 */
import { randomBytes } from "node:crypto";

export type Meta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceGroup = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceGroup;
  leaves: PresenceGroup;
}

interface Entry {
  key: string;
  meta: Meta;
}

const makeRef = () => randomBytes(12).toString("base64url");

export class PresenceRegistry {
  /** tenant topic -> tracking channel id -> entry */
  private readonly topics = new Map<string, Map<string, Entry>>();

  state(topic: string): PresenceGroup {
    const group: PresenceGroup = {};
    for (const entry of this.topics.get(topic)?.values() ?? []) {
      const metas = group[entry.key]?.metas;
      if (metas) metas.push(entry.meta);
      else group[entry.key] = { metas: [entry.meta] };
    }
    return group;
  }

  /** The payload the channel tracks now, if any (a track with the same payload is a no-op). */
  current(topic: string, channelId: string): Record<string, unknown> | null {
    const entry = this.topics.get(topic)?.get(channelId);
    if (!entry) return null;
    const { phx_ref: _ref, phx_ref_prev: _prev, ...payload } = entry.meta;
    return payload;
  }

  track(topic: string, channelId: string, key: string, payload: Record<string, unknown>): PresenceDiff {
    let entries = this.topics.get(topic);
    if (!entries) {
      entries = new Map();
      this.topics.set(topic, entries);
    }
    const previous = entries.get(channelId);
    const meta: Meta = { ...payload, phx_ref: makeRef() };
    if (previous) meta.phx_ref_prev = previous.meta.phx_ref;
    entries.set(channelId, { key, meta });
    const diff: PresenceDiff = { joins: { [key]: { metas: [meta] } }, leaves: {} };
    if (previous) diff.leaves[previous.key] = { metas: [previous.meta] };
    return diff;
  }

  untrack(topic: string, channelId: string): PresenceDiff | null {
    const entries = this.topics.get(topic);
    const previous = entries?.get(channelId);
    if (!entries || !previous) return null;
    entries.delete(channelId);
    if (entries.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
  }
}

/**
 * Broadcast from the database, learned the way Supabase Realtime learns it
 * (lib/realtime/tenants/replication_connection.ex): logical replication of `realtime.messages`
 * through the publication `supabase_realtime_messages_publication` (created here when missing,
 * recreated when it holds other tables) and a temporary `pgoutput` slot. Every committed insert,
 * into any partition, arrives once and in commit order; rolled-back rows (Realtime's own
 * authorization probes among them) never do. postgres.js speaks the replication protocol.
 */
import postgres from "postgres";

export const PUBLICATION = "supabase_realtime_messages_publication";

export interface DatabaseMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  /** JSON text of `payload`, or the raw `binary_payload`. */
  encoding: "json" | "binary";
  body: Buffer;
}

export interface Replication {
  /** False when the database cannot stream (e.g. `wal_level` is not `logical`). */
  enabled: boolean;
  reason: string | null;
  stop(): Promise<void>;
}

/** Make sure the publication exists and holds realtime.messages (and its partitions) only. */
async function ensurePublication(sql: postgres.Sql) {
  const [publication] = await sql`select 1 from pg_catalog.pg_publication where pubname = ${PUBLICATION}`;
  if (!publication) {
    await sql.unsafe(`create publication ${PUBLICATION} for table realtime.messages`);
    return;
  }
  const tables = await sql<{ schemaname: string; tablename: string }[]>`
    select schemaname, tablename from pg_catalog.pg_publication_tables where pubname = ${PUBLICATION}`;
  const valid =
    tables.length > 0 &&
    tables.every(
      (t) => t.schemaname === "realtime" && (t.tablename === "messages" || t.tablename.startsWith("messages_")),
    );
  if (!valid) {
    await sql.unsafe(
      `drop publication if exists ${PUBLICATION}; create publication ${PUBLICATION} for table realtime.messages`,
    );
  }
}

const asText = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
};

/** Start streaming inserts of realtime.messages to `onMessage`. */
export async function startReplication(
  dbUrl: string,
  onMessage: (message: DatabaseMessage) => void,
  log: (line: string) => void,
): Promise<Replication> {
  const admin = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ wal_level }] = await admin<{ wal_level: string }[]>`show wal_level`;
    if (wal_level !== "logical") {
      return {
        enabled: false,
        reason: `wal_level is ${wal_level}; Broadcast from the database needs wal_level = logical`,
        stop: async () => {},
      };
    }
    await ensurePublication(admin);
  } catch (error) {
    // e.g. a role that may not create the publication (Supabase's `postgres` does not own
    // realtime.messages): Realtime still serves Broadcast and Presence between clients
    return {
      enabled: false,
      reason: `cannot publish realtime.messages: ${(error as Error).message}`,
      stop: async () => {},
    };
  } finally {
    await admin.end();
  }

  const stream = postgres(dbUrl, {
    publications: PUBLICATION,
    onnotice: () => {},
    connection: { application_name: "realtime_replication_connection" },
  });
  try {
    await stream.subscribe(
      "insert",
      (data, info) => {
        const row = (data ?? {}) as Record<string, unknown>;
        if (info.relation.schema !== "realtime" || !info.relation.table.startsWith("messages")) return;
        const { id, topic, event } = row;
        const json = asText(row.payload);
        const binary = row.binary_payload;
        // as upstream: a row without id, topic, event, private or a payload is not broadcast
        if (typeof id !== "string" || typeof topic !== "string" || typeof event !== "string") return;
        if (typeof row.private !== "boolean") return;
        let body: Buffer;
        let encoding: "json" | "binary";
        if (Buffer.isBuffer(binary)) {
          body = binary;
          encoding = "binary";
        } else if (json !== null) {
          body = Buffer.from(json, "utf8");
          encoding = "json";
        } else {
          return;
        }
        try {
          onMessage({ id, topic, event, private: row.private, encoding, body });
        } catch (error) {
          log(`[realtime] UnableToBroadcastChanges: ${(error as Error).message}`);
        }
      },
      () => log("[realtime] streaming realtime.messages"),
    );
  } catch (error) {
    await stream.end({ timeout: 1 }).catch(() => {});
    return {
      enabled: false,
      reason: `cannot stream realtime.messages: ${(error as Error).message}`,
      stop: async () => {},
    };
  }
  return {
    enabled: true,
    reason: null,
    stop: async () => {
      await stream.end({ timeout: 2 });
    },
  };
}

import { join } from "node:path";
import postgres from "postgres";
import { prepareDatabase, ROOT } from "./lib/db.ts";
const db = await prepareDatabase({ dataDir: join(ROOT, ".supasocial", "bench-schema", "pgdata"), port: 54397, persistent: true, mode: "push" });
const sql = postgres(db.url, { max: 1, onnotice: () => {} });
try {
  const [t] = await sql`select t.id, (select user_id from social.trip_members m where m.trip_id = t.id and role = 'viewer' limit 1) as viewer from social.trips t order by created_at desc limit 1`;
  for (const label of ["get_trip", "plan_full", "items_only", "items_json", "members", "days"]) {
    const q = {
      get_trip: "select social.get_trip($1)",
      plan_full: "select social_private.trip_plan_json($1, true)",
      plan_anon: "select social_private.trip_plan_json($1, false)",
      items_only: "select count(*) from social.trip_items where trip_id = $1",
      items_json: "select jsonb_agg(to_jsonb(i) order by i.position, i.id) from social.trip_items i where trip_id = $1",
      days: "select count(*) from social.trip_items i join social.trip_days d on d.id = i.day_id where i.trip_id = $1",
      members: "select jsonb_agg(jsonb_build_object('u', m.user_id, 'h', a.handle)) from social.trip_members m left join social.profiles a on a.id = m.user_id where m.trip_id = $1",
    }[label]!;
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const ms = await sql.begin(async (tx) => {
        await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: t!.viewer, role: "authenticated" })}, true)`;
        await tx.unsafe("set local role authenticated");
        const rows = await tx.unsafe(`explain (analyze, timing off, summary on, format json) ${q}`, [t!.id]);
        const plan = (rows[0] as any)["QUERY PLAN"][0];
        return plan["Planning Time"] + plan["Execution Time"];
      });
      times.push(ms);
    }
    times.sort((a, b) => a - b);
    console.log(label.padEnd(12), "p50", times[20]!.toFixed(2), "p95", times[38]!.toFixed(2));
  }
} finally {
  await sql.end();
  await db.stop();
}

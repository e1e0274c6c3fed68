/**
 * `npm run bench -- [area ...]`: benchmarks (never timed tests). Each area seeds its own data in a
 * dedicated embedded database (.supasocial/bench, reused while the migrations and seed code are
 * unchanged; `--fresh` rebuilds it), prints a table and writes bench-results/<area>.json as
 * [{ metric, value, unit, target, pass }]. Without an area, every area runs.
 * `--scale <name>` runs an area at a further scale it defines (e.g. `feed --scale 10m`), in a
 * database of its own (.supasocial/bench-<area>-<name>), so the default one is kept.
 * Set DATABASE_URL to benchmark an existing database instead (it is reset and seeded!).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BenchArea, type BenchRow, openBenchDatabase } from "./bench/harness.ts";
import { ROOT } from "./lib/db.ts";

const areas: Record<string, () => Promise<BenchArea>> = {
  feed: async () => (await import("./bench/feed.ts")).feedBench,
  gamification: async () => (await import("./bench/gamification.ts")).gamificationBench,
  events: async () => (await import("./bench/events.ts")).eventsBench,
  chat: async () => (await import("./bench/chat.ts")).chatBench,
  media: async () => (await import("./bench/media.ts")).mediaBench,
  realtime: async () => (await import("./bench/realtime.ts")).realtimeBench,
  trips: async () => (await import("./bench/trips.ts")).tripsBench,
  premium: async () => (await import("./bench/premium.ts")).premiumBench,
  writes: async () => (await import("./bench/writes.ts")).writesBench,
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { fresh: { type: "boolean", default: false }, scale: { type: "string", default: "default" } },
});
const scaleName = values.scale ?? "default";
const unknown = positionals.filter((a) => !(a in areas));
if (unknown.length) {
  console.error(`unknown bench area(s): ${unknown.join(", ")}; known: ${Object.keys(areas).join(", ")}`);
  process.exit(2);
}
const selected = positionals.length ? positionals : Object.keys(areas);
if (scaleName !== "default") {
  for (const name of selected) {
    const area = await areas[name]!();
    if (!area.scales?.[scaleName]) {
      const known = Object.keys(area.scales ?? {});
      console.error(
        `bench area ${name} has no scale ${scaleName}; known: default${known.map((k) => `, ${k}`).join("")}`,
      );
      process.exit(2);
    }
  }
}
await mkdir(join(ROOT, "bench-results"), { recursive: true });

let failed = false;
for (const name of selected) {
  const area = await areas[name]!();
  const named = scaleName === "default" ? null : area.scales![scaleName]!;
  const db = await openBenchDatabase(named ? named.scale : area.scale, {
    fresh: values.fresh ?? false,
    database: named ? { name: `${name}-${scaleName}`, portOffset: named.portOffset } : area.database,
  });
  try {
    console.log(`\n== ${name}${named ? ` at scale ${scaleName}` : ""} (${area.describe}) ==`);
    const rows: BenchRow[] = await area.run(db.url, scaleName);
    printTable(rows);
    const file = named ? `${name}-${scaleName}.json` : `${name}.json`;
    await writeFile(join(ROOT, "bench-results", file), `${JSON.stringify(rows, null, 2)}\n`);
    console.log(`wrote bench-results/${file}`);
    if (rows.some((r) => r.pass === false)) failed = true;
  } finally {
    await db.stop();
  }
}
process.exitCode = failed ? 1 : 0;

function printTable(rows: BenchRow[]) {
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const lines = rows.map((r) => [
    r.metric,
    `${fmt(r.value)} ${r.unit}`,
    r.target,
    r.pass === null ? "-" : r.pass ? "pass" : "FAIL",
  ]);
  const head = ["metric", "value", "target", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => String(c).padEnd(widths[i]!)).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(line(l as string[]));
}

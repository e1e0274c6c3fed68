/**
 * Every TypeScript block in the READMEs compiles under `strict` against the SDK's source, as a
 * reader would paste it into an app. Blocks are modules (top-level await allowed); the names a
 * block uses without making them (the clients of earlier blocks, ids, the app's own functions) are
 * declared once in `PRELUDE`. A block meant as a fragment that cannot compile needs another fence
 * than `ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/db.ts";

const READMES = ["README.md", "client-sdk/README.md"];

const PRELUDE = `
import type { SupabaseClient } from "@supabase/supabase-js";
import type { Database, SupasocialClient } from "@supasocial/client";
import type { SupasocialTripsClient, Trip, TripDay, TripItem } from "@supasocial/client/trips";
declare global {
  // made in earlier blocks ("The SDK", "Create a client")
  const supabase: SupabaseClient<Database>;
  const social: SupasocialClient;
  // signed-in clients of the people in the coaching story
  const trainer: SupasocialClient;
  const ana: SupasocialClient;
  const ben: SupasocialClient;
  // the trips client and the trip, day and item of the "Trips" section's first block
  const travel: SupasocialTripsClient;
  const trip: Trip;
  const day: TripDay;
  const castle: TripItem;
  // the app's settings and ids it has at hand
  const SUPABASE_URL: string;
  const SUPABASE_PUBLISHABLE_KEY: string;
  const anaId: string;
  const benId: string;
  const userId: string;
  const groupId: string;
  const postId: string;
  const token: string;
  // the app's own functions
  function render(items: readonly unknown[]): void;
  function share(url: string): void;
  function setBadge(count: number): void;
  function showToast(...values: unknown[]): void;
  function report(value: unknown): void;
}
export {};
`;

interface Block {
  /** `README.md:42`: where the block's first line of code is. */
  where: string;
  file: string;
  firstLine: number;
  code: string;
  /** The virtual module it is compiled as. */
  path: string;
}

/** Every ```ts / ```typescript block of a markdown file. */
function tsBlocks(readme: string, text: string): Omit<Block, "path">[] {
  const lines = text.split("\n");
  const blocks: Omit<Block, "path">[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    blocks.push({
      where: `${readme}:${start + 1}`,
      file: readme,
      firstLine: start + 1,
      code: lines.slice(start, end).join("\n"),
    });
    i = end;
  }
  return blocks;
}

const blocks: Block[] = READMES.flatMap((readme) =>
  tsBlocks(readme, readFileSync(join(ROOT, readme), "utf8")).map((b, n) => ({
    ...b,
    path: join(ROOT, ".readme-code", `${readme.replace(/[/.]/g, "_")}_${n + 1}.ts`),
  })),
);
// compiled with the blocks, to show that an error in a block is caught and located
const [probeBlock] = tsBlocks(
  "probe.md",
  "text\n```ts\nconst n: number = 1;\nconst s: string = n;\nawait social.posts.create({ body: 1 });\nundeclared();\n```\n",
);
const probe: Block = { ...probeBlock!, path: join(ROOT, ".readme-code", "probe.ts") };
const compiled = [...blocks, probe];
const preludePath = join(ROOT, ".readme-code", "prelude.d.ts");
// the first line of a block module is `export {};`
const HEADER = "export {};\n";

let diagnostics = new Map<string, string[]>();

beforeAll(() => {
  const config = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = { ...parsed.options, strict: true, noEmit: true };
  const virtual = new Map<string, string>([
    [preludePath, PRELUDE],
    ...compiled.map((b) => [b.path, HEADER + b.code] as const),
  ]);
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, lang, onError, create)
      : ts.createSourceFile(f, text, lang, true, ts.ScriptKind.TS);
  };
  const program = ts.createProgram({ rootNames: [preludePath, ...compiled.map((b) => b.path)], options, host });
  diagnostics = new Map(compiled.map((b) => [b.path, []]));
  const all = [...program.getGlobalDiagnostics(), ...ts.getPreEmitDiagnostics(program)];
  const byPath = new Map(compiled.map((b) => [b.path, b]));
  for (const d of all) {
    const block = d.file ? byPath.get(d.file.fileName) : undefined;
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!block || !d.file || d.start === undefined) {
      // the prelude or the SDK itself: report it against every block
      for (const list of diagnostics.values()) list.push(`${d.file?.fileName ?? "(global)"}: ${message}`);
      continue;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    diagnostics.get(block.path)!.push(`${block.file}:${block.firstLine + line - 1}: TS${d.code}: ${message}`);
  }
});

describe("TypeScript in the READMEs", () => {
  it("finds the blocks (the root README and the SDK's both have some)", () => {
    for (const readme of READMES) expect(blocks.filter((b) => b.file === readme).length, readme).toBeGreaterThan(0);
  });

  it.each(blocks.map((b) => [b.where, b] as const))("the block at %s compiles under strict", (_where, block) => {
    expect(diagnostics.get(block.path)).toEqual([]);
  });

  it("a block with errors is reported at its lines: wrong types, wrong SDK input, undeclared names", () => {
    expect(probe.where).toBe("probe.md:3");
    const found = diagnostics.get(probe.path)!.map((d) => d.split(": ").slice(0, 2).join(": "));
    expect(found).toEqual(["probe.md:4: TS2322", "probe.md:5: TS2322", "probe.md:6: TS2304"]);
  });
});

/**
 * How much the SDK adds to an app: `client-sdk/src/index.ts` bundled with everything it imports
 * (zod included; `@supabase/supabase-js` is a peer the app already has, so it is left out),
 * minified by esbuild as an app bundler would for the browser or React Native, then gzipped at
 * level 9. Deterministic: the same sources give the same bytes.
 *
 *   npm run size                 print the sizes and the largest inputs
 *   npm run size -- --json       the same as JSON
 *
 * `tests/sdk/package.test.ts` fails when the gzipped size is above `SDK_SIZE_BUDGET`.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The SDK's budget, minified and gzipped: 30 kB (30 000 bytes). */
export const SDK_SIZE_BUDGET = 30_000;

/** The bundle's sizes in bytes, and what went into it (bytes of minified output per package). */
export interface SdkSize {
  minified: number;
  gzipped: number;
  inputs: { name: string; bytes: number }[];
}

/** A bundled file's package (`zod`, `zod (locales)`), or `@supasocial/client` for the SDK's own. */
function owner(path: string): string {
  const at = path.lastIndexOf("node_modules/");
  if (at < 0) return "@supasocial/client";
  const rest = path.slice(at + "node_modules/".length).split("/");
  const name = rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  return path.includes("/locales/") ? `${name} (locales)` : name;
}

/** Bundle, minify and gzip the SDK entry; nothing is written to disk. */
export async function measureSdkSize(): Promise<SdkSize> {
  const result = await build({
    entryPoints: [join(ROOT, "client-sdk", "src", "index.ts")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external: ["@supabase/supabase-js"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output");
  const bytes = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      bytes.set(owner(path), (bytes.get(owner(path)) ?? 0) + input.bytesInOutput);
    }
  }
  return {
    minified: file.contents.byteLength,
    gzipped: gzipSync(file.contents, { level: 9 }).byteLength,
    inputs: [...bytes].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes),
  };
}

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const size = await measureSdkSize();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ ...size, budget: SDK_SIZE_BUDGET }, null, 2));
  } else {
    console.log(`@supasocial/client, bundled with its dependencies (supabase-js excluded):`);
    console.log(`  minified         ${kB(size.minified)} (${size.minified} bytes)`);
    console.log(`  minified+gzip    ${kB(size.gzipped)} (${size.gzipped} bytes), budget ${kB(SDK_SIZE_BUDGET)}`);
    for (const input of size.inputs) console.log(`    ${input.name.padEnd(24)} ${kB(input.bytes)} minified`);
  }
  if (size.gzipped > SDK_SIZE_BUDGET) process.exitCode = 1;
}

/**
 * Which `@supabase/supabase-js` versions the SDK type-checks with: packs the SDK as a clean clone
 * would, then for each version installs it next to the tarball in a scratch app (from npm's cache
 * or the registry) and runs tsc on a strict app (`APP_SOURCE`) and on the SDK's own sources.
 *
 *   npm run sdk:peers                       the peer range's floor and the version the repo locks
 *   npm run sdk:peers -- 2.56.0 2.57.4      those versions
 *
 * Prints one line per version; exits 1 when the SDK does not type-check with one of them. Errors
 * inside supabase-js's own declarations (a release that ships a broken `.d.ts`) are counted
 * apart: they fail any app that type-checks libraries, with or without the SDK.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { packSdk, typeCheckApp, typeCheckSdkSources } from "./lib/sdk-package.ts";

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const sdkManifest = JSON.parse(await readFile(join(ROOT, "client-sdk", "package.json"), "utf8"));
const rootLock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8"));
const range: string = sdkManifest.peerDependencies["@supabase/supabase-js"];
const floor = range.replace(/^[\^~>=\s]+/, "");
const versions = process.argv.slice(2).filter((a) => /^\d/.test(a));
if (versions.length === 0) versions.push(floor, rootLock.packages["node_modules/@supabase/supabase-js"].version);

const work = await mkdtemp(join(tmpdir(), "supasocial-peers-"));
let failed = false;
try {
  const { tarball } = await packSdk(work);
  console.log(`@supasocial/client peer range ${range}; tsc strict (nodenext: skipLibCheck off; bundler: on)`);
  for (const version of versions) {
    const app = join(work, `supabase-js-${version}`);
    await mkdir(app);
    const dependencies = { "@supabase/supabase-js": version, "@supasocial/client": `file:${tarball}` };
    await writeFile(
      join(app, "package.json"),
      JSON.stringify({ name: "peer-check", private: true, type: "module", dependencies }),
    );
    // --legacy-peer-deps: check versions outside the declared range too
    await run(
      "npm",
      ["install", "--legacy-peer-deps", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
      { cwd: app },
    );
    const installed = JSON.parse(
      await readFile(join(app, "node_modules", "@supabase", "supabase-js", "package.json"), "utf8"),
    ).version;
    const node = await typeCheckApp(app, "nodenext");
    const bundler = await typeCheckApp(app, "bundler");
    const sources = await typeCheckSdkSources(app);
    const fits = node.sdk.length === 0 && bundler.sdk.length === 0 && sources.length === 0;
    if (!fits) failed = true;
    console.log(
      `${installed.padEnd(9)} ${fits ? "ok  " : "FAIL"} app+SDK declarations: ${node.sdk.length} errors (nodenext), ` +
        `${bundler.sdk.length} (bundler); SDK sources: ${sources.length}; ` +
        `supabase-js's own declarations: ${node.others.length} (nodenext), ${bundler.others.length} (bundler)`,
    );
    for (const line of new Set([...node.sdk, ...bundler.sdk, ...sources, ...node.others, ...bundler.others])) {
      console.log(`    ${line}`);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;

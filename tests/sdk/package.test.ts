/**
 * The published package as an app gets it: `client-sdk` copied without `dist` (as a clean clone
 * has it), `npm pack`ed (its `prepack` builds), installed from the tarball into a scratch project
 * next to supabase-js, imported by Node as ESM and type-checked by tsc under `strict`.
 *
 * The scratch project's lockfile is cut from the repository's (the same supabase-js and zod), so
 * `npm install --prefer-offline` takes every package from npm's cache, which installing the
 * repository filled, and reaches the registry only for what the cache lacks.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { packSdk, typeCheckApp } from "../../scripts/lib/sdk-package.ts";
import { measureSdkSize, SDK_SIZE_BUDGET } from "../../scripts/sdk-size.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..", "..");

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The entries of the repository's lockfile that `names` need, at the same paths: each package
 * and, recursively, what it depends on (found as Node finds it, nested first, then hoisted).
 */
function lockClosure(packages: Record<string, LockEntry>, names: string[]): Record<string, LockEntry> {
  const picked: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    let dir = from;
    for (;;) {
      const path = `${dir ? `${dir}/` : ""}node_modules/${name}`;
      if (packages[path]) {
        if (picked[path]) return;
        const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[path];
        picked[path] = entry;
        for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false);
        for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true);
        return;
      }
      if (!dir) break;
      dir = dir.includes("/node_modules/") ? dir.slice(0, dir.lastIndexOf("/node_modules/")) : "";
    }
    if (!optional) throw new Error(`${name} (needed by ${from || "the app"}) is not in package-lock.json`);
  };
  for (const name of names) visit("", name, false);
  return picked;
}

let work: string;
let app: string;
let tarballFiles: string[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "supasocial-pack-"));
  const packed = await packSdk(work);
  tarballFiles = packed.files;

  // a scratch app with the same supabase-js and zod as the repository
  app = join(work, "app");
  await mkdir(app);
  const { tarball, manifest: sdkManifest } = packed;
  const rootLock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8"));
  const supabaseVersion = rootLock.packages["node_modules/@supabase/supabase-js"].version as string;
  const dependencies = { "@supabase/supabase-js": supabaseVersion, "@supasocial/client": `file:${tarball}` };
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch-app", private: true, type: "module", dependencies }),
  );
  const integrity = `sha512-${createHash("sha512")
    .update(await readFile(tarball))
    .digest("base64")}`;
  const lock = {
    name: "scratch-app",
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": { name: "scratch-app", dependencies },
      "node_modules/@supasocial/client": {
        version: sdkManifest.version,
        resolved: `file:${tarball}`,
        integrity,
        license: sdkManifest.license,
        dependencies: sdkManifest.dependencies,
        peerDependencies: sdkManifest.peerDependencies,
      },
      ...lockClosure(rootLock.packages, ["@supabase/supabase-js", ...Object.keys(sdkManifest.dependencies)]),
    },
  };
  await writeFile(join(app, "package-lock.json"), JSON.stringify(lock, null, 2));
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: app });
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the npm package", () => {
  it("the tarball holds the built ES modules and declarations, the license and the readme", () => {
    for (const file of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/database.types.js",
      "dist/database.types.d.ts",
      "dist/error-codes.js",
      "dist/error-codes.d.ts",
      "dist/validation.js",
      "dist/namespaces/posts.js",
      "LICENSE",
      "README.md",
      "package.json",
    ]) {
      expect(tarballFiles, file).toContain(file);
    }
    expect(tarballFiles.filter((f) => !/^(dist|src)\/|^(LICENSE|README\.md|package\.json)$/.test(f))).toEqual([]);
  });

  it("installed from the tarball, Node imports it as ESM, and require() resolves it through `default`", async () => {
    const script = `
      import { createClient } from "@supabase/supabase-js";
      import * as sdk from "@supasocial/client";
      import { Constants } from "@supasocial/client/database.types";
      import { SUPASOCIAL_ERROR_CODES } from "@supasocial/client/error-codes";
      import { createRequire } from "node:module";
      const supabase = createClient(process.env.API_URL, process.env.API_KEY, {
        auth: { persistSession: false }, realtime: { transport: class {} },
      });
      const social = sdk.createSupasocialClient(supabase);
      const bad = await social.profiles.get("not a handle!");
      const anon = await social.profiles.me();
      const search = await social.profiles.search("nobody-matches-this");
      console.log(JSON.stringify({
        exports: typeof sdk.createSupasocialClient,
        handle: [sdk.HandleSchema.safeParse("ana_silva").success, sdk.HandleSchema.safeParse("a b").success],
        enums: Constants.social.Enums.group_kind,
        listed: SUPASOCIAL_ERROR_CODES.find((e) => e.code === "blocked"),
        mainStatus: sdk.SUPASOCIAL_ERROR_STATUS.blocked,
        mainList: "SUPASOCIAL_ERROR_CODES" in sdk,
        bad: bad.error?.code, anon: anon.error?.code,
        search: search.error ? search.error.code : Array.isArray(search.data),
        resolved: createRequire(import.meta.url).resolve("@supasocial/client"),
      }));
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: app,
      env: { ...process.env, API_URL: inject("apiUrl"), API_KEY: inject("publishableKey") },
    });
    const out = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
    expect(out).toMatchObject({
      exports: "function",
      handle: [true, false],
      enums: ["club", "coaching", "general"],
      // the list with meanings is its own subpath; the main entry carries the statuses only
      listed: { code: "blocked", status: 403, source: "sql" },
      mainStatus: 403,
      mainList: false,
      bad: "invalid_input",
      anon: "not_authenticated",
    });
    // a real request to the API through the installed package; anonymous search is refused or empty
    expect(["not_authenticated", true]).toContain(out.search);
    expect(out.resolved).toBe(join(app, "node_modules", "@supasocial", "client", "dist", "index.js"));
    expect(createRequire(join(app, "x.js")).resolve("@supabase/supabase-js")).toContain(join(app, "node_modules"));
  }, 60_000);

  for (const resolution of ["nodenext", "bundler"] as const) {
    it(`an app's TypeScript type-checks against it under strict (${resolution} resolution), and wrong calls do not compile`, async () => {
      const { sdk, others } = await typeCheckApp(app, resolution);
      expect([...sdk, ...others]).toEqual([]);
    }, 180_000);
  }
});

describe("bundle weight", () => {
  it(`the SDK with its dependencies (supabase-js excluded) is at most ${SDK_SIZE_BUDGET} bytes minified and gzipped`, async () => {
    const size = await measureSdkSize();
    expect(size.gzipped, JSON.stringify(size.inputs)).toBeLessThanOrEqual(SDK_SIZE_BUDGET);
    // zod is in the bundle (not left out by mistake), without its 40 locales
    expect(size.inputs.map((i) => i.name)).toContain("zod");
    expect(size.inputs.find((i) => i.name === "zod (locales)")?.bytes ?? 0).toBeLessThan(5_000);
  });
});

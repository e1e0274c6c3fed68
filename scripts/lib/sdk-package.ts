/**
 * The SDK as an app gets it, shared by `tests/sdk/package.test.ts` and `scripts/sdk-peers.ts`:
 * pack `client-sdk` the way a clean clone would, and type-check a small app against an install.
 */
import { execFile } from "node:child_process";
import { cp, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SDK = join(ROOT, "client-sdk");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** A packed SDK: the tarball's path and the files in it. */
export interface PackedSdk {
  tarball: string;
  files: string[];
  manifest: {
    version: string;
    license: string;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
}

/**
 * Copy `client-sdk` into `work` without `dist` (as a clean clone has it), with the repository's
 * node_modules for its build tools, and `npm pack` it there; its `prepack` must build `dist`.
 */
export async function packSdk(work: string): Promise<PackedSdk> {
  const pkg = join(work, "client-sdk");
  await cp(SDK, pkg, { recursive: true, filter: (src) => !/[/\\](dist|node_modules)$/.test(src) });
  await symlink(join(ROOT, "node_modules"), join(pkg, "node_modules"), "dir");
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: pkg });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error("npm pack made no tarball");
  return {
    tarball: join(work, packed.filename),
    files: packed.files.map((f) => f.path).sort(),
    manifest: JSON.parse(await readFile(join(pkg, "package.json"), "utf8")),
  };
}

/** An app's use of the SDK; the `@ts-expect-error` lines fail the check if a wrong call compiles. */
export const APP_SOURCE = `import { createClient } from "@supabase/supabase-js";
import {
  createSupasocialClient,
  type Database,
  type MyProfile,
  type Page,
  type Post,
  PostCreateSchema,
  type ProfileUpdate,
  type SupasocialErrorCode,
  type SupasocialResult,
} from "@supasocial/client";

const supabase = createClient<Database>("http://localhost:54321", "key");
const social = createSupasocialClient(supabase);

export async function main(): Promise<string> {
  const me: SupasocialResult<MyProfile> = await social.profiles.me();
  const patch: ProfileUpdate = { displayName: "Ana", bio: null, visibility: "followers" };
  await social.profiles.update(patch);
  const form = PostCreateSchema.safeParse({ body: "Ran 10k" });
  if (form.success) await social.posts.create(form.data);
  const feed: SupasocialResult<Page<Post>> = await social.feed.home({ order: "top", limit: 10 });
  const code: SupasocialErrorCode | undefined = feed.error?.code;
  // @ts-expect-error: a handle or id is a string
  await social.profiles.get(42);
  // @ts-expect-error: not a field of the patch
  await social.profiles.update({ followersCount: 1 });
  // @ts-expect-error: order is latest or top
  await social.feed.home({ order: "oldest" });
  return me.data?.handle ?? code ?? "";
}
`;

/** tsc's errors for an app in `app` (its node_modules installed), split by where they are. */
export interface TypeCheck {
  /** Errors in the app or in the SDK's declarations: the SDK does not fit this install. */
  sdk: string[];
  /** Errors inside other packages' own declarations (seen because skipLibCheck is off). */
  others: string[];
}

/**
 * How the app is configured: `nodenext`, as Node resolves an ES module app (`"type": "module"`),
 * with skipLibCheck off so every declaration file (the SDK's included) is checked; or `bundler`,
 * as Expo's base config resolves (`module: "preserve"`, `moduleResolution: "bundler"`, the
 * `react-native` condition), with skipLibCheck on as app templates have it.
 */
export type Resolution = "nodenext" | "bundler";

/**
 * Type-check `APP_SOURCE` in `app` under `strict` (plus `noUncheckedIndexedAccess` and
 * `exactOptionalPropertyTypes`). The app's package.json must say `"type": "module"`.
 */
export async function typeCheckApp(app: string, resolution: Resolution = "nodenext"): Promise<TypeCheck> {
  await writeFile(join(app, "app.ts"), APP_SOURCE);
  const compilerOptions = {
    target: "ES2022",
    ...(resolution === "nodenext"
      ? { module: "NodeNext", moduleResolution: "NodeNext" }
      : { module: "Preserve", moduleResolution: "Bundler", customConditions: ["react-native"] }),
    lib: ["ES2022", "DOM"],
    // supabase-js's own declarations name Node's Buffer: an app on Node has @types/node
    typeRoots: [join(ROOT, "node_modules", "@types")],
    types: ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: resolution === "bundler",
    noEmit: true,
  };
  const config = `tsconfig.${resolution}.json`;
  await writeFile(join(app, config), JSON.stringify({ compilerOptions, files: ["app.ts"] }));
  const output = await run(process.execPath, [TSC, "-p", config], { cwd: app }).then(
    () => "",
    (e: { stdout?: string; message: string }) => e.stdout || e.message,
  );
  const errors = output.split("\n").filter((line) => line.includes("error TS"));
  const ours = (line: string) => line.startsWith("app.ts") || line.startsWith("node_modules/@supasocial/");
  return { sdk: errors.filter(ours), others: errors.filter((line) => !ours(line)) };
}

/** Type-check the SDK's own sources (its build config) against the packages installed in `app`. */
export async function typeCheckSdkSources(app: string): Promise<string[]> {
  const dir = join(app, "sdk");
  await cp(join(SDK, "src"), join(dir, "src"), { recursive: true });
  await cp(join(SDK, "tsconfig.build.json"), join(dir, "tsconfig.build.json"));
  const output = await run(process.execPath, [TSC, "-p", "tsconfig.build.json", "--noEmit"], { cwd: dir }).then(
    () => "",
    (e: { stdout?: string; message: string }) => e.stdout || e.message,
  );
  return output.split("\n").filter((line) => line.includes("error TS"));
}

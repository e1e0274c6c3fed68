/**
 * The front door's Storage shim: `@supabase/lite` 0.10's experimental Storage API speaks a slightly
 * different wire format than Supabase Storage, which `@supabase/supabase-js` expects. The front door
 * (scripts/lib/stack.ts) passes `/storage/v1/*` through `handleStorage`, which translates the four
 * places where they differ and forwards everything else untouched:
 *
 *  1. Uploads of a Blob or File: supabase-js sends multipart/form-data with the file under the
 *     field name "" (Supabase reads the first file part); lite reads only a part named "file", and
 *     its signed-upload route stores the raw multipart body. The shim forwards the file part as a
 *     plain body with the part's content type (and `cacheControl` as `cache-control: max-age=`).
 *  2. `POST /object/sign/<bucket>/<path>`: Supabase answers `{ signedURL: "/object/sign/…" }`
 *     (relative to /storage/v1), lite `{ signedUrl: "/storage/v1/object/sign/…" }`; the shim adds
 *     Supabase's key.
 *  3. `POST /object/sign/<bucket>` with `{ expiresIn, paths }` (createSignedUrls): lite's route is
 *     shadowed by the single-object route and would sign the empty path. The shim answers it as
 *     Supabase Storage does: one RLS query for all paths as the caller, a download token per
 *     readable path (lite redeems them), Supabase's `[{ path, signedURL, error }]`.
 *  4. `POST /object/upload/sign/<bucket>/<path>`: Supabase answers `{ url: "/object/upload/sign/…" }`,
 *     lite `{ signedUrl, token, path }`; the shim adds `url`.
 *  5. `POST /object/list/<bucket>` (list): Supabase lists one folder level, names relative to the
 *     prefix, sub-folders as entries with a null id; lite returns every object under the prefix
 *     with its full name. The shim folds lite's answer into Supabase's shape.
 *
 * Everything else (RLS on storage.objects, bucket size and MIME limits, error bodies) is lite's.
 * tests/sdk/storage.test.ts checks each point through supabase-js.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import postgres from "postgres";
import { signJwt, verifyJwt } from "../realtime/jwt.ts";

const PREFIX = "/storage/v1";
/** Supabase's default global upload limit; larger multipart bodies are refused before buffering. */
const MAX_MULTIPART_BYTES = 50 * 1024 * 1024 + 64 * 1024;

type Forward = (req: IncomingMessage, res: ServerResponse, path: string) => void;

/** Headers of an incoming request as a fetch Headers object, without hop-by-hop ones. */
function forwardHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Headers | Record<string, string> = {}) {
  const out: Record<string, string> = {};
  const keep = (v: string, k: string) => {
    if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(k)) out[k] = v;
  };
  if (headers instanceof Headers) headers.forEach(keep);
  else for (const [k, v] of Object.entries(headers)) keep(v, k);
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...out,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** A Supabase-shaped Storage error (what lite and Supabase send with HTTP 400). */
function storageError(res: ServerResponse, statusCode: string, error: string, message: string) {
  send(res, 400, { statusCode, error, message });
}

async function liteFetch(base: string, path: string, init: RequestInit): Promise<Response> {
  return fetch(`${base}${path}`, init);
}

/** 1: a multipart upload becomes a plain body with the file part's type. */
async function forwardMultipartUpload(req: IncomingMessage, res: ServerResponse, base: string, path: string) {
  const body = await readBody(req, MAX_MULTIPART_BYTES);
  if (!body) return storageError(res, "413", "Payload too large", "The object exceeded the maximum allowed size");
  const headers = forwardHeaders(req);
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), {
      headers: { "content-type": headers.get("content-type") ?? "" },
    }).formData();
  } catch {
    return storageError(res, "400", "InvalidRequest", "Malformed multipart body");
  }
  let file: File | undefined;
  form.forEach((value) => {
    if (!file && typeof value !== "string") file = value;
  });
  if (!file) return storageError(res, "400", "InvalidRequest", "No file provided");
  const cacheControl = form.get("cacheControl");
  headers.set("content-type", file.type || "application/octet-stream");
  if (typeof cacheControl === "string" && cacheControl) headers.set("cache-control", `max-age=${cacheControl}`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  headers.set("content-length", String(bytes.byteLength));
  const up = await liteFetch(base, path, { method: req.method, headers, body: bytes });
  send(res, up.status, await up.text(), up.headers);
}

/** 2 and 4: add Supabase's keys to lite's signing answers. */
async function forwardSign(req: IncomingMessage, res: ServerResponse, base: string, path: string, upload: boolean) {
  const body = await readBody(req, 1024 * 1024);
  const up = await liteFetch(base, path, {
    method: "POST",
    headers: forwardHeaders(req),
    body: body ? new Uint8Array(body) : undefined,
  });
  const text = await up.text();
  if (!up.ok) return send(res, up.status, text, up.headers);
  const data = JSON.parse(text) as { signedUrl?: string };
  const relative = data.signedUrl?.startsWith(PREFIX) ? data.signedUrl.slice(PREFIX.length) : data.signedUrl;
  send(res, up.status, upload ? { ...data, url: relative } : { ...data, signedURL: relative }, up.headers);
}

/** Who calls, as Storage sees it: a verified user JWT, the secret key (service_role) or anon. */
type Caller = { role: string; sub: string | null; claims: Record<string, unknown> } | { error: string };

function callerOf(req: IncomingMessage, keys: StorageShimOptions["keys"]): Caller {
  const header = String(req.headers.authorization ?? "");
  const bearer = header.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : "";
  const apikey = String(req.headers.apikey ?? "");
  if (bearer.split(".").length === 3) {
    const checked = verifyJwt(bearer, keys.jwtSecret);
    if (!checked.ok) return { error: checked.error.message };
    const sub = typeof checked.claims.sub === "string" ? checked.claims.sub : null;
    return { role: checked.claims.role, sub, claims: checked.claims };
  }
  if (bearer === keys.secretKey || (!bearer && apikey === keys.secretKey)) {
    return { role: "service_role", sub: null, claims: { role: "service_role" } };
  }
  return { role: "anon", sub: null, claims: { role: "anon" } };
}

/**
 * 3: createSignedUrls. Answered here the way Supabase Storage answers it: one query for all the
 * paths on storage.objects as the caller (their role and claims set for the transaction, so RLS
 * decides), then a download token per readable path, the HS256 token lite's
 * `GET /object/sign/<bucket>/<path>` redeems. lite's own route is shadowed (see the header).
 */
async function signMany(
  req: IncomingMessage,
  res: ServerResponse,
  shim: StorageShimOptions,
  sql: postgres.Sql,
  bucket: string,
) {
  const raw = await readBody(req, 1024 * 1024);
  let input: { expiresIn?: unknown; paths?: unknown };
  try {
    input = JSON.parse(raw?.toString("utf8") ?? "");
  } catch {
    return storageError(res, "400", "InvalidRequest", "body must be JSON with expiresIn and paths");
  }
  const paths = input.paths;
  const expiresIn = input.expiresIn;
  if (
    !Array.isArray(paths) ||
    !paths.every((p) => typeof p === "string") ||
    typeof expiresIn !== "number" ||
    !(expiresIn > 0)
  ) {
    return storageError(res, "400", "InvalidRequest", "body must be JSON with expiresIn and paths");
  }
  const caller = callerOf(req, shim.keys);
  if ("error" in caller) {
    return send(res, 401, { statusCode: "401", error: "InvalidJWT", message: caller.error });
  }
  const [found] = await sql`select exists (select 1 from storage.buckets where id = ${bucket}) as found`;
  if (!found?.found) return storageError(res, "404", "Bucket not found", "Bucket not found");
  const readable = await sql.begin(async (tx) => {
    await tx`
      select set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
             set_config('request.jwt.claim.sub', ${caller.sub ?? ""}, true),
             set_config('request.jwt.claim.role', ${caller.role}, true),
             set_config('storage.operation', 'storage.object.sign_many', true)`;
    await tx.unsafe(
      `set local role ${caller.role === "service_role" ? "service_role" : caller.role === "authenticated" ? "authenticated" : "anon"}`,
    );
    return tx<{ name: string }[]>`
      select name from storage.objects where bucket_id = ${bucket} and name = any(${paths as string[]}::text[])`;
  });
  const ok = new Set(readable.map((r) => r.name));
  const iat = Math.floor(Date.now() / 1000);
  const results = (paths as string[]).map((path) => {
    if (!ok.has(path)) return { path, signedURL: null, error: "Object not found" };
    const token = signJwt(
      { sub: path, bucket, intent: "download", iat, exp: iat + Math.floor(expiresIn) },
      shim.keys.jwtSecret,
    );
    return { path, signedURL: `/object/sign/${bucket}/${path}?token=${token}`, error: null };
  });
  send(res, 200, results);
}

/** 5: list one folder level, names relative to the prefix, as Supabase does. */
async function list(req: IncomingMessage, res: ServerResponse, base: string, path: string) {
  const raw = await readBody(req, 1024 * 1024);
  const up = await liteFetch(base, path, {
    method: "POST",
    headers: forwardHeaders(req),
    body: raw ? new Uint8Array(raw) : undefined,
  });
  const text = await up.text();
  if (!up.ok) return send(res, up.status, text, up.headers);
  let prefix = "";
  try {
    prefix = String((JSON.parse(raw?.toString("utf8") || "{}") as { prefix?: unknown }).prefix ?? "");
  } catch {
    prefix = "";
  }
  const folder = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
  const entries: Record<string, unknown>[] = [];
  const folders = new Set<string>();
  for (const row of JSON.parse(text) as { name: string }[]) {
    if (!row.name.startsWith(folder)) continue;
    const rest = row.name.slice(folder.length);
    const slash = rest.indexOf("/");
    if (slash === -1) entries.push({ ...row, name: rest });
    else if (!folders.has(rest.slice(0, slash))) {
      folders.add(rest.slice(0, slash));
      entries.push({
        name: rest.slice(0, slash),
        id: null,
        updated_at: null,
        created_at: null,
        last_accessed_at: null,
        metadata: null,
      });
    }
  }
  send(res, up.status, entries, up.headers);
}

/** What the shim needs: lite's address, the database (for batch signing) and the project's keys. */
export interface StorageShimOptions {
  /** lite, e.g. http://127.0.0.1:<port> */
  liteUrl: string;
  dbUrl: string;
  keys: { publishableKey: string; secretKey: string; jwtSecret: string };
  /** Proxies a request to lite unchanged. */
  forward: Forward;
}

/** The front door's handler for `/storage/v1/*` (it always answers), and `close()` for its pool. */
export function createStorageShim(shim: StorageShimOptions) {
  const sql = postgres(shim.dbUrl, { max: 4, onnotice: () => {}, idle_timeout: 30 });
  const base = shim.liteUrl;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? "/";
    const path = url.split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    const rest = path.slice(PREFIX.length);
    const fail = (error: unknown) => {
      if (!res.headersSent) storageError(res, "500", "internal", String((error as Error)?.message ?? error));
      else res.end();
    };
    const multipart = (req.headers["content-type"] ?? "").startsWith("multipart/form-data");
    if (
      (method === "POST" || method === "PUT") &&
      multipart &&
      /^\/object\/(?!sign\/|list\/|move$|copy$)[^/]+\/.+/.test(rest)
    ) {
      forwardMultipartUpload(req, res, base, url).catch(fail);
      return;
    }
    if (method === "POST" && /^\/object\/sign\/[^/]+$/.test(rest)) {
      signMany(req, res, shim, sql, decodeURIComponent(rest.slice("/object/sign/".length))).catch(fail);
      return;
    }
    if (method === "POST" && /^\/object\/sign\/[^/]+\/.+/.test(rest)) {
      forwardSign(req, res, base, url, false).catch(fail);
      return;
    }
    if (method === "POST" && /^\/object\/list\/[^/]+$/.test(rest)) {
      list(req, res, base, url).catch(fail);
      return;
    }
    if (method === "POST" && /^\/object\/upload\/sign\/[^/]+\/.+/.test(rest)) {
      forwardSign(req, res, base, url, true).catch(fail);
      return;
    }
    shim.forward(req, res, url);
  };
  return { handle, close: () => sql.end({ timeout: 5 }) };
}

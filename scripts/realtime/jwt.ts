/**
 * HS256/384/512 JSON Web Tokens, checked the way Supabase Realtime checks them
 * (lib/realtime_web/channels/auth/jwt_verification.ex and channels_authorization.ex): the
 * signature with the project's JWT secret, `exp` in the future, `iat` a number when present,
 * and the claims `role` and `exp` required. Errors carry Realtime's own words.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export type Claims = Record<string, unknown> & { role?: unknown; sub?: unknown; exp?: unknown };

export type JwtError =
  /** Not three base64url parts of JSON: `MalformedJWT`. */
  | { kind: "token_malformed"; message: string }
  /** An algorithm we hold no key for (RS*, ES*, none ...): `JwtSignerError`. */
  | { kind: "error_generating_signer"; message: string }
  /** `JwtSignatureError`. */
  | { kind: "signature_error"; message: string }
  /** `InvalidJWTToken`. */
  | { kind: "expired_token"; message: string }
  /** `InvalidJWTToken`. */
  | { kind: "missing_claims"; message: string }
  /** A claim of the wrong type (a string `exp`, ...). */
  | { kind: "invalid_claims"; message: string };

export type JwtResult = { ok: true; claims: Claims & { role: string; exp: number } } | { ok: false; error: JwtError };

const ALGORITHMS: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

function parsePart(part: string | undefined): Record<string, unknown> | null {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Sign `claims` with HS256 (used for the API keys' tokens and by tests and benchmarks). */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac("sha256", secret).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${signature}`;
}

/** Verify a token as Realtime does when a channel joins or its access token changes. */
export function verifyJwt(raw: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): JwtResult {
  // Realtime URI-decodes the token and strips whitespace first
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch {
    // keep it as it came
  }
  token = token.replace(/\s/g, "");
  const parts = token.split(".");
  const malformed: JwtResult = {
    ok: false,
    error: { kind: "token_malformed", message: "The token provided is not a valid JWT" },
  };
  if (parts.length !== 3) return malformed;
  const header = parsePart(parts[0]);
  const claims = parsePart(parts[1]) as Claims | null;
  if (!header || !claims) return malformed;
  const hash = typeof header.alg === "string" ? ALGORITHMS[header.alg] : undefined;
  if (!hash) {
    return {
      ok: false,
      error: {
        kind: "error_generating_signer",
        message: "Failed to generate JWT signer, check your JWT secret or JWKS configuration",
      },
    };
  }
  const expected = createHmac(hash, secret).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2] ?? "", "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, error: { kind: "signature_error", message: "Failed to validate JWT signature" } };
  }
  if (claims.exp !== undefined && typeof claims.exp !== "number") {
    return { ok: false, error: { kind: "invalid_claims", message: "Invalid token claims: exp" } };
  }
  if (claims.iat !== undefined && typeof claims.iat !== "number") {
    return { ok: false, error: { kind: "invalid_claims", message: "Invalid token claims: iat" } };
  }
  if (typeof claims.exp === "number" && !(claims.exp > nowSeconds)) {
    return {
      ok: false,
      error: { kind: "expired_token", message: `Token has expired ${nowSeconds - Math.round(claims.exp)} seconds ago` },
    };
  }
  if (claims.role === undefined || claims.exp === undefined) {
    return { ok: false, error: { kind: "missing_claims", message: "Fields `role` and `exp` are required in JWT" } };
  }
  return { ok: true, claims: { ...claims, exp: Math.round(claims.exp as number), role: String(claims.role) } };
}

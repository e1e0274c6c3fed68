/**
 * The API gateway in front of Supabase Realtime: a request must carry the project's publishable
 * or secret key (`apikey` query parameter or header); the gateway answers 401 otherwise, in the
 * words @supabase/lite uses for the Data API on the same front door. Behind the gateway an
 * `sb_` key stands for a JWT of its role (`anon` / `service_role`), signed with the project's
 * JWT secret, which Realtime uses when a channel joins without a user's token.
 */
import type { IncomingMessage } from "node:http";
import { signJwt } from "./jwt.ts";

export interface ProjectKeys {
  publishableKey: string;
  secretKey: string;
  jwtSecret: string;
}

export type ApiKeyCheck =
  | { ok: true; type: "publishable" | "secret"; token: string }
  | { ok: false; status: 401; code: string; body: { message: string; hint?: string } };

const TEN_YEARS = 10 * 365 * 24 * 3600;

export class ApiKeys {
  readonly anonToken: string;
  readonly serviceToken: string;

  constructor(readonly keys: ProjectKeys) {
    const iat = Math.floor(Date.now() / 1000);
    this.anonToken = signJwt({ iss: "supabase", role: "anon", iat, exp: iat + TEN_YEARS }, keys.jwtSecret);
    this.serviceToken = signJwt({ iss: "supabase", role: "service_role", iat, exp: iat + TEN_YEARS }, keys.jwtSecret);
  }

  /** The role token an `sb_` key stands for, or null for anything else. */
  tokenFor(key: string): string | null {
    if (key === this.keys.publishableKey) return this.anonToken;
    if (key === this.keys.secretKey) return this.serviceToken;
    return null;
  }

  check(req: IncomingMessage, query: URLSearchParams): ApiKeyCheck {
    const header = req.headers.apikey;
    const key = query.get("apikey") ?? (Array.isArray(header) ? header[0] : header);
    if (!key) {
      return {
        ok: false,
        status: 401,
        code: "UNAUTHORIZED_MISSING_API_KEY",
        body: { message: "No API key found in request", hint: "No `apikey` request header or url param was found." },
      };
    }
    const token = this.tokenFor(key);
    if (!token) {
      return {
        ok: false,
        status: 401,
        code: "UNAUTHORIZED_INVALID_API_KEY",
        body: { message: "Invalid API key", hint: "Double check your Supabase `apikey`" },
      };
    }
    const type = key === this.keys.secretKey ? "secret" : "publishable";
    if (type === "secret" && /^\s*Mozilla\s*\/\s*5\s*\.\s*0/i.test(req.headers["user-agent"] ?? "")) {
      return {
        ok: false,
        status: 401,
        code: "UNAUTHORIZED_INVALID_API_KEY_TYPE",
        body: { message: "Forbidden use of secret API key in browser" },
      };
    }
    return { ok: true, type, token };
  }
}

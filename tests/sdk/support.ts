/**
 * Shared by the SDK suites of the groups, posts, moderation and notifications domains: signed-in
 * clients for fresh users against the test stack, and result helpers.
 */
import { randomUUID } from "node:crypto";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { expect, inject } from "vitest";
import WebSocket from "ws";
import {
  createSupasocialClient,
  type Database,
  type SupasocialClient,
  type SupasocialError,
  type SupasocialResult,
} from "../../client-sdk/src/index.ts";

export interface Session {
  supabase: SupabaseClient<Database>;
  client: SupasocialClient;
  /** Requests the client has sent to the Data API (`/rest/v1/`). */
  restCalls: string[];
}

/** A client with no session (anon). */
export function session(url = inject("apiUrl")): Session {
  const restCalls: string[] = [];
  const supabase = createClient<Database>(url, inject("publishableKey"), {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
    global: {
      fetch: (input, init) => {
        const target = input instanceof Request ? input.url : String(input);
        if (target.includes("/rest/v1/")) restCalls.push(target);
        return fetch(input, init);
      },
    },
  });
  return { supabase, client: createSupasocialClient(supabase), restCalls };
}

export interface TestUser extends Session {
  id: string;
  handle: string;
}

let seq = 0;
/** Sign up a fresh user (unique e-mail and handle) and return a signed-in client. */
export async function signUp(label: string): Promise<TestUser> {
  const s = session();
  const tag = `${randomUUID().slice(0, 8)}${(seq++).toString(36)}`;
  const handle = `${label}_${tag}`.slice(0, 30);
  const { data, error } = await s.supabase.auth.signUp({
    email: `${handle}@sdk.test`,
    password: `pw-${randomUUID()}`,
    options: { data: { handle, display_name: `${label} ${tag}` } },
  });
  if (error || !data.user || !data.session) throw error ?? new Error("sign-up returned no session");
  return { ...s, id: data.user.id, handle };
}

/** The data of a result, failing the test with the error when there is one. */
export function unwrap<T>(result: SupasocialResult<T>): T {
  if (result.error)
    throw new Error(`unexpected ${result.error.code} (${result.error.rawCode}): ${result.error.message}`);
  return result.data;
}

/** Assert a result failed with `code` (and `status` when given) and return the error. */
export function expectError(result: { data: unknown; error: SupasocialError | null }, code: string, status?: number) {
  expect(result.data, `expected ${code}, got data`).toBeNull();
  expect(result.error?.code, result.error?.message).toBe(code);
  if (status !== undefined) expect(result.error?.status).toBe(status);
  return result.error!;
}

/** A unique name for a group or post made by one test. */
export function uniqueName(label: string): string {
  return `${label} ${randomUUID().slice(0, 8)}`;
}

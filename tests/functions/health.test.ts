/** Edge functions through the same URL as the Data API, as an app calls them. */
import { createClient } from "@supabase/supabase-js";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { api } from "../helpers/api.ts";

const client = () =>
  createClient(api().url, api().publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });

describe("edge functions on the local stack", () => {
  it("supabase.functions.invoke('health') reaches the function and the Data API behind it", async () => {
    const { data, error } = await client().functions.invoke("health");
    expect(error).toBeNull();
    expect(data).toMatchObject({ status: "ok", service: "supasocial" });
  });

  it("an unknown function answers 404 with a stable code", async () => {
    const res = await fetch(`${api().url}/functions/v1/no-such-function`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: "function_not_found" });
  });
});

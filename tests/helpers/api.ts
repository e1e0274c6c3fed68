/**
 * The API the SDK, function and example suites talk to, from the global setup: our stack on the
 * test database, or on a database Supabase built, Supabase's own API when the environment names it
 * (tests/setup/global.ts).
 */
import { inject } from "vitest";

export interface Api {
  url: string;
  publishableKey: string;
  secretKey: string;
}

export function api(): Api {
  const url = inject("apiUrl");
  if (!url) {
    throw new Error(
      "no API to test against: DATABASE_URL is a database Supabase built, and SUPABASE_URL, SUPABASE_ANON_KEY " +
        "and SUPABASE_SERVICE_ROLE_KEY are not all set (`npx supabase status` prints them); " +
        "`npm run test:db` runs the DB suite alone",
    );
  }
  return { url, publishableKey: inject("publishableKey"), secretKey: inject("secretKey") };
}

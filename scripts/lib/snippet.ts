/**
 * The supabase-js snippet `npm start` prints. Node 20 (the oldest Node the project supports) has
 * no WebSocket of its own, and supabase-js 2 builds its Realtime client in `createClient`, so
 * without a transport the snippet throws "native WebSocket not found" there. Browsers, React Native
 * and Node 22+ do not need the `ws` lines. tests/scripts/start-output.test.ts runs it.
 */
export function clientSnippet(url: string, publishableKey: string): string[] {
  return [
    `import { createClient } from "@supabase/supabase-js";`,
    `import ws from "ws"; // Node 20 only (npm i ws); browsers, React Native and Node 22+ drop it`,
    `const supabase = createClient("${url}", "${publishableKey}", { realtime: { transport: ws } });`,
  ];
}

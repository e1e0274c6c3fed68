// Supabase Edge Function `calendar`: thin entry point; the logic is in handler.ts and ics.ts.
import { handler } from "./handler.ts";

Deno.serve(handler);

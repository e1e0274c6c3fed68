// Supabase Edge Function `premium`: thin entry point; the logic is in handler.ts.
import { handler } from "./handler.ts";

Deno.serve(handler);

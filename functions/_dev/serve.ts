/**
 * Local stand-in for Supabase's Edge Runtime (which needs Docker): one Deno server that routes
 * `/<name>/...` to `functions/<name>/handler.ts`'s `handler`. Each function's `index.ts` is the
 * real entry point (`Deno.serve(handler)`) used by `supabase functions serve|deploy`.
 */
const root = new URL("../", import.meta.url);
const port = Number(Deno.env.get("FUNCTIONS_PORT") ?? "54329");

type Handler = (req: Request) => Response | Promise<Response>;
const handlers = new Map<string, Handler>();

for await (const entry of Deno.readDir(root)) {
  if (!entry.isDirectory || entry.name.startsWith("_") || entry.name.startsWith(".")) continue;
  const handlerUrl = new URL(`${entry.name}/handler.ts`, root);
  try {
    await Deno.stat(handlerUrl);
  } catch {
    continue;
  }
  const mod = (await import(handlerUrl.href)) as { handler?: Handler };
  if (typeof mod.handler === "function") handlers.set(entry.name, mod.handler);
}

Deno.serve(
  {
    port,
    hostname: "127.0.0.1",
    onListen: () => {
      console.log(`functions: ${[...handlers.keys()].join(", ")} on http://127.0.0.1:${port}`);
    },
  },
  (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/_health") return new Response("ok");
    const name = url.pathname.split("/")[1] ?? "";
    const handler = handlers.get(name);
    if (!handler) {
      return Response.json(
        { code: "function_not_found", message: `no function named ${name}` },
        {
          status: 404,
        },
      );
    }
    return handler(req);
  },
);

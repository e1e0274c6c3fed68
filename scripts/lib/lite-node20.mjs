// Preloaded into the @supabase/lite process (node --import): on Node 20, FileHandle.readableWebStream()
// yields ArrayBuffer chunks, which a web Response refuses (it wants Uint8Array), so every download
// from lite's filesystem Storage adapter hangs. Wrap it to yield Uint8Array and close the file when
// the stream ends or is cancelled. A no-op where Node already yields bytes (Node 22+).
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const probe = await open(fileURLToPath(import.meta.url), "r");
const proto = Object.getPrototypeOf(probe);
await probe.close();
const original = proto.readableWebStream;

if (typeof original === "function" && !proto.readableWebStream.supasocialPatched) {
  const patched = function readableWebStream(options) {
    const reader = original.call(this, options).getReader();
    const close = () => this.close().catch(() => {});
    return new ReadableStream({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            await close();
            return;
          }
          controller.enqueue(value instanceof ArrayBuffer ? new Uint8Array(value) : value);
        } catch (error) {
          controller.error(error);
          await close();
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
        await close();
      },
    });
  };
  patched.supasocialPatched = true;
  proto.readableWebStream = patched;
}

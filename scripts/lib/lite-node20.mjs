// Preloaded into the @supabase/lite process (node --import). lite's filesystem Storage adapter
// serves a download as `(await open(file)).readableWebStream()` and never closes the file. On
// Node 20 that stream yields ArrayBuffer chunks, which a web Response refuses (it wants
// Uint8Array), so every download hangs. Replace it with a stream of the file's bytes as one
// Uint8Array that closes the file once read (local media are small; lite reads whole files on
// upload too).
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const probe = await open(fileURLToPath(import.meta.url), "r");
const proto = Object.getPrototypeOf(probe);
await probe.close();

if (typeof proto.readableWebStream === "function" && !proto.readableWebStream.supasocialPatched) {
  const readableWebStream = function readableWebStream() {
    const handle = this;
    return new ReadableStream({
      async start(controller) {
        try {
          const bytes = await handle.readFile();
          if (bytes.byteLength > 0) {
            controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          }
          controller.close();
        } catch (error) {
          controller.error(error);
        } finally {
          await handle.close().catch(() => {});
        }
      },
    });
  };
  readableWebStream.supasocialPatched = true;
  proto.readableWebStream = readableWebStream;
}

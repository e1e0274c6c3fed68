/**
 * The Realtime development server on its own, for benchmarks and debugging (the local stack
 * starts it in-process behind its front door instead):
 *
 *   REALTIME_DB_URL=postgres://… REALTIME_PORT=4000 REALTIME_PUBLISHABLE_KEY=… \
 *   REALTIME_SECRET_KEY=… REALTIME_JWT_SECRET=… npx tsx scripts/realtime/serve.ts
 *
 * Serves ws://127.0.0.1:<port>/realtime/v1/websocket and /realtime/v1/api/*; prints
 * `realtime listening on <url>` when ready; SIGTERM / SIGINT stop it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startRealtime } from "./server.ts";

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
};

const realtime = await startRealtime({
  dbUrl: need("REALTIME_DB_URL"),
  keys: {
    publishableKey: need("REALTIME_PUBLISHABLE_KEY"),
    secretKey: need("REALTIME_SECRET_KEY"),
    jwtSecret: need("REALTIME_JWT_SECRET"),
  },
  privateOnly: process.env.REALTIME_PRIVATE_ONLY === "1",
  log: process.env.REALTIME_VERBOSE === "1" ? (line) => console.log(line) : undefined,
});
if (realtime.databaseBroadcastDisabled)
  console.warn(`no Broadcast from the database: ${realtime.databaseBroadcastDisabled}`);
const server = createServer((req, res) => {
  if (!realtime.handleRequest(req, res)) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: { detail: "Not Found" } }));
  }
});
server.on("upgrade", (req, socket, head) => {
  if (!realtime.handleUpgrade(req, socket, head)) socket.destroy();
});
server.listen(Number(process.env.REALTIME_PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`realtime listening on http://127.0.0.1:${port}`);
});
const stop = async () => {
  await realtime.stop();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

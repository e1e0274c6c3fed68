/**
 * Ports and addresses of the local stack: check that a port is free before starting anything
 * (with the variable that changes it in the message), and list the addresses phones on the same
 * network can use when the API listens on every interface.
 */
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";

export interface PortSetting {
  /** What listens there, for the message ("the API"). */
  what: string;
  port: number;
  host: string;
  /** The environment variable that changes it. */
  env: string;
}

/** A port read from the environment, or the default; a clear error for anything but 1-65535. */
export function portFromEnv(env: string, fallback: number): number {
  const raw = process.env[env];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${env}=${raw} is not a port number (1-65535)`);
  }
  return port;
}

/** Why `port` cannot be listened on at `host` right now, or null when it can. */
export function portProblem(port: number, host: string): Promise<string | null> {
  return new Promise((resolveCheck) => {
    const srv = createServer();
    srv.once("error", (error: NodeJS.ErrnoException) => resolveCheck(error.code ?? error.message));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolveCheck(null)));
  });
}

/** Throw one message naming every setting whose port is taken, and how to change it. */
export async function assertPortsFree(settings: PortSetting[]): Promise<void> {
  const problems: string[] = [];
  for (const s of settings) {
    const problem = await portProblem(s.port, s.host);
    if (problem === "EADDRINUSE") {
      problems.push(
        `port ${s.port} (${s.what}) is already in use on ${s.host}: stop what listens there, or choose another port with ${s.env}, e.g. ${s.env}=${s.port + 1000}`,
      );
    } else if (problem === "EADDRNOTAVAIL") {
      problems.push(`${s.host} is not an address of this machine (${s.what})`);
    } else if (problem) {
      problems.push(`cannot listen on ${s.host}:${s.port} (${s.what}): ${problem}`);
    }
  }
  if (problems.length) throw new PortError(problems.join("\n"));
}

export class PortError extends Error {
  override name = "PortError";
}

/** True for the addresses that mean "every interface". */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** The URL a client on this machine uses for a server listening on `host`. */
export function localUrl(host: string, port: number): string {
  if (isWildcard(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * URLs other devices on the network can use: for a wildcard host, one per external IPv4 address
 * of this machine; for a specific host that is not loopback, that host; none for loopback.
 */
export function networkUrls(
  host: string,
  port: number,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string[] {
  if (!isWildcard(host)) {
    return host === "localhost" || host.startsWith("127.") || host === "::1" ? [] : [localUrl(host, port)];
  }
  const urls: string[] = [];
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === "IPv4" && !a.internal) urls.push(`http://${a.address}:${port}`);
    }
  }
  return urls;
}

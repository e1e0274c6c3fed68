/**
 * What `npm start` tells a newcomer: the client snippet it prints runs on the Node the project
 * supports, a taken port stops it before anything starts with the port and the variable that
 * changes it, and with a host setting it lists the addresses phones on the network can use.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, ROOT } from "../../scripts/lib/db.ts";
import { assertPortsFree, localUrl, networkUrls } from "../../scripts/lib/network.ts";
import { clientSnippet } from "../../scripts/lib/snippet.ts";
import { api } from "../helpers/api.ts";

const run = promisify(execFile);

describe("the createClient snippet npm start prints", () => {
  it(`works on this Node (${process.version}): the client is made and reads the Data API`, async () => {
    const { url, publishableKey } = api();
    const code = [
      ...clientSnippet(url, publishableKey),
      `const { data, error } = await supabase.schema("social").from("profiles").select("id").limit(1);`,
      `if (error) { console.error(error); process.exit(1); }`,
      `console.log(Array.isArray(data) ? "rows" : "no rows");`,
      `process.exit(0);`,
    ].join("\n");
    const { stdout } = await run(process.execPath, ["--input-type=module", "--eval", code], {
      cwd: ROOT,
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe("rows");
  });
});

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Listen on a free port of 127.0.0.1, as another program would. */
async function occupy(): Promise<number> {
  const srv = createServer();
  held.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const address = srv.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** `npm start` (its script) with these settings; returns its exit code and output. */
async function start(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  try {
    const { stdout, stderr } = await run(
      join(ROOT, "node_modules", ".bin", "tsx"),
      [join(ROOT, "scripts", "start.ts")],
      {
        cwd: ROOT,
        env: childEnv,
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm start and ports", () => {
  it("stops before starting anything when the API port is taken, and names the port and SUPASOCIAL_API_PORT", async () => {
    const busy = await occupy();
    const r = await start({ SUPASOCIAL_API_PORT: String(busy), SUPASOCIAL_DB_PORT: String(await freePort()) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${busy} (the API) is already in use on 127.0.0.1`);
    expect(r.stderr).toContain("SUPASOCIAL_API_PORT=");
    expect(r.stdout).not.toContain("starting PostgreSQL");
  });

  it("stops when the database port is taken, and names SUPASOCIAL_DB_PORT", async () => {
    const busy = await occupy();
    const r = await start({ SUPASOCIAL_API_PORT: String(await freePort()), SUPASOCIAL_DB_PORT: String(busy) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`port ${busy} (PostgreSQL) is already in use`);
    expect(r.stderr).toContain("SUPASOCIAL_DB_PORT=");
    expect(r.stdout).not.toContain("starting PostgreSQL");
  });

  it("refuses a port that is not a number and a host that is not this machine's", async () => {
    const bad = await start({ SUPASOCIAL_API_PORT: "54x21" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("SUPASOCIAL_API_PORT=54x21 is not a port number");
    const host = await start({
      SUPASOCIAL_HOST: "192.0.2.123",
      SUPASOCIAL_API_PORT: String(await freePort()),
      SUPASOCIAL_DB_PORT: String(await freePort()),
    });
    expect(host.code).toBe(1);
    expect(host.stderr).toContain("192.0.2.123 is not an address of this machine");
  });

  it("assertPortsFree passes free ports and lists every taken one", async () => {
    const free = await freePort();
    await expect(assertPortsFree([{ what: "the API", port: free, host: "127.0.0.1", env: "A" }])).resolves.toBe(
      undefined,
    );
    const one = await occupy();
    const two = await occupy();
    await expect(
      assertPortsFree([
        { what: "the API", port: one, host: "127.0.0.1", env: "SUPASOCIAL_API_PORT" },
        { what: "PostgreSQL", port: two, host: "127.0.0.1", env: "SUPASOCIAL_DB_PORT" },
      ]),
    ).rejects.toThrow(new RegExp(`port ${one} \\(the API\\).*\\n.*port ${two} \\(PostgreSQL\\)`));
  });
});

describe("the host setting", () => {
  const interfaces = {
    lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
    eth0: [
      { address: "192.168.1.23", family: "IPv4", internal: false },
      { address: "fe80::1", family: "IPv6", internal: false },
    ],
    wlan0: [{ address: "10.0.0.7", family: "IPv4", internal: false }],
  } as unknown as Parameters<typeof networkUrls>[2];

  it("on every interface (0.0.0.0), lists one URL per external IPv4 address, and uses 127.0.0.1 locally", () => {
    expect(networkUrls("0.0.0.0", 54321, interfaces)).toEqual(["http://192.168.1.23:54321", "http://10.0.0.7:54321"]);
    expect(localUrl("0.0.0.0", 54321)).toBe("http://127.0.0.1:54321");
  });

  it("on loopback (the default), lists none; on one address, that one", () => {
    expect(networkUrls("127.0.0.1", 54321, interfaces)).toEqual([]);
    expect(networkUrls("192.168.1.23", 54321, interfaces)).toEqual(["http://192.168.1.23:54321"]);
    expect(localUrl("192.168.1.23", 54321)).toBe("http://192.168.1.23:54321");
  });
});

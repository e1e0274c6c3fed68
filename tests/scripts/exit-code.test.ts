import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

describe("process exit codes", () => {
  it("a process that loaded the database module keeps a non-zero exit code (vitest's 'tests failed')", async () => {
    const script = `import("./scripts/lib/db.ts").then(() => { process.exitCode = 3; });`;
    const error = await run(process.execPath, ["--import", "tsx", "-e", script], { cwd: root }).then(
      () => null,
      (e: { code?: number }) => e,
    );
    expect(error?.code).toBe(3);
  });
});

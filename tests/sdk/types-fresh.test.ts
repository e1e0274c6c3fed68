/**
 * The committed `client-sdk/src/database.types.ts` must be what postgres-meta generates from the
 * migrations. When this fails, run `npm run gen:types` and commit the result.
 */
import { expect, inject, test } from "vitest";
import { generateTypes, readCommittedTypes, TYPES_FILE } from "../../scripts/gen-types.ts";

test("the committed database types match the migrations", async () => {
  const committed = await readCommittedTypes();
  expect(committed, `${TYPES_FILE} is missing: run \`npm run gen:types\``).not.toBeNull();
  const fresh = await generateTypes(inject("dbUrl"));
  expect(fresh).toContain("social: {");
  expect(committed, "client-sdk/src/database.types.ts is stale: run `npm run gen:types`").toBe(fresh);
}, 120_000);

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default"],
    projects: [
      {
        // every suite on a fresh embedded PostgreSQL with the platform layer (or DATABASE_URL) and
        // the API stack
        extends: true,
        test: {
          name: "main",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/supabase/**"],
          globalSetup: ["tests/setup/global.ts"],
        },
      },
      {
        // the DB suite again, as Supabase's non-superuser `postgres` on a database built like
        // Supabase's (tests/setup/supabase-roles.ts)
        extends: true,
        test: {
          name: "supabase-roles",
          include: ["tests/db/**/*.test.ts", "tests/supabase/**/*.test.ts"],
          globalSetup: ["tests/setup/supabase-roles.ts"],
        },
      },
    ],
  },
});

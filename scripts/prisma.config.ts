/**
 * Prisma CLI configuration (development only: the program never runs the
 * Prisma CLI). `engine: "js"` keeps the CLI off Prisma's binary host, which is
 * unreachable offline: `generate` and `migrate diff` then work with the npm
 * packages alone. PRISMA_FLAVOUR=sqlite|postgres picks the schema folder and
 * the driver adapter; scripts/prisma-generate.mjs sets it.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

/** The repository root (this file lives in scripts/, out of reach of @prisma/client's postinstall). */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const flavour = process.env.PRISMA_FLAVOUR === "postgres" ? "postgres" : "sqlite";

export default defineConfig({
  schema: path.join(root, "prisma", flavour),
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    if (flavour === "postgres") {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: ":memory:" });
  },
});

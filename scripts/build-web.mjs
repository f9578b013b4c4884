/**
 * Bundles the dashboard (src/web/, Preact + TypeScript) into dist/web/ with
 * esbuild: one script and one stylesheet named by their content's hash under
 * dist/web/assets/, and dist/web/index.html pointing at them (no inline
 * script or style: the server's Content-Security-Policy allows none). Run by
 * `npm run build` after tsc; takes well under a second. See docs/dashboard.md.
 */
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src", "web");
const out = join(root, "dist", "web");
const assets = join(out, "assets");

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: join(src, "main.tsx") },
  outdir: assets,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  tsconfig: join(src, "tsconfig.json"),
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((file) => `/assets/${relative(assets, join(root, file))}`);
const script = outputs.find((f) => f.endsWith(".js"));
const style = outputs.find((f) => f.endsWith(".css"));
if (!script || !style) throw new Error(`esbuild wrote no script or stylesheet: ${outputs.join(", ")}`);

/** A static file copied under its content's hash. */
function hashed(file) {
  const body = readFileSync(file);
  const name = `${basename(file, extname(file))}-${createHash("sha256").update(body).digest("hex").slice(0, 8).toUpperCase()}${extname(file)}`;
  copyFileSync(file, join(assets, name));
  return `/assets/${name}`;
}

const page = readFileSync(join(src, "page.html"), "utf8").replace("{{script}}", script).replace("{{style}}", style).replace("{{icon}}", hashed(join(src, "icon.svg")));
writeFileSync(join(out, "index.html"), page);

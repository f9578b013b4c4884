#!/usr/bin/env node
// Tiny launcher: answers --version without loading anything, else loads the CLI from dist/.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  import("../dist/cli/main.js").then(
    (cli) => cli.main(),
    (err) => {
      if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli/main.js")) {
        process.stderr.write("error: proxmox-mpc is not built yet.\nhint: run `npm install` (or `npm run build`) in the proxmox-mpc folder.\n");
      } else {
        process.stderr.write(`error: ${err && err.message ? err.message : err}\n`);
      }
      process.exitCode = 1;
    },
  );
}

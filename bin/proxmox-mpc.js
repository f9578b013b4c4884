#!/usr/bin/env node
// Tiny launcher: answers --version without loading anything, else loads the entry point from dist/.
import { readFileSync } from "node:fs";

// A reader that closes the pipe early (`proxmox-mpc destroy --help | head -12`,
// `get vms -o json | head -c 100`) is not an error. Node reports it as an
// 'error' event (EPIPE) that, unhandled, crashes with a stack trace; here the
// output to that stream just ends. The command is not cut short: it may be
// changing the cluster (an apply whose progress went to `head`), and stopping
// it halfway because a reader left would be worse than finishing quietly
// (Ctrl-C still cancels). The exit code stays the command's own: 0 for help
// and for a data command that succeeded, like ripgrep (and unlike a SIGPIPE
// death, 141, which would fail `set -o pipefail` scripts that took only the
// first lines); a command that failed still says so. The console stops
// reading further commands once its stdout is gone (src/console/repl.ts).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err && err.code === "EPIPE") return;
    throw err;
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  import("../dist/main.js").then(
    (cli) => cli.main(),
    (err) => {
      if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/main.js")) {
        process.stderr.write("error: proxmox-mpc is not built yet.\nhint: run `npm install` (or `npm run build`) in the proxmox-mpc folder.\n");
      } else {
        process.stderr.write(`error: ${err && err.message ? err.message : err}\n`);
      }
      process.exitCode = 1;
    },
  );
}

// Preloaded with `node --import ./bench/exit-stats.mjs bin/proxmox-mpc.js …` by
// the benchmarks: when the process exits, prints on stderr one line
// `EXIT-STATS {"maxRssMiB":…,"cpuMs":…,"uptimeMs":…}` (peak RSS, user + system
// CPU, and the time since the process started, as the kernel counts them).
process.on("exit", () => {
  const usage = process.resourceUsage();
  const stats = {
    maxRssMiB: Math.round(usage.maxRSS / 1024),
    cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000),
    uptimeMs: Math.round(process.uptime() * 1000),
  };
  process.stderr.write(`\nEXIT-STATS ${JSON.stringify(stats)}\n`);
});

import type { CliIo } from "/work/wt/verify/src/cli/command.ts";
import { verifyRepository } from "/work/wt/verify/src/cli/verify-command.ts";

const io: CliIo = {
  cwd: process.argv[2]!,
  stdout: () => {},
  stderr: (t) => process.stderr.write(t),
  now: () => new Date("2027-01-01"),
  env: {},
  gitConfig: async () => undefined,
};
const c = process.cpuUsage();
const t = performance.now();
const r = await verifyRepository(io, {
  rev: "HEAD",
  positionals: [],
  values: {},
  requireSignatures: false,
  command: "verify",
});
const d = process.cpuUsage(c);
const m = process.memoryUsage();
console.log(
  "heap",
  (m.heapUsed / 2 ** 20).toFixed(0),
  "heapTotal",
  (m.heapTotal / 2 ** 20).toFixed(0),
  "ab",
  (m.arrayBuffers / 2 ** 20).toFixed(0),
  "ext",
  (m.external / 2 ** 20).toFixed(0),
);
console.log(
  "wall",
  (performance.now() - t).toFixed(0),
  "cpu",
  ((d.user + d.system) / 1000).toFixed(0),
  "rss",
  (process.memoryUsage().rss / 2 ** 20).toFixed(0),
  r.verification.checked,
);

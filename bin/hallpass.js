#!/usr/bin/env node
// Launcher of the `hallpass` command. The CLI is TypeScript that Node 24 runs natively (type
// stripping); an older Node would fail with a stack trace about `.ts` files. So this file is
// plain JavaScript that any Node with ES modules can read: on Node 24 or later it runs the CLI;
// on an older one it runs itself again with the Node 24 that the `node` devDependency installs
// (`npm ci`), or says in one line what to do.
import { spawnSync } from "node:child_process";
import nodeModule, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split(".")[0]);

/**
 * Commands that read every record of the repository. Their garbage is short-lived, and V8's
 * default young generation, sized for throughput, doubles their memory: with a 4 MB semi-space
 * `verify` on 10,000 requests peaks near 300 MB instead of 450 MB, in the same time
 * (bench/verify.bench.ts). The flag must be given at start, so they run in a second process.
 * (`--semi-space-growth-factor=1`, which can be set at run time, kept `history` under 300 MB
 * in one process, but its 1 MB semi-space cost more CPU in collections than the second
 * process's start, about 0.04 s.)
 *
 * They also compile their hot code on the main thread: run once over thousands of records,
 * their functions are optimised while they run, and V8's background compilation cost about
 * 0.1 s more CPU on 10,000 requests (`hallpass history`: medians of 7 interleaved runs, Node's
 * share 1.74 s against 1.88 s) for code that often arrived when the loop it was for had ended.
 */
const READERS = new Set(["history", "verify", "report"]);
const SEMI_SPACE = "--max-semi-space-size=4";
const READER_FLAGS = [SEMI_SPACE, "--no-concurrent-recompilation"];

if (major >= REQUIRED_MAJOR) {
  if (READERS.has(process.argv[2] ?? "") && !process.execArgv.includes(SEMI_SPACE)) {
    process.exitCode = rerun(process.execPath, READER_FLAGS, {});
  } else {
    enableCompileCache();
    await import("../src/cli/main.ts");
  }
} else {
  process.exitCode = runOnProjectNode();
}

/**
 * Keeps the CLI's modules compiled between runs: Node strips the types of every .ts file at
 * each start (with a WebAssembly compiler that alone takes about 30 MB and 0.2 s of CPU);
 * cached, a start takes half the time. The cache lives in this installation's node_modules,
 * not in a shared temporary folder, so only who can change the code itself can change what
 * runs. Where it cannot be written (a read-only install) Node runs without it.
 */
function enableCompileCache() {
  const cache = fileURLToPath(new URL("../node_modules/.cache/hallpass-compile", import.meta.url));
  nodeModule.enableCompileCache?.(cache);
}

/** Runs this file again with node_modules' Node 24; returns the exit code to use. */
function runOnProjectNode() {
  const projectNode = findProjectNode();
  // The variable stops a loop should the found binary not be Node 24 after all.
  if (projectNode === undefined || process.env.HALLPASS_REEXEC === "1") {
    process.stderr.write(
      `hallpass needs Node.js ${REQUIRED_MAJOR} or later, but this is Node.js ${process.versions.node}: run \`npm ci\` in ${fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, "")} (it installs the project's Node ${REQUIRED_MAJOR}) and use \`npx hallpass\`, or install Node.js ${REQUIRED_MAJOR}.\n`,
    );
    return 1;
  }
  const flags = READERS.has(process.argv[2] ?? "") ? READER_FLAGS : [];
  return rerun(projectNode, flags, { HALLPASS_REEXEC: "1" });
}

/** Runs this file again with `node` and its `flags`; returns the exit code to use. */
function rerun(node, flags, env) {
  const result = spawnSync(node, [...flags, process.argv[1] ?? "", ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (result.error) {
    process.stderr.write(`hallpass: could not run ${node}: ${result.error.message}\n`);
    return 1;
  }
  if (result.signal) {
    process.kill(process.pid, result.signal);
    return 1;
  }
  return result.status ?? 1;
}

/**
 * The `node` package's binary, wherever npm hoisted it; undefined when not installed. Its
 * version is not checked here: the re-run checks it, and HALLPASS_REEXEC stops a loop.
 */
function findProjectNode() {
  try {
    const manifest = createRequire(import.meta.url).resolve("node/package.json");
    return join(dirname(manifest), "bin", "node");
  } catch {
    return undefined;
  }
}

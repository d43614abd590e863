/**
 * `hallpass verify` and `hallpass report` over a repository of 10,000 requests, each merged in
 * its own commit and followed by a commit of its grant (with eligibility data, so every grant is
 * re-decided), alerts, revocation and audit summary, all authored by the app's bot: 50,000
 * record files, 20,001 commits, built with `git fast-import`. Each command runs as a user runs
 * it (`bin/hallpass.js` in its own processes); beside them, the time of
 * `git log --first-parent --name-only` over the same history: the floor any reader of the
 * history pays. The issue's budget: each under 5 s and 300 MB.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  alertsRecord,
  auditFiles,
  grantRecord,
  json,
  requestYaml,
  revocationRecord,
} from "../test/core/history/access-history-fixtures.ts";

const REQUESTS = 10_000;
const ROOT = join(import.meta.dirname, "..");
const BOT = "hallpass[bot] <4242+hallpass[bot]@users.noreply.github.com>";
const HEAD_SHA = "b".repeat(40);

class Stream {
  parts: Buffer[] = [];
  text(s: string) {
    this.parts.push(Buffer.from(s));
  }
  data(content: string) {
    const bytes = Buffer.from(content);
    this.text(`data ${bytes.length}\n`);
    this.parts.push(bytes);
    this.text("\n");
  }
  commit(who: string, time: number, message: string, files: Record<string, string>, mark = 0) {
    this.text(`commit refs/heads/main\n${mark ? `mark :${mark}\n` : ""}`);
    this.text(`author ${who} ${time} +0000\ncommitter ${who} ${time} +0000\n`);
    this.data(message);
    for (const [path, content] of Object.entries(files)) {
      this.text(`M 100644 inline ${path}\n`);
      this.data(content);
    }
  }
}

const start = Date.parse("2026-01-01T00:00:00Z") / 1000;
const stem = (i: number) => `access-requests/team-${i % 50}/req-${i}`;

/** Pass 1: the rules, then every request merged in its own commit (marks give their SHAs). */
function requests(count: number): Buffer {
  const s = new Stream();
  const rules: Record<string, string> = {
    ".github/CODEOWNERS": readFileSync(join(ROOT, ".github/CODEOWNERS"), "utf8"),
  };
  for (const name of readdirSync(join(ROOT, "policies")).filter((n) => n.endsWith(".yaml"))) {
    rules[`policies/${name}`] = readFileSync(join(ROOT, "policies", name), "utf8");
  }
  s.commit("admin <admin@example.com>", start, "rules", rules);
  for (let i = 0; i < count; i++) {
    const who = `alice <alice@users.noreply.github.com>`;
    // Each request its own file, as real ones are (a ticket of its own): one blob shared by
    // all would let git inflate it once and flatter every figure.
    const request = requestYaml.replace("CHG-4821", `CHG-${10_000 + i}`);
    s.commit(who, start + i * 60, `request ${i}`, { [`${stem(i)}.yaml`]: request }, i + 1);
  }
  return Buffer.concat(s.parts);
}

/** Pass 2: the records of every request, each grant naming its request's merge commit. */
function records(merges: Map<number, string>, count: number): Buffer {
  const s = new Stream();
  s.text("reset refs/heads/main\nfrom refs/heads/main^0\n\n");
  const audit = auditFiles().json;
  const roleArn = grantRecord().roleArn;
  for (let i = 0; i < count; i++) {
    const requestPath = `${stem(i)}.yaml`;
    const grant = grantRecord({
      requestPath,
      roleArn,
      pullRequest: { ...grantRecord().pullRequest, mergeCommit: merges.get(i + 1)! },
      approvals: [
        { ...approval("dan", "a database administrator", "@acme/dba"), reviewId: 1 },
        { ...approval("sue", "security", "@acme/security"), reviewId: 2 },
      ],
      approvalBasis: { headSha: HEAD_SHA, author: "alice", pushers: ["alice"], baseChangedAt: [] },
    });
    s.commit(BOT, start + count * 60 + i * 60, `records ${i}`, {
      [`${stem(i)}.grant.json`]: json(grant),
      [`${stem(i)}.alerts.json`]: json({ ...alertsRecord(), requestPath, roleArn }),
      [`${stem(i)}.revocation.json`]: json(revocationRecord({ requestPath, roleArn })),
      [`${stem(i)}.audit.json`]: audit.replaceAll(
        "access-requests/payments/alice-db.yaml",
        requestPath,
      ),
    });
  }
  return Buffer.concat(s.parts);
}

function approval(reviewer: string, rule: string, team: string) {
  return {
    reviewer,
    submittedAt: "2026-11-26T08:55:00Z",
    commitId: HEAD_SHA,
    rules: [rule],
    eligibleVia: [team],
  };
}

const BIN = join(ROOT, "bin", "hallpass.js");

/**
 * Runs `hallpass args` in `root` as a user does: wall time, CPU time of every process (via
 * /proc's children times), and the largest peak RSS any of its Node processes reached (each
 * reports its own at exit through a preloaded module).
 */
function runCli(root: string, args: string[]): { ms: number; cpuMs: number; peakMb: number } {
  const hook = join(root, ".git", "max-rss.mjs");
  writeFileSync(
    hook,
    'process.on("exit", () => process.stderr.write("max-rss " + process.resourceUsage().maxRSS + "\\n"));\n',
  );
  const cpu = cpuSeconds();
  const t = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` },
  });
  const ms = performance.now() - t;
  const cpuMs = (cpuSeconds() - cpu) * 1000;
  if (result.status !== 0) throw new Error(`hallpass ${args[0]}: ${result.stderr}`);
  const peaks = [...result.stderr.matchAll(/max-rss (\d+)/g)].map((m) => Number(m[1]));
  return { ms, cpuMs, peakMb: Math.max(...peaks) / 1024 };
}

/** CPU seconds of this process and of the children it waited for (git), from /proc on Linux. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields 16 and 17 of /proc/self/stat: cutime and cstime, in clock ticks (100 a second).
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // Not Linux: the children's time is left out (the line says so).
  }
  return (own.user + own.system) / 1e6 + children;
}

/**
 * Builds in `root` (an empty folder) a repository of `count` requests, each merged in its own
 * commit and followed by a commit of its records; also used by the table's history figure.
 * Returns the repository's `git` runner.
 */
export function buildRecordsRepository(
  root: string,
  count: number,
): (args: string[], input?: Buffer) => string {
  const git = (args: string[], input?: Buffer) => {
    const result = spawnSync("git", args, { cwd: root, input, maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`);
    return result.stdout.toString("utf8");
  };
  git(["init", "-q", "-b", "main"]);
  const marks = join(root, ".git", "marks");
  git(["fast-import", "--quiet", `--export-marks=${marks}`], requests(count));
  const merges = new Map<number, string>();
  for (const line of readFileSync(marks, "utf8").trim().split("\n")) {
    const [mark, sha] = line.split(" ");
    merges.set(Number(mark!.slice(1)), sha!);
  }
  git(["fast-import", "--quiet"], records(merges, count));
  git(["checkout", "-q", "main"]);
  return git;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "hallpass-verify-bench-"));
  try {
    const git = buildRecordsRepository(root, REQUESTS);

    const floorCpu = cpuSeconds();
    const t = performance.now();
    git(["log", "--first-parent", "--name-only", "--format=%H", "--", "access-requests/"]);
    const floor = { ms: performance.now() - t, cpuMs: (cpuSeconds() - floorCpu) * 1000 };
    const verified = runCli(root, ["verify", "--format", "json"]);
    const out = join(root, ".git", "report.html");
    const reported = runCli(root, [
      "report",
      "--since",
      "2026-01-01",
      "--until",
      "2027-01-01",
      "--format",
      "html",
      "--out",
      out,
    ]);
    const html = readFileSync(out, "utf8");
    const bars = html.match(/<rect class="bar/g)?.length ?? 0;
    if (bars !== REQUESTS) throw new Error(`expected ${REQUESTS} bars, got ${bars}`);
    console.log(
      `${REQUESTS} requests, ${REQUESTS * 5} files, ${REQUESTS * 2 + 1} commits; verify exits 0 (every grant re-decided), report draws ${bars} bars`,
    );
    const line = (m: { ms: number; cpuMs: number }) =>
      `${m.ms.toFixed(0)} ms (CPU with git's: ${m.cpuMs.toFixed(0)} ms)`;
    console.log(`git log --first-parent --name-only (floor): ${line(floor)}`);
    console.log(
      `verify (read git, re-decide, check the trail): ${line(verified)}, peak RSS ${verified.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `report --format html (the year): ${line(reported)}, peak RSS ${reported.peakMb.toFixed(0)} MB (${(html.length / 2 ** 20).toFixed(1)} MB)`,
    );
    console.log(
      `load average while measured: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

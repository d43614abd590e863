/**
 * The audit summariser on generated CloudTrail events, 1,000,000 and 10,000,000 of them: time
 * against the floor, and peak memory as the kernel reports it.
 * Aims (issue 11): the production path at most 1.3 x the floor; peak resident memory under
 * 150 MB, and flat from 1 M to 10 M events.
 *
 * Each run is its own Node process running this file bundled by esbuild, as production runs
 * the bundled action (Node's TypeScript stripping would add its own 30 MB to every figure).
 * The peak is the process's `VmHWM` from /proc/self/status, read by the kernel, so it covers
 * everything the process held, V8's garbage included. Events are generated a LookupEvents
 * page (50) at a time and never held; generating is timed apart and left out of every figure.
 * Cases:
 * - floor: `JSON.parse` of each event's `CloudTrailEvent` text, the least any reader must do;
 * - production: the pages through the CloudTrail adapter (`grantEventPages`: parsed, checked,
 *   other roles' events dropped) into `ActivityTally.add`, then `summary()` and both files;
 * - tally: events already parsed into `ActivityTally.add` and `summary()` (1 M only).
 * The production and tally cases run with the action's heap settings (`boundHeapGrowth`, set
 * at the action's entry); the floor in a process as Node starts it.
 * Each case runs `HALLPASS_BENCH_RUNS` times (default 5; `HALLPASS_BENCH_RUNS_LARGE` for 10 M,
 * `HALLPASS_BENCH_SIZES` for other event counts), interleaved so that the load of a
 * shared machine falls on all of them alike; the table shows min and median, the ratio of the
 * minimums, and the highest peak.
 */

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LookupEventsCommandOutput } from "@aws-sdk/client-cloudtrail";
import { boundHeapGrowth } from "../action/bound-heap-growth.ts";
import { ACTION_BUNDLE_OPTIONS, asciiOnly } from "../scripts/action-bundle.ts";
import { createAwsCloudTrail } from "../src/adapters/aws-cloudtrail.ts";
import type { CloudTrailEvent } from "../src/core/audit/cloudtrail-event.ts";
import {
  type ActivityTally,
  type AuditSubject,
  createActivityTally,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
} from "../src/core/audit/summarize-activity.ts";
import { runMeasured, spread } from "./measure.ts";

const SERVICES = ["s3", "rds", "ec2", "iam", "kms", "dynamodb", "lambda", "logs", "sts", "sqs"];
const VERBS = ["Describe", "List", "Get", "Put", "Create", "Delete", "Update", "Modify", "Start"];
const NOUNS = ["Instance", "Bucket", "Table", "Function", "Key", "Role", "Queue", "Snapshot"];

const subject: AuditSubject = {
  requestPath: "access-requests/bench/alice.yaml",
  pullRequest: 1,
  requester: "alice",
  role: "admin",
  account: { name: "production", id: "123456789012" },
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-bench",
  window: { start: "2026-11-26T00:00:00Z", end: "2026-11-26T12:00:00Z" },
  endedAt: "2026-11-26T12:00:00Z",
  endReason: "expired",
  regions: ["eu-west-1", "us-east-1"],
};

/** The generated events' varying fields; everything else is the same in every event. */
interface Draw {
  i: number;
  time: string;
  service: string;
  name: string;
  readOnly: boolean;
  failed: boolean;
  resource: string;
}

/**
 * A small deterministic generator, so every run measures the same events. Newest first, as
 * LookupEvents returns them: the order that matters for keeping the earliest risky events.
 */
function* draws(n: number): Generator<Draw> {
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed;
  };
  const start = Date.parse(subject.window.start);
  const span = Date.parse(subject.window.end) - start;
  let second = -1;
  let time = "";
  for (let i = 0; i < n; i++) {
    const ms = start + Math.floor(((n - 1 - i) / n) * span);
    if (Math.floor(ms / 1000) !== second) {
      second = Math.floor(ms / 1000);
      time = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
    }
    const service = SERVICES[next() % SERVICES.length]!;
    const verb = VERBS[next() % VERBS.length]!;
    const noun = NOUNS[next() % NOUNS.length]!;
    yield {
      i,
      time,
      service,
      name: `${verb}${noun}`,
      readOnly: verb === "Describe" || verb === "List" || verb === "Get",
      failed: next() % 50 === 0,
      resource: `arn:aws:${service}:eu-west-1:123456789012:${noun.toLowerCase()}/r-${next() % 2000}`,
    };
  }
}

function region(service: string): string {
  return service === "iam" || service === "sts" ? "us-east-1" : "eu-west-1";
}

function eventOf(d: Draw): CloudTrailEvent {
  return {
    eventID: `00000000-0000-4000-8000-${String(d.i).padStart(12, "0")}`,
    eventTime: d.time,
    eventSource: `${d.service}.amazonaws.com`,
    eventName: d.name,
    awsRegion: region(d.service),
    sourceIPAddress: "203.0.113.7",
    userAgent: "aws-cli/2.17.0",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/hp-bench/alice",
      accountId: "123456789012",
      sessionContext: {
        sourceIdentity: "alice",
        sessionIssuer: { type: "Role", arn: subject.roleArn, accountId: "123456789012" },
      },
    },
    readOnly: d.readOnly,
    ...(d.failed ? { errorCode: "AccessDenied", errorMessage: "denied" } : {}),
    resources: [{ ARN: d.resource, accountId: "123456789012" }],
  };
}

/** The `CloudTrailEvent` text LookupEvents returns for the same event (about 900 bytes). */
function textOf(d: Draw): string {
  return `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice","arn":"arn:aws:sts::123456789012:assumed-role/hp-bench/alice","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"${subject.roleArn}","accountId":"123456789012","userName":"hp-bench"},"attributes":{"creationDate":"2026-11-26T00:00:00Z","mfaAuthenticated":"false"},"sourceIdentity":"alice"}},"eventTime":"${d.time}","eventSource":"${d.service}.amazonaws.com","eventName":"${d.name}","awsRegion":"${region(d.service)}","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.17.0","requestParameters":null,"responseElements":null,"requestID":"req-${d.i}","eventID":"00000000-0000-4000-8000-${String(d.i).padStart(12, "0")}","readOnly":${d.readOnly},${d.failed ? '"errorCode":"AccessDenied","errorMessage":"denied",' : ""}"resources":[{"accountId":"123456789012","ARN":"${d.resource}"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`;
}

/**
 * The text as one flat string, as the SDK's `JSON.parse` of a page leaves it: a template
 * literal is a rope that V8 would otherwise flatten inside the adapter's parse, charging the
 * generator's work to the adapter. Scanning it flattens it.
 */
function flat(text: string): string {
  if (text.indexOf("\u0001") >= 0) throw new Error("unexpected control character");
  return text;
}

/** What a `LookupEvents` page item holds for the event (the SDK's deserialised shape). */
function itemOf(d: Draw): NonNullable<LookupEventsCommandOutput["Events"]>[number] {
  return {
    EventId: `00000000-0000-4000-8000-${String(d.i).padStart(12, "0")}`,
    EventName: d.name,
    EventSource: `${d.service}.amazonaws.com`,
    EventTime: new Date(Date.parse(d.time)),
    ReadOnly: String(d.readOnly),
    Username: "alice",
    Resources: [{ ResourceType: d.service, ResourceName: d.resource }],
    CloudTrailEvent: flat(textOf(d)),
  };
}

const PAGE = 50;

/** A case of the child process: `node summarize-bench.mjs <case> <events>`. */
export type Case = "floor" | "production" | "tally";

/** The figures of one run. */
export interface Figures {
  events: number;
  /** CPU milliseconds (user + system) of the work, generating left out. */
  ms: number;
  /** Wall-clock milliseconds of the same work: inflated by every other process of the machine. */
  wallMs: number;
  /** CPU milliseconds spent generating events (not in `ms`). */
  generateMs: number;
  /** Kernel's peak resident set of the process (VmHWM), bytes. */
  peakRss: number;
  /** Resident set once the modules were loaded, before the first event, bytes. */
  startRss: number;
  /** `ActivityTally.retainedEntries` at the end (0 for the floor). */
  retainedEntries: number;
  /** SHA-256 of the JSON and Markdown files: equal across runs and changes to the summariser. */
  digest: string;
}

/** A figure of /proc/self/status in bytes (`VmHWM`, `VmRSS`): the kernel's own count. */
function procStatus(field: string): number {
  const line = readFileSync("/proc/self/status", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? Number.NaN) * 1024;
}

/** CPU time of this process (user + system), in milliseconds. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Generated pages of `LookupEvents` items; the time spent generating is added to `clock` (CPU
 * and wall). CPU time is what the figures compare: on a machine shared with other processes, a
 * process's wall-clock time mostly measures how long it waited for a core.
 */
function* pages(n: number, clock: { ms: number; wall: number }) {
  const source = draws(n);
  for (;;) {
    const t = performance.now();
    const c = cpuMs();
    const items = [];
    for (let k = 0; k < PAGE; k++) {
      const next = source.next();
      if (next.done) break;
      items.push(itemOf(next.value));
    }
    clock.ms += cpuMs() - c;
    clock.wall += performance.now() - t;
    if (items.length === 0) return;
    yield items;
    if (items.length < PAGE) return;
  }
}

/** The floor: every event's text parsed, nothing else. */
function runFloor(n: number, clock: { ms: number; wall: number }): number {
  let sink = 0;
  for (const items of pages(n, clock)) {
    for (const item of items)
      sink += (JSON.parse(item.CloudTrailEvent!) as { eventID: string }).eventID.length;
  }
  return sink;
}

/** The production path: the real adapter over a client that answers with the next page. */
async function runProduction(n: number, clock: { ms: number; wall: number }, tally: ActivityTally) {
  const source = pages(n, clock);
  let now = 0;
  const cloudtrail = createAwsCloudTrail({
    // A clock that does not wait: the 2-a-second spacing is the sweep bench's business.
    timing: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
      random: () => 0,
    },
    clientFor: () => ({
      send: async () => {
        const next = source.next();
        const Events = next.done ? [] : next.value;
        const more = Events.length === PAGE;
        return { Events, ...(more ? { NextToken: "more" } : {}), $metadata: {} } as never;
      },
    }),
  });
  for await (const events of cloudtrail.grantEventPages({
    account: { name: "production", id: "123456789012", brokerRole: "unused" } as never,
    region: "eu-west-1",
    sessionName: "alice",
    roleArns: [subject.roleArn],
    startTime: new Date(subject.window.start),
    endTime: new Date(subject.window.end),
    onUnreadable: (event) => tally.unreadable(event),
  })) {
    for (const e of events) tally.add(e);
  }
}

/** Events already parsed, straight into the tally. */
function runTally(n: number, clock: { ms: number; wall: number }, tally: ActivityTally): void {
  const source = draws(n);
  const page: CloudTrailEvent[] = [];
  for (;;) {
    const t = performance.now();
    const c = cpuMs();
    for (let k = 0; k < PAGE; k++) {
      const next = source.next();
      if (next.done) break;
      page.push(eventOf(next.value));
    }
    clock.ms += cpuMs() - c;
    clock.wall += performance.now() - t;
    if (page.length === 0) return;
    for (const e of page) tally.add(e);
    page.length = 0;
  }
}

/** Runs one case in this process. */
async function runCase(name: Case, n: number): Promise<Figures> {
  const startRss = procStatus("VmRSS");
  const clock = { ms: 0, wall: 0 };
  const tally = createActivityTally(subject, riskRulesOf([]));
  const started = performance.now();
  const startedCpu = cpuMs();
  let json = "";
  let md = "";
  if (name === "floor") {
    runFloor(n, clock);
  } else {
    if (name === "production") await runProduction(n, clock, tally);
    else runTally(n, clock, tally);
    const summary = tally.summary();
    json = renderAuditJson(summary);
    md = renderAuditMarkdown(summary);
  }
  return {
    events: n,
    ms: cpuMs() - startedCpu - clock.ms,
    wallMs: performance.now() - started - clock.wall,
    generateMs: clock.ms,
    peakRss: procStatus("VmHWM"),
    startRss,
    retainedEntries: name === "floor" ? 0 : (tally.retainedEntries ?? 0),
    digest:
      name === "floor"
        ? ""
        : createHash("sha256").update(json).update(md).digest("hex").slice(0, 16),
  };
}

const self = fileURLToPath(import.meta.url);

/**
 * Runs `body` with this file bundled as production bundles the action (the same esbuild options
 * and ASCII-only output: the bundle's path), in a temporary directory removed afterwards.
 */
export async function withBundledBench<T>(body: (file: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-bench-"));
  try {
    const { build } = await import("esbuild");
    const outfile = join(dir, "summarize-bench.mjs");
    const result = await build({
      ...ACTION_BUNDLE_OPTIONS,
      entryPoints: [self],
      outfile,
      external: ["esbuild"],
      write: false,
    });
    writeFileSync(outfile, await asciiOnly(result.outputFiles[0]!.text));
    return await body(outfile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs case `name` over `n` events in its own process (the bundle `file`), and returns its
 * figures; `peakRss` is the larger of its `VmHWM` and the ru_maxrss wait4 reports for it.
 */
export function figuresOf(file: string, name: Case, n: number): Figures {
  const child = runMeasured(process.execPath, [file, name, String(n)]);
  const last = child.stdout.trim().split("\n").pop() ?? "";
  if (!last.startsWith("{"))
    throw new Error(`summarize bench case ${name} (${n}) printed no figures`);
  const figures = JSON.parse(last) as Figures;
  return { ...figures, peakRss: Math.max(figures.peakRss, child.peakRss) };
}

/** Event counts, `HALLPASS_BENCH_SIZES` (comma-separated) or 1 M and 10 M. */
const SIZES = (process.env.HALLPASS_BENCH_SIZES ?? "1000000,10000000").split(",").map(Number);

export async function run(): Promise<void> {
  const runs = Number(process.env.HALLPASS_BENCH_RUNS ?? 5);
  // The 10 M case takes minutes a run: `HALLPASS_BENCH_RUNS_LARGE` sets its runs apart.
  const largeRuns = Number(process.env.HALLPASS_BENCH_RUNS_LARGE ?? runs);
  await withBundledBench((file) => {
    console.log(
      `${runs} runs a case (${largeRuns} above 1 M events), interleaved. Time: CPU seconds (user + system) of the work, generating left out, min / median (wall-clock min after it: the machine's other load adds to it). Peak RSS: the kernel's VmHWM, highest of the runs.`,
    );
    console.log(
      "| events | case | CPU min | CPU median | wall min | ratio to floor (min, median) | peak RSS | RSS at start | tally entries | digest |",
    );
    console.log("|--:|---|--:|--:|--:|--:|--:|--:|--:|---|");
    for (const n of SIZES) {
      const cases: Case[] =
        n === SIZES[0] ? ["floor", "production", "tally"] : ["floor", "production"];
      const results = new Map<Case, Figures[]>(cases.map((c) => [c, []]));
      for (let r = 0; r < (n > 1_000_000 ? largeRuns : runs); r++) {
        for (const c of cases) results.get(c)!.push(figuresOf(file, c, n));
      }
      const floor = results.get("floor")!.map((f) => f.ms);
      for (const c of cases) {
        const fs = results.get(c)!;
        const ms = fs.map((f) => f.ms);
        const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
        const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
        const ratio =
          c === "floor"
            ? ""
            : `${(Math.min(...ms) / Math.min(...floor)).toFixed(2)} x, ${(spread(ms).median / spread(floor).median).toFixed(2)} x`;
        console.log(
          `| ${n.toLocaleString("en")} | ${c} | ${s(Math.min(...ms))} | ${s(spread(ms).median)} | ${s(Math.min(...fs.map((f) => f.wallMs)))} | ${ratio} | ${mb(Math.max(...fs.map((f) => f.peakRss)))} | ${mb(spread(fs.map((f) => f.startRss)).median)} | ${fs[0]!.retainedEntries.toLocaleString("en")} | ${fs[0]!.digest} |`,
        );
      }
    }
  });
}

if (process.argv[1] === self && process.argv[2] !== undefined) {
  const name = process.argv[2] as Case;
  if (!["floor", "production", "tally"].includes(name)) throw new Error(`unknown case ${name}`);
  // The action's heap settings (action/index.ts) on the cases that run its code; the floor is
  // bare JSON.parse in a process as Node starts it.
  if (name !== "floor") boundHeapGrowth();
  console.log(JSON.stringify(await runCase(name, Number(process.argv[3]))));
}

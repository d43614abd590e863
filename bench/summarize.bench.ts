/**
 * The audit summariser on 1,000,000 generated CloudTrail events: throughput and peak memory.
 * Aim (issue 5): under 5 s and under 300 MB, streaming rather than holding the events.
 *
 * Each case runs in its own Node process, so its peak RSS (the kernel's `ru_maxrss`) is its own
 * and not left over from a case before it. Events are generated a LookupEvents page (50) at a
 * time and never held. Time is split into phases, each measured on its own:
 * - generate: the bench building the events (string building), which production does not pay;
 * - adapter: `LookupEvents` results turned into events by the CloudTrail adapter (the JSON
 *   text of each event parsed, events of other roles dropped), as the real audit pays it;
 * - summarise: `ActivityTally.add` for every event, then `summary()`;
 * - render: the Markdown and JSON files.
 * The "generate only" case tells how much of a peak is the generator's own garbage; the
 * "floor" case times bare `JSON.parse` of every event's text, the least any reader pays.
 * `npm run bench` (the table) runs the production and floor cases through `figuresOf`.
 */

import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { getHeapStatistics } from "node:v8";
import type { LookupEventsCommandOutput } from "@aws-sdk/client-cloudtrail";
import { createAwsCloudTrail } from "../src/adapters/aws-cloudtrail.ts";
import type { CloudTrailEvent } from "../src/core/audit/cloudtrail-event.ts";
import {
  type AuditSubject,
  type AuditSummary,
  createActivityTally,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
} from "../src/core/audit/summarize-activity.ts";
import { runMeasured } from "./measure.ts";

/** Events of the cases `run` prints; the table passes its own count. */
const EVENTS = 1_000_000;
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

/** Milliseconds per phase, and the memory figures of one case. */
interface Figures {
  events: number;
  generate: number;
  adapter: number;
  summarise: number;
  render: number;
  /** Peak resident set of the whole process (ru_maxrss), bytes. */
  peakRss: number;
  /** RSS once the modules were loaded, before the first event: the process's floor. */
  startRss: number;
  /** Highest V8 heap use seen (sampled every 1,000 events), bytes. */
  peakHeap: number;
  /** Heap still used after a full GC with the tally alive, minus before: what it holds. */
  retained: number | null;
  risky: number;
  resources: number;
  jsonBytes: number;
  markdownBytes: number;
  /** SHA-256 of the JSON and Markdown files: equal across runs and changes to the summariser. */
  digest: string;
  /** Bytes of event text generated (the generate-only case). */
  textBytes: number;
  /** Milliseconds of bare `JSON.parse` of every event's text (the floor case). */
  parse: number;
}

/** A case of the child process: `node --expose-gc summarize.bench.ts <case> <events>`. */
export type Case = "generate" | "parsed" | "text" | "floor";

const CASES: { name: Case; label: string }[] = [
  { name: "generate", label: "generate only (the bench's own cost, no summariser)" },
  { name: "parsed", label: "summarise events already parsed" },
  { name: "text", label: "LookupEvents pages through the adapter + summarise (production path)" },
  { name: "floor", label: "bare JSON.parse of every event's text (the floor)" },
];

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Runs one case in this process; `--expose-gc` is set by the parent. */
async function runCase(name: Case, events: number): Promise<Figures> {
  gc();
  const startRss = process.memoryUsage.rss();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let generate = 0;
  let adapter = 0;
  let summarise = 0;
  let render = 0;
  let n = 0;
  // Every 1,000 events: V8's figure, without memoryUsage()'s read of /proc for the RSS.
  let samples = 0;
  const sample = () => {
    if (++samples % 20 === 0) peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  };
  const tally = createActivityTally(subject, riskRulesOf([]));
  const source = draws(events);
  let retained: number | null = null;
  let textBytes = 0;
  let parse = 0;

  if (name === "floor") {
    for (const d of source) {
      const text = itemOf(d).CloudTrailEvent!;
      const t = performance.now();
      JSON.parse(text);
      parse += performance.now() - t;
      n++;
    }
  } else if (name === "generate") {
    const t = performance.now();
    for (const d of source) {
      // Scanning the text flattens it, as the SDK's JSON.parse of the page leaves it.
      textBytes += itemOf(d).CloudTrailEvent!.length;
      if (++n % PAGE === 0) sample();
    }
    generate = performance.now() - t;
  } else if (name === "parsed") {
    const page: CloudTrailEvent[] = [];
    const flush = () => {
      const t = performance.now();
      for (const e of page) tally.add(e);
      summarise += performance.now() - t;
      page.length = 0;
      sample();
    };
    let t = performance.now();
    for (const d of source) {
      page.push(eventOf(d));
      n++;
      if (page.length === PAGE) {
        generate += performance.now() - t;
        flush();
        t = performance.now();
      }
    }
    generate += performance.now() - t;
    flush();
  } else {
    // The real adapter, over a client that answers each LookupEvents call with the next page,
    // and a clock that does not wait (the 2-a-second spacing is the sweep's bench's business).
    let clock = 0;
    const cloudtrail = createAwsCloudTrail({
      timing: {
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
        random: () => 0,
      },
      clientFor: () => ({
        send: async () => {
          const t = performance.now();
          const Events = [];
          for (let k = 0; k < PAGE; k++) {
            const next = source.next();
            if (next.done) break;
            Events.push(itemOf(next.value));
          }
          const done = Events.length < PAGE;
          generate += performance.now() - t;
          return { Events, ...(done ? {} : { NextToken: "more" }), $metadata: {} } as never;
        },
      }),
    });
    const batch: CloudTrailEvent[] = [];
    const flush = () => {
      const t = performance.now();
      for (const e of batch) tally.add(e);
      summarise += performance.now() - t;
      batch.length = 0;
      sample();
    };
    const started = performance.now();
    for await (const e of cloudtrail.grantEvents({
      account: { name: "production", id: "123456789012", brokerRole: "unused" } as never,
      region: "eu-west-1",
      sessionName: "alice",
      roleArns: [subject.roleArn],
      startTime: new Date(subject.window.start),
      endTime: new Date(subject.window.end),
    })) {
      batch.push(e);
      n++;
      if (batch.length === PAGE) flush();
    }
    flush();
    adapter = performance.now() - started - generate - summarise;
  }
  let summary: AuditSummary | undefined;
  let md = "";
  let json = "";
  if (name === "parsed" || name === "text") {
    gc();
    retained = process.memoryUsage().heapUsed - heapBefore;
    let t = performance.now();
    summary = tally.summary();
    summarise += performance.now() - t;
    t = performance.now();
    md = renderAuditMarkdown(summary);
    json = renderAuditJson(summary);
    render = performance.now() - t;
    sample();
  }
  return {
    events: n,
    generate,
    adapter,
    summarise,
    render,
    peakRss: process.resourceUsage().maxRSS * 1024,
    startRss,
    peakHeap,
    retained,
    risky: summary?.riskyEventsTotal ?? 0,
    resources: summary?.resources.length ?? 0,
    jsonBytes: Buffer.byteLength(json),
    markdownBytes: Buffer.byteLength(md),
    digest: createHash("sha256").update(json).update(md).digest("hex").slice(0, 16),
    textBytes,
    parse,
  };
}

function print(label: string, f: Figures): void {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  const work = f.adapter + f.summarise + f.render;
  const lines = [`${label}: ${f.events.toLocaleString("en")} events`];
  if (f.parse > 0) {
    lines.push(`  time: JSON.parse ${s(f.parse)} s`);
  } else if (work > 0) {
    lines.push(
      `  time: ${s(work)} s without generating (${Math.round(f.events / (work / 1000)).toLocaleString("en")} events/s) = ` +
        `${f.adapter > 0 ? `adapter ${s(f.adapter)} s + ` : ""}summarise ${s(f.summarise)} s + render ${s(f.render)} s; generating ${s(f.generate)} s more`,
    );
  } else {
    lines.push(
      `  time: generating ${s(f.generate)} s (${(f.textBytes / 1024 / 1024).toFixed(0)} MB of event text)`,
    );
  }
  lines.push(
    `  memory: peak RSS ${mb(f.peakRss)} MB (process at start ${mb(f.startRss)} MB), peak heap ${mb(f.peakHeap)} MB` +
      (f.retained === null ? "" : `, held by the tally ${mb(f.retained)} MB`),
  );
  if (f.jsonBytes > 0) {
    lines.push(
      `  summary: ${f.risky.toLocaleString("en")} risky, ${f.resources} resources; JSON ${(f.jsonBytes / 1024).toFixed(0)} KiB, Markdown ${(f.markdownBytes / 1024).toFixed(0)} KiB (sha256 ${f.digest})`,
    );
  }
  console.log(lines.join("\n"));
}

const self = fileURLToPath(import.meta.url);

/**
 * Runs `name` over `events` in a child process and returns its figures with the peak resident
 * set the kernel reports for it (wait4's ru_maxrss, through /usr/bin/time), in bytes.
 */
export function figuresOf(name: Case, events: number): Figures & { kernelPeakRss: number } {
  const child = runMeasured(process.execPath, ["--expose-gc", self, name, String(events)]);
  const last = child.stdout.trim().split("\n").pop() ?? "";
  if (!last.startsWith("{")) throw new Error(`summarize bench case ${name} printed no figures`);
  return { ...(JSON.parse(last) as Figures), kernelPeakRss: child.peakRss };
}

export async function run(): Promise<void> {
  for (const c of CASES) {
    const f = figuresOf(c.name, EVENTS);
    print(c.label, f);
    console.log(`  kernel: peak RSS ${(f.kernelPeakRss / 2 ** 20).toFixed(0)} MB`);
  }
}

if (process.argv[1] === self) {
  const name = process.argv[2] as Case;
  if (!CASES.some((c) => c.name === name)) throw new Error(`unknown case ${name}`);
  console.log(JSON.stringify(await runCase(name, Number(process.argv[3] ?? EVENTS))));
}

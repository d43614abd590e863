/**
 * The audit summariser on 1,000,000 generated CloudTrail events: throughput and peak memory.
 * Events are generated one at a time and never held, as they stream from LookupEvents, so the
 * memory figure is the summariser's own. Aim: under 5 s and under 300 MB.
 *
 * Two figures: events already parsed, and events as LookupEvents gives them (JSON text parsed
 * for each one), which is what a real audit pays.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type CloudTrailEvent, parseCloudTrailEvent } from "../src/core/cloudtrail-event.ts";
import {
  type AuditSubject,
  createActivityTally,
  renderAuditJson,
  renderAuditMarkdown,
  riskRulesOf,
} from "../src/core/summarize-activity.ts";

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

/** Runs a full garbage collection (the flag is set at run time); false when unavailable. */
function collectGarbage(): boolean {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (() => void) | undefined;
  if (typeof gc !== "function") return false;
  gc();
  return true;
}

function measure(label: string, feed: (add: (e: CloudTrailEvent) => void) => void): void {
  collectGarbage();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const tally = createActivityTally(subject, riskRulesOf([]));
  const started = performance.now();
  let n = 0;
  feed((e) => {
    tally.add(e);
    if (++n % 20_000 === 0) {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
  });
  // What the tally itself holds once the garbage of reading is collected: the streaming claim.
  const retained = collectGarbage() ? process.memoryUsage().heapUsed - before.heapUsed : Number.NaN;
  const summary = tally.summary();
  const md = renderAuditMarkdown(summary);
  const json = renderAuditJson(summary);
  const seconds = (performance.now() - started) / 1000;
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  console.log(
    `${label}: ${n.toLocaleString("en")} events in ${seconds.toFixed(2)} s (${Math.round(n / seconds).toLocaleString("en")} events/s); ` +
      `peak RSS ${mb(peakRss)} MB, peak heap ${mb(peakHeap)} MB, retained by the tally ${mb(retained)} MB; ` +
      `${summary.riskyEvents.length.toLocaleString("en")} risky, ${summary.resources.length} resources; ` +
      `JSON ${(json.length / 1024).toFixed(0)} KiB, Markdown ${(md.length / 1024).toFixed(0)} KiB`,
  );
}

/** What generating the texts alone costs, so the summariser's own share can be read off. */
function measureGeneration(): void {
  const started = performance.now();
  let bytes = 0;
  for (const d of draws(EVENTS)) bytes += textOf(d).length;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `of which generating the ${EVENTS.toLocaleString("en")} texts (${(bytes / 1024 / 1024).toFixed(0)} MB) in this bench: ${seconds.toFixed(2)} s`,
  );
}

export async function run(): Promise<void> {
  measure("summarise parsed events", (add) => {
    for (const d of draws(EVENTS)) add(eventOf(d));
  });
  measure("parse + summarise LookupEvents JSON text", (add) => {
    for (const d of draws(EVENTS)) {
      const parsed = parseCloudTrailEvent(textOf(d));
      if (!parsed.ok) throw new Error(parsed.message);
      add(parsed.event);
    }
  });
  measureGeneration();
}

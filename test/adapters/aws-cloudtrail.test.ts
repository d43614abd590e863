import { readFileSync } from "node:fs";
import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createAwsCloudTrail, type Timing } from "../../src/adapters/aws-cloudtrail.ts";
import type { CloudTrailEvent } from "../../src/core/audit/cloudtrail-event.ts";
import type { UnreadableEvent } from "../../src/core/audit/summarize-activity.ts";
import type { GrantEventQuery } from "../../src/ports/cloudtrail.ts";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/cloudtrail/alice-db-events.json", import.meta.url), "utf8"),
) as CloudTrailEvent[];

const account = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};
const query: GrantEventQuery = {
  account,
  region: "eu-west-1",
  sessionName: "alice",
  roleArns: ["arn:aws:iam::123456789012:role/hallpass/hp-alice-db-admin-a1b2c3"],
  startTime: new Date("2026-11-26T09:00:00Z"),
  endTime: new Date("2026-11-26T11:30:00Z"),
};

/**
 * A virtual clock: a sleep resolves when the clock reaches its time, and the clock jumps to the
 * earliest pending sleep once everything runnable has run, so concurrent sleepers interleave as
 * they would in real time, without waiting.
 */
function virtualTiming(): Timing & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  const timers: { at: number; resolve: () => void }[] = [];
  let scheduled = false;
  function tick() {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (!next) return;
    t = next.at;
    next.resolve();
    if (timers.length > 0) schedule();
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      setImmediate(tick);
    }
  }
  return {
    slept,
    now: () => t,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        slept.push(ms);
        timers.push({ at: t + ms, resolve });
        schedule();
      }),
    random: () => 0.5,
  };
}

function lookupItem(event: CloudTrailEvent) {
  return {
    EventId: event.eventID,
    EventName: event.eventName,
    ReadOnly: String(event.readOnly ?? false),
    EventTime: new Date(event.eventTime),
    EventSource: event.eventSource,
    Username: "alice",
    Resources: [],
    CloudTrailEvent: JSON.stringify(event),
  };
}

function otherRole(event: CloudTrailEvent, id: string): CloudTrailEvent {
  return {
    ...event,
    eventID: id,
    userIdentity: {
      ...event.userIdentity,
      sessionContext: {
        ...event.userIdentity.sessionContext,
        sessionIssuer: { arn: "arn:aws:iam::123456789012:role/hallpass/hp-alice-other" },
      },
    },
  };
}

function throttled() {
  return Object.assign(new Error("Rate exceeded"), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
  });
}

const cloudtrail = mockClient(CloudTrailClient);
afterEach(() => cloudtrail.reset());

async function collect(port: ReturnType<typeof createAwsCloudTrail>, q = query) {
  const out: CloudTrailEvent[] = [];
  for await (const events of port.grantEventPages(q)) out.push(...events);
  return out;
}

function port(timing: Timing, extra = {}) {
  return createAwsCloudTrail({ clientFor: () => new CloudTrailClient({}), timing, ...extra });
}

describe("AWS CloudTrail adapter", () => {
  it("looks up by Username in the window and keeps only the grant role's events", async () => {
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [lookupItem(fixture[0]!), lookupItem(otherRole(fixture[1]!, "not-this-grant"))],
    });
    const events = await collect(port(virtualTiming()));
    expect(events.map((e) => e.eventID)).toEqual([fixture[0]!.eventID]);
    const input = cloudtrail.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(input).toEqual({
      LookupAttributes: [{ AttributeKey: "Username", AttributeValue: "alice" }],
      StartTime: query.startTime,
      EndTime: query.endTime,
      MaxResults: 50,
    });
  });

  it("matches the issuer with or without the role's path", async () => {
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [lookupItem(fixture[0]!)] });
    const bare = {
      ...query,
      roleArns: ["arn:aws:iam::123456789012:role/hp-alice-db-admin-a1b2c3"],
    };
    expect(await collect(port(virtualTiming()), bare)).toHaveLength(1);
  });

  it("pages through NextToken to the end, at most 2 calls a second", async () => {
    const timing = virtualTiming();
    const callTimes: number[] = [];
    const pages = [fixture.slice(0, 3), fixture.slice(3, 5), fixture.slice(5)];
    cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      callTimes.push(timing.now());
      const index = input.NextToken ? Number(input.NextToken) : 0;
      return {
        Events: pages[index]!.map(lookupItem),
        ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}),
      };
    });
    const events = await collect(port(timing));
    expect(events.map((e) => e.eventID)).toEqual(fixture.map((e) => e.eventID));
    expect(callTimes).toEqual([0, 500, 1000]);
  });

  it("yields each page's events together, as one array a LookupEvents call", async () => {
    const pages = [fixture.slice(0, 3), fixture.slice(3, 5), fixture.slice(5)];
    cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      const index = input.NextToken ? Number(input.NextToken) : 0;
      return {
        Events: pages[index]!.map(lookupItem),
        ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}),
      };
    });
    const seen: string[][] = [];
    for await (const events of port(virtualTiming()).grantEventPages(query)) {
      seen.push(events.map((e) => e.eventID));
    }
    expect(seen).toEqual(pages.map((page) => page.map((e) => e.eventID)));
  });

  it("gives the events before a record it cannot read, then fails naming that record", async () => {
    const bad = { EventId: "bad-1", CloudTrailEvent: "{" };
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [...fixture.slice(0, 2).map(lookupItem), bad, ...fixture.slice(2, 3).map(lookupItem)],
    });
    const seen: string[][] = [];
    const read = (async () => {
      for await (const events of port(virtualTiming()).grantEventPages(query)) {
        seen.push(events.map((e) => e.eventID));
      }
    })();
    await expect(read).rejects.toThrow(/CloudTrail event bad-1 .* cannot be read/);
    expect(seen).toEqual([fixture.slice(0, 2).map((e) => e.eventID)]);
  });

  it("spaces calls of concurrent lookups in the same account and region", async () => {
    const timing = virtualTiming();
    const callTimes: number[] = [];
    cloudtrail.on(LookupEventsCommand).callsFake(() => {
      callTimes.push(timing.now());
      return { Events: [] };
    });
    const p = port(timing);
    await Promise.all([
      collect(p),
      collect(p),
      collect(p),
      collect(p, { ...query, region: "us-east-1" }),
    ]);
    // Three in eu-west-1 at 0, 500, 1000; the us-east-1 call does not wait for them.
    expect(callTimes.slice().sort((a, b) => a - b)).toEqual([0, 0, 500, 1000]);
  });

  it("backs off when throttled and asks for the same page again, losing no event", async () => {
    const timing = virtualTiming();
    const tokens: (string | undefined)[] = [];
    let call = 0;
    cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      tokens.push(input.NextToken);
      call++;
      if (call === 2 || call === 3) throw throttled();
      if (!input.NextToken) return { Events: fixture.slice(0, 4).map(lookupItem), NextToken: "p2" };
      return { Events: fixture.slice(4).map(lookupItem) };
    });
    const events = await collect(port(timing));
    expect(events).toHaveLength(fixture.length);
    expect(tokens).toEqual([undefined, "p2", "p2", "p2"]);
    // The spacing, then the longer of spacing and backoff: 500 ms, then 1000 ms with jitter
    // (0.5 -> 3/4 of it).
    expect(timing.slept).toEqual([500, 500, 750]);
  });

  it("gives up after the last attempt with an error that says where and what to do", async () => {
    cloudtrail.on(LookupEventsCommand).rejects(throttled());
    const p = port(virtualTiming(), { maxAttempts: 3 });
    await expect(collect(p)).rejects.toThrow(
      /LookupEvents failed in account production \(123456789012\), eu-west-1, for session alice after 3 attempts: ThrottlingException/,
    );
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(3);
  });

  it("keeps only the fields hallpass reads of the account stream's events, which the sweep holds until the stream ends", async () => {
    const record = { ...fixture[0]!, requestParameters: { policy: "x".repeat(5000) } };
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [lookupItem(record)] });
    const events: CloudTrailEvent[] = [];
    for await (const page of port(virtualTiming()).accountEventPages!({
      account,
      region: "eu-west-1",
      roleArns: query.roleArns,
      startTime: query.startTime,
      endTime: query.endTime,
    })) {
      events.push(...page.events);
    }
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty("requestParameters");
    expect(events[0]).not.toHaveProperty("userAgent");
    expect(events[0]!.userIdentity).not.toHaveProperty("accessKeyId");
    expect(events[0]).toMatchObject({
      eventID: record.eventID,
      eventTime: record.eventTime,
      userIdentity: {
        sessionContext: {
          sourceIdentity: "alice",
          sessionIssuer: { arn: record.userIdentity.sessionContext!.sessionIssuer!.arn },
        },
      },
    });
  });

  it("skips another principal's unreadable record in the account stream, but never one that names a watched role", async () => {
    // Another principal entirely (an IAM user), with a field of a type hallpass does not read.
    const odd = {
      eventVersion: "1.09",
      eventID: "someone-else",
      eventTime: fixture[5]!.eventTime,
      eventSource: "ec2.amazonaws.com",
      eventName: "DescribeInstances",
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/bob" },
      errorCode: 42,
    } as unknown as CloudTrailEvent;
    const stream = (events: CloudTrailEvent[]) => {
      cloudtrail.on(LookupEventsCommand).resolves({ Events: events.map(lookupItem) });
      return (async () => {
        const kept: CloudTrailEvent[] = [];
        for await (const page of port(virtualTiming()).accountEventPages!({
          account,
          region: "eu-west-1",
          roleArns: query.roleArns,
          startTime: query.startTime,
          endTime: query.endTime,
        })) {
          kept.push(...page.events);
        }
        return kept;
      })();
    };
    const kept = await stream([fixture[6]!, odd, fixture[1]!]);
    expect(kept.map((e) => e.eventID)).toEqual([fixture[6]!.eventID, fixture[1]!.eventID]);

    cloudtrail.reset();
    const oursOdd = { ...fixture[0]!, errorCode: 42 } as unknown as CloudTrailEvent;
    await expect(stream([fixture[6]!, oursOdd])).rejects.toThrow(/cannot be read/);
  });

  it("does not retry an access error", async () => {
    cloudtrail
      .on(LookupEventsCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    await expect(collect(port(virtualTiming()))).rejects.toThrow(/cloudtrail:LookupEvents/);
    expect(cloudtrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it("streams the account's events page by page without a lookup attribute, keeping the grants' and saying how far each page went", async () => {
    const timing = virtualTiming();
    const first = [fixture[6]!, otherRole(fixture[5]!, "someone-else")];
    const second = [fixture[1]!, fixture[0]!];
    let call = 0;
    cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      call++;
      if (call === 2) throw throttled();
      const list = input.NextToken ? second : first;
      return { Events: list.map(lookupItem), ...(input.NextToken ? {} : { NextToken: "p2" }) };
    });
    const seen: { ids: string[]; scanned: number; oldest: string | undefined; last: boolean }[] =
      [];
    for await (const page of port(timing).accountEventPages!({
      account,
      region: "eu-west-1",
      roleArns: query.roleArns,
      startTime: query.startTime,
      endTime: query.endTime,
    })) {
      seen.push({
        ids: page.events.map((e) => e.eventID),
        scanned: page.scanned,
        oldest: page.oldest,
        last: page.last,
      });
    }
    expect(seen).toEqual([
      { ids: [fixture[6]!.eventID], scanned: 2, oldest: fixture[5]!.eventTime, last: false },
      {
        ids: [fixture[1]!.eventID, fixture[0]!.eventID],
        scanned: 2,
        oldest: fixture[0]!.eventTime,
        last: true,
      },
    ]);
    const inputs = cloudtrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      StartTime: query.startTime,
      EndTime: query.endTime,
      MaxResults: 50,
    });
    // The throttled page is asked for again.
    expect(inputs.map((i) => i.NextToken)).toEqual([undefined, "p2", "p2"]);
  });

  it("refuses an event it cannot read instead of skipping it", async () => {
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [{ EventId: "broken-1", CloudTrailEvent: '{"eventID":"broken-1"}' }],
    });
    await expect(collect(port(virtualTiming()))).rejects.toThrow(/broken-1.*eventTime/);
  });

  it("for the audit, names an event it cannot read and reads on", async () => {
    cloudtrail.on(LookupEventsCommand).resolves({
      Events: [
        lookupItem(fixture[0]!),
        {
          EventId: "broken-1",
          EventTime: new Date("2026-11-26T09:30:00Z"),
          EventSource: "rds.amazonaws.com",
          EventName: "DeleteDBInstance",
          CloudTrailEvent: '{"eventID":"broken-1"}',
        },
        { EventId: "broken-2", CloudTrailEvent: "{not json" },
      ],
    });
    const unreadable: UnreadableEvent[] = [];
    const events = await collect(port(virtualTiming()), {
      ...query,
      onUnreadable: (e) => unreadable.push(e),
    });
    expect(events.map((e) => e.eventID)).toEqual([fixture[0]!.eventID]);
    expect(unreadable).toEqual([
      {
        eventID: "broken-1",
        eventTime: "2026-11-26T09:30:00Z",
        action: "rds:DeleteDBInstance",
        message: expect.stringContaining("eventTime"),
      },
      { eventID: "broken-2", message: expect.any(String) },
    ]);
  });
});

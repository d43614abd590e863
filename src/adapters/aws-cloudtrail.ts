import {
  CloudTrailClient,
  type CloudTrailClientConfig,
  LookupEventsCommand,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { STSClient } from "@aws-sdk/client-sts";
import {
  type CloudTrailEvent,
  compactCloudTrailEvent,
  eventTimeMs,
  normalizeRoleArn,
  parseCloudTrailEvent,
} from "../core/audit/cloudtrail-event.ts";
import type { UnreadableEvent } from "../core/audit/summarize-activity.ts";
import type { AccountTarget } from "../ports/aws.ts";
import type {
  AccountEventPage,
  AccountEventQuery,
  CloudTrailPort,
  GrantEventQuery,
} from "../ports/cloudtrail.ts";
import {
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  brokerCredentials,
} from "./broker-credentials.ts";
import { awsRequestHandler, type NetworkTimeouts } from "./network-timeouts.ts";

/**
 * The CloudTrail port on `LookupEvents`.
 *
 * CloudTrail allows 2 `LookupEvents` calls a second per account and region, and throttles the
 * whole account+region (the app's other callers included) past that. So the adapter spaces its
 * own calls per account+region, whatever the caller's concurrency, and when throttled anyway it
 * backs off exponentially (with jitter) and asks for the same page again: a page is never
 * skipped. Other errors and exhausted retries throw, so a summary is never built on part of
 * the events. The SDK's own retries are turned off so this is the one retry policy.
 *
 * Endpoints follow the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_CLOUDTRAIL).
 */

/** Time, injectable so tests and benches need not wait. */
export interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1): jitter for backoff. */
  random(): number;
}

export const realTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export interface AwsCloudTrailOptions {
  /** A client for an account and region. Default: `cloudTrailClientFactory`. */
  clientFor?: (account: AccountTarget, region: string) => Pick<CloudTrailClient, "send">;
  timing?: Timing;
  /** Calls a second per account and region. Default 2 (CloudTrail's limit). */
  requestsPerSecond?: number;
  /** Attempts per page when throttled or on a transient error. Default 8 (about 90 s of waiting). */
  maxAttempts?: number;
  /** First backoff in ms, doubled each attempt up to `maxBackoffMs`. Default 500. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** One `LookupEvents` page of a query, from its `NextToken` (undefined for the first). */
type PageReader = (
  query: GrantEventQuery | AccountEventQuery,
  nextToken: string | undefined,
) => Promise<LookupEventsCommandOutput>;

/** Builds the port. One client per account and region, reused. */
export function createAwsCloudTrail(options: AwsCloudTrailOptions = {}): CloudTrailPort {
  const page = pageReader(options);
  return {
    accountEventPages: (query) => accountEventPages(page, query),
    grantEventPages: (query) => grantEventPages(page, query),
  };
}

/**
 * Spaces calls per account+region key: each call takes the next slot, `spacing` ms after the
 * one before; `holdBack` pushes every caller of a key back after a throttle.
 */
function createPacer(timing: Timing, spacing: number) {
  /** account+region -> earliest time the next call may start. */
  const nextSlot = new Map<string, number>();
  return {
    async takeSlot(key: string): Promise<void> {
      const now = timing.now();
      const at = Math.max(now, nextSlot.get(key) ?? 0);
      nextSlot.set(key, at + spacing);
      if (at > now) await timing.sleep(at - now);
    },
    holdBack(key: string, wait: number): void {
      nextSlot.set(key, Math.max(nextSlot.get(key) ?? 0, timing.now() + wait));
    },
  };
}

/** Reads pages paced, with one client per account and region, retrying throttling. */
function pageReader(options: AwsCloudTrailOptions): PageReader {
  const timing = options.timing ?? realTiming;
  const pacer = createPacer(timing, 1000 / (options.requestsPerSecond ?? 2));
  const maxAttempts = options.maxAttempts ?? 8;
  const baseBackoff = options.baseBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const clientFor = options.clientFor ?? cloudTrailClientFactory({});
  const clients = new Map<string, Pick<CloudTrailClient, "send">>();

  function client(account: AccountTarget, region: string) {
    const key = `${account.id}|${region}`;
    let c = clients.get(key);
    if (!c) {
      c = clientFor(account, region);
      clients.set(key, c);
    }
    return c;
  }

  return async (query, nextToken) => {
    const key = `${query.account.id}|${query.region}`;
    const sessionName = "sessionName" in query ? query.sessionName : undefined;
    for (let attempt = 1; ; attempt++) {
      await pacer.takeSlot(key);
      try {
        return await client(query.account, query.region).send(
          new LookupEventsCommand({
            ...(sessionName !== undefined
              ? { LookupAttributes: [{ AttributeKey: "Username", AttributeValue: sessionName }] }
              : {}),
            StartTime: query.startTime,
            EndTime: query.endTime,
            MaxResults: 50,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
      } catch (error) {
        if (!isRetryable(error) || attempt >= maxAttempts) {
          throw new Error(
            `CloudTrail LookupEvents failed in account ${query.account.name} (${query.account.id}), ${query.region}, ${sessionName !== undefined ? `for session ${sessionName}` : "for all of the account's events"}` +
              `${attempt > 1 ? ` after ${attempt} attempts` : ""}: ${describe(error)}. ` +
              "Check that the broker role allows cloudtrail:LookupEvents; the sweep tries again on its next run.",
            { cause: error },
          );
        }
        const delay = Math.min(maxBackoff, baseBackoff * 2 ** (attempt - 1));
        // Hold every caller of this account+region back, not only this one.
        pacer.holdBack(key, delay / 2 + timing.random() * (delay / 2));
      }
    }
  };
}

/** The event of a page item whose record was parsed, or an error naming the event. */
function readEvent(
  query: GrantEventQuery | AccountEventQuery,
  item: { EventId?: string; CloudTrailEvent?: string },
  parsed = parseCloudTrailEvent(item.CloudTrailEvent ?? ""),
): CloudTrailEvent {
  if (!parsed.ok) {
    throw new Error(
      `CloudTrail event ${item.EventId ?? "(no id)"} in ${query.account.id}/${query.region} cannot be read: ${parsed.message}`,
    );
  }
  return parsed.event;
}

async function* accountEventPages(
  page: PageReader,
  query: AccountEventQuery,
): AsyncIterable<AccountEventPage> {
  const isOurs = issuerFilter(query.roleArns);
  const roleNames = query.roleArns.map((arn) => arn.slice(arn.lastIndexOf("/") + 1));
  let token: string | undefined;
  do {
    const out = await page(query, token);
    const events = [];
    let oldest: string | undefined;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const item of out.Events ?? []) {
      // The stream carries every principal's events. One odd record of someone else's must
      // not stop the watch of the grants; one that names a watched role is still read
      // strictly, and stops the stream if it cannot be (never lose a grant's event).
      const text = item.CloudTrailEvent ?? "";
      const parsed = parseCloudTrailEvent(text);
      if (!parsed.ok && !roleNames.some((name) => text.includes(name))) continue;
      const event = readEvent(query, item, parsed);
      const ms = eventTimeMs(event.eventTime);
      if (ms < oldestMs) {
        oldestMs = ms;
        oldest = event.eventTime;
      }
      // The sweep holds a stream's events until it ends: only what hallpass reads.
      if (isOurs(event)) events.push(compactCloudTrailEvent(event));
    }
    yield { events, scanned: out.Events?.length ?? 0, oldest, last: !out.NextToken };
    token = out.NextToken;
  } while (token);
}

async function* grantEventPages(
  page: PageReader,
  query: GrantEventQuery,
): AsyncIterable<readonly CloudTrailEvent[]> {
  const isOurs = issuerFilter(query.roleArns);
  let token: string | undefined;
  do {
    const out = await page(query, token);
    const events: CloudTrailEvent[] = [];
    for (const item of out.Events ?? []) {
      const parsed = parseCloudTrailEvent(item.CloudTrailEvent ?? "");
      if (!parsed.ok && query.onUnreadable) {
        query.onUnreadable(unreadableOf(item, parsed.message));
        continue;
      }
      // The page's events before a record that cannot be read are given first, so that the
      // watch judges them before the lookup fails on it (readEvent throws, naming it).
      if (!parsed.ok && events.length > 0) yield events.splice(0);
      const event = readEvent(query, item, parsed);
      if (isOurs(event)) events.push(event);
    }
    yield events;
    token = out.NextToken;
  } while (token);
}

/** What LookupEvents' own fields say of an event whose record cannot be read. */
function unreadableOf(
  item: { EventId?: string; EventTime?: Date; EventSource?: string; EventName?: string },
  message: string,
): UnreadableEvent {
  const time = item.EventTime;
  return {
    eventID: item.EventId ?? "(no id)",
    ...(time && !Number.isNaN(time.getTime())
      ? { eventTime: time.toISOString().replace(/\.000Z$/, "Z") }
      : {}),
    ...(item.EventSource && item.EventName
      ? { action: `${item.EventSource.replace(/\.amazonaws\.com$/, "")}:${item.EventName}` }
      : {}),
    message,
  };
}

/**
 * Whether an event's session issuer is one of `roleArns` (compared without the role path).
 * The issuer's ARN is the same on nearly every event of a stream, so it is normalised again
 * only when it changes: a regular expression per event showed in a million-event profile.
 */
function issuerFilter(roleArns: readonly string[]): (event: CloudTrailEvent) => boolean {
  const issuers = new Set(roleArns.map(normalizeRoleArn));
  let lastArn: string | undefined;
  let lastOurs = false;
  return (event) => {
    const arn = event.userIdentity.sessionContext?.sessionIssuer?.arn;
    if (arn === undefined) return false;
    if (arn !== lastArn) {
      lastArn = arn;
      lastOurs = issuers.has(normalizeRoleArn(arn));
    }
    return lastOurs;
  };
}

function isRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (e.name === "ThrottlingException" || e.name === "TooManyRequestsException") return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export interface CloudTrailClientFactoryOptions {
  /** The action's own credentials, used to assume broker roles. Default: the SDK's chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Session name on the broker role, so CloudTrail shows who read. Default `hallpass-action`. */
  brokerSessionName?: string;
  /** Connect and request timeouts of every STS and CloudTrail call. Default DEFAULT_NETWORK_TIMEOUTS. */
  timeouts?: NetworkTimeouts;
  clientConfig?: Pick<CloudTrailClientConfig, "requestHandler" | "logger">;
}

/**
 * Production clients: each account's broker role is assumed once (renewed before it expires) and
 * its credentials serve every region of that account.
 */
export function cloudTrailClientFactory(
  options: CloudTrailClientFactoryOptions,
): (account: AccountTarget, region: string) => Pick<CloudTrailClient, "send"> {
  const requestHandler = awsRequestHandler(options.timeouts);
  const sts = new STSClient({
    region: "us-east-1",
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler,
    ...(options.clientConfig ?? {}),
  });
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  return (account, region) => {
    let credentials = providers.get(account.brokerRole);
    if (!credentials) {
      credentials = brokerCredentials(sts, account, options.brokerSessionName ?? "hallpass-action");
      providers.set(account.brokerRole, credentials);
    }
    return new CloudTrailClient({
      region,
      credentials,
      maxAttempts: 1,
      requestHandler,
      ...(options.clientConfig ?? {}),
    });
  };
}

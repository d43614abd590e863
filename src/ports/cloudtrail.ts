import type { CloudTrailEvent } from "../core/audit/cloudtrail-event.ts";
import type { UnreadableEvent } from "../core/audit/summarize-activity.ts";
import type { AccountTarget } from "./aws.ts";

/**
 * The CloudTrail events of grant sessions with one session name, in one region of one account.
 * Several grants of the same person share the session name, so one lookup serves them all.
 */
export interface GrantEventQuery {
  account: AccountTarget;
  region: string;
  /** The role session name the grant requires: CloudTrail's `Username` for the session. */
  sessionName: string;
  /**
   * Only events whose `userIdentity.sessionContext.sessionIssuer.arn` is one of these roles are
   * kept (compared without the role path); `issuerRoleOf` tells them apart.
   */
  roleArns: string[];
  /** Inclusive. */
  startTime: Date;
  /** Inclusive too: LookupEvents returns events "before or at" its EndTime. */
  endTime: Date;
  /**
   * When given, an event whose record cannot be read is passed here and skipped; without it,
   * such an event ends the iteration with an error (the watch judges a grant only on all of
   * its events). The audit passes it, so one bad record never blocks a grant's summary.
   */
  onUnreadable?: (event: UnreadableEvent) => void;
}

/** Every event of an account and region (no lookup attribute), for many grants at once. */
export interface AccountEventQuery {
  account: AccountTarget;
  region: string;
  /** Only events whose session issuer is one of these roles are kept (compared without path). */
  roleArns: string[];
  /** Inclusive. */
  startTime: Date;
  /** Inclusive too: LookupEvents returns events "before or at" its EndTime. */
  endTime: Date;
}

/** One `LookupEvents` page of an account-wide query. */
export interface AccountEventPage {
  /** The page's events whose session issuer is one of the query's roles. */
  events: CloudTrailEvent[];
  /** How many events the page held, kept or not. */
  scanned: number;
  /**
   * `eventTime` of the oldest event on the page, kept or not (undefined for an empty page).
   * Pages come newest first, so once a page is read every event later than this was seen.
   */
  oldest: string | undefined;
  /** True on the stream's last page (no `NextToken`): everything in the window was read. */
  last: boolean;
}

/**
 * What hallpass needs from CloudTrail. The SDK adapter (`src/adapters/aws-cloudtrail.ts`) keeps
 * to `LookupEvents`' limits (2 requests a second per account and region, 50 events a page, one
 * lookup attribute a call), pages to the end, and retries throttling with backoff.
 */
export interface CloudTrailPort {
  /**
   * Streams every event of the query a `LookupEvents` page at a time (the page's events of the
   * query's roles), in CloudTrail's order (newest first). Either every page is yielded or the
   * iteration throws: a caller that sees no error has seen them all, and must discard what it
   * tallied when it does see one. Pages rather than single events: an async iteration step per
   * event cost about a sixth of a million-event audit's time.
   */
  grantEventPages(query: GrantEventQuery): AsyncIterable<readonly CloudTrailEvent[]>;
  /**
   * Optional: the account's events in a region page by page, newest first, without a lookup
   * attribute (one stream serves every grant of the account; its cost grows with all of the
   * account's activity, not with the number of grants). The caller may stop after any page:
   * then it has seen every event later than that page's `oldest`. Throws like `grantEventPages`.
   */
  accountEventPages?(query: AccountEventQuery): AsyncIterable<AccountEventPage>;
}

import type { CloudTrailEvent } from "../core/cloudtrail-event.ts";
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
  /** Exclusive. */
  endTime: Date;
}

/**
 * What hallpass needs from CloudTrail. The SDK adapter (`src/adapters/aws-cloudtrail.ts`) keeps
 * to `LookupEvents`' limits (2 requests a second per account and region, 50 events a page, one
 * lookup attribute a call), pages to the end, and retries throttling with backoff.
 */
export interface CloudTrailPort {
  /**
   * Streams every event of the query, page by page, in CloudTrail's order (newest first).
   * Either every event is yielded or the iteration throws: a caller that sees no error has
   * seen them all, and must discard what it tallied when it does see one.
   */
  grantEvents(query: GrantEventQuery): AsyncIterable<CloudTrailEvent>;
}

/**
 * The ONE revoke routine, used by the app (early release, extension, a grant rolled back) and
 * by the scheduled action (expiry, alerts, drift). Every step can be re-run from any point: a
 * step whose target is already gone (`NoSuchEntity`) counts as done, and the record is written
 * only if it is not there yet.
 */

import { describeRoleMismatch, type ExpectedRole } from "../core/grant/check-revocation-target.ts";
import { parseRevocation } from "../core/grant/parse-grant-record.ts";
import { planRevocation, REVOKE_POLICY_NAME } from "../core/grant/plan-revocation.ts";
import type { RevocationRecord } from "../core/grant/records.ts";
import { recordPath } from "../core/request/record-paths.ts";
import { errorMessage } from "../core/text/error-message.ts";
import type { AccountTarget, AwsPort } from "../ports/aws.ts";
import type { GitHubPort } from "../ports/github.ts";

/** What to revoke, and why: the shape the sweep's `RevokeGrantFn` passes. */
export interface RevokeRequest {
  account: AccountTarget;
  roleName: string;
  roleArn: string;
  /**
   * What the role found by `roleName` must be (its ARN is `roleArn`): from the grant record
   * (`expectedGrantRole`) or from the sweep's listing (`expectedListedRole`). A role that is not
   * it is left untouched and `RoleMismatchError` is thrown.
   */
  expected: ExpectedRole;
  /** The request path the revocation record is committed next to. */
  requestPath: string;
  reason: RevocationRecord["reason"];
  detail: string;
  now: Date;
  /** GitHub login of who asked, or hallpass-app / hallpass-action. Default: the deps' actor. */
  revokedBy?: string;
  /**
   * Write the record only, without touching AWS: for a role of that name that hallpass did not
   * make (a grant that found a conflicting role is rolled back in git only).
   */
  recordOnly?: boolean;
}

export interface RevokeDeps {
  github: GitHubPort;
  aws: AwsPort;
  /** Who revokes when the request names nobody: `hallpass-app` or `hallpass-action`. */
  actor: string;
  /** Branch the record is committed on. Default: the repository's default branch. */
  branch?: string;
}

export interface RevokeResult {
  /** False when the role was already gone before this run started its removal. */
  roleWasPresent: boolean;
  /** The record as committed, or as found when an earlier run had committed it. */
  record: RevocationRecord;
  /** True when this run committed the record. */
  recorded: boolean;
}

/**
 * Revokes a grant role and records it in git:
 * 1. look the role up, and stop with nothing changed if it is not the role expected (ARN, tags,
 *    see check-revocation-target.ts); 2. put the AWSRevokeOlderSessions-style deny (extended to sessions
 *    issued later), so every session stops at once (IAM keeps honouring a deleted role's
 *    sessions until they refresh; the deny does not wait); 3. commit
 *    `<request>.revocation.json` unless it is there already (tried twice), so that a merge
 *    event redelivered meanwhile sees the revocation and does not grant again;
 * 4. delete the other inline policies, detach the managed policies, then the deny itself;
 * 5. delete the role.
 * Taking the access away never waits for git: the deny of step 2 already ends it. When the
 * record cannot be committed, the role is kept with that deny (deleted unrecorded, a redelivered
 * merge could create it again) and the error is thrown. Calling it again continues where it
 * stopped.
 */
export async function revokeGrant(deps: RevokeDeps, request: RevokeRequest): Promise<RevokeResult> {
  const revocation = planRevocation(request.now);
  const { roleName } = request;

  const store = request.recordOnly ? undefined : deps.aws.grantStore(request.account);
  // Look first: the broker may change only roles that carry the boundary, so IAM answers a
  // change to a role that no longer exists with AccessDenied rather than NoSuchEntity.
  const found = store ? await store.getRole(roleName) : undefined;
  if (found) {
    const differences = describeRoleMismatch(found, request.roleArn, request.expected);
    if (differences.length > 0) throw new RoleMismatchError(request, differences);
  }
  const present = found !== undefined;
  const put = present
    ? await store?.putInlinePolicy(roleName, revocation.policyName, revocation.document)
    : "absent";
  const roleWasPresent = put === "put";

  let recorded: { record: RevocationRecord; recorded: boolean } | undefined;
  let recordError: unknown;
  for (let attempt = 1; attempt <= 2 && !recorded; attempt++) {
    try {
      recorded = await recordRevocation(deps, request, revocation.revokedAt);
    } catch (error) {
      recordError ??= error;
      if (attempt === 2) {
        if (!roleWasPresent) {
          throw new Error(
            `${request.roleArn}: its revocation record could not be committed (${errorMessage(error)}; first attempt: ${errorMessage(recordError)}); run the revocation again to record it`,
            { cause: error },
          );
        }
        // The role stays, with the deny of every session: deleted without a record, it could be
        // created again by a redelivered merge event, whose grant record says it should exist.
        throw new Error(
          `${request.roleArn}: every session of it is denied, but its revocation record could not be committed (${errorMessage(error)}; first attempt: ${errorMessage(recordError)}); run the revocation again to record it and delete the role`,
          { cause: error },
        );
      }
    }
  }

  if (store && roleWasPresent) {
    try {
      for (const name of (await store.listInlinePolicies(roleName)) ?? []) {
        if (name !== REVOKE_POLICY_NAME) await store.deleteInlinePolicy(roleName, name);
      }
      for (const arn of (await store.listAttachedPolicies(roleName)) ?? []) {
        await store.detachManagedPolicy(roleName, arn);
      }
      // IAM refuses to delete a role that still has policies: the deny goes last, just before.
      await store.deleteInlinePolicy(roleName, REVOKE_POLICY_NAME);
      await store.deleteRole(roleName);
    } catch (error) {
      // Another revoker (the sweep, a second command) may have deleted the role meanwhile, and
      // IAM then answers AccessDenied rather than NoSuchEntity (see above): gone is done.
      if ((await store.getRole(roleName)) !== undefined) {
        // Still there, perhaps without its deny (removed just before DeleteRole): put it back,
        // so a role recorded as revoked denies every session until a re-run deletes it.
        await store
          .putInlinePolicy(roleName, revocation.policyName, revocation.document)
          .catch(() => undefined);
        throw error;
      }
    }
  }

  if (!recorded) throw new Error("unreachable: the revocation is recorded or has thrown");
  return { roleWasPresent, ...recorded };
}

/**
 * The role found by the record's name is not the grant's (another grant's, another
 * repository's, or made again since it was listed): nothing was denied, deleted or recorded.
 * A person must find out whether the record or the role was changed.
 */
export class RoleMismatchError extends Error {
  override name = "RoleMismatchError";
  readonly differences: string[];
  constructor(request: RevokeRequest, differences: string[]) {
    super(
      `role ${request.roleName} in account ${request.account.name} (${request.account.id}) is not the role ${request.requestPath} names (${request.roleArn}): ${differences.join("; ")}. Nothing was denied, deleted or recorded; find out whether the record or the role was changed (git history, CloudTrail) before revoking by hand.`,
    );
    this.differences = differences;
  }
}

/** Commits the revocation record unless one for this role is there already. */
async function recordRevocation(
  deps: RevokeDeps,
  request: RevokeRequest,
  revokedAt: string,
): Promise<{ record: RevocationRecord; recorded: boolean }> {
  const branch = deps.branch ?? (await deps.github.getDefaultBranch());
  const path = recordPath(request.requestPath, "revocation");
  const existing = parseRevocation(await deps.github.getFile(branch, path));
  if (existing?.roleArn === request.roleArn) return { record: existing, recorded: false };
  const record: RevocationRecord = {
    version: 1,
    requestPath: request.requestPath,
    roleArn: request.roleArn,
    revokedAt,
    reason: request.reason,
    revokedBy: request.revokedBy ?? deps.actor,
    ...(request.detail ? { detail: request.detail } : {}),
  };
  await deps.github.commitFiles(
    branch,
    [{ path, content: `${JSON.stringify(record, null, 2)}\n` }],
    `hallpass: revoke ${request.requestPath} (${request.reason})\n\n${request.detail || "Revoked."}\nRole: ${request.roleArn}`,
  );
  return { record, recorded: true };
}

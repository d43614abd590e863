/**
 * The names hallpass writes into AWS: the IAM path of every grant role and the tags that tie a
 * role back to its request in git. A contract with the sweeper: add keys, never rename.
 */

/** The IAM path every grant role is created under. The broker may create roles only here. */
export const GRANT_ROLE_PATH = "/hallpass/";

/**
 * Tag keys on every grant role. Values are plain strings; times are ISO-8601 UTC to the second
 * (`2026-11-27T09:00:00Z`). This list is a contract with the sweeper: add keys, never rename.
 */
export const GRANT_TAGS = {
  /** Always `hallpass`: marks a role created by hallpass. */
  managedBy: "hallpass:managed-by",
  /** `owner/repo` of the access repository the request lives in. */
  repository: "hallpass:repository",
  /** Repository-relative path of the request file (`access-requests/team/alice-db.yaml`). */
  request: "hallpass:request",
  /** Number of the pull request that added the request. */
  pullRequest: "hallpass:pull-request",
  /** SHA of the merge commit the grant was made for. */
  mergeCommit: "hallpass:merge-commit",
  /** GitHub login of the requester (also the required sts:SourceIdentity). */
  requester: "hallpass:requester",
  /** Name of the requested role in policies/. */
  role: "hallpass:role",
  /** Name of the account in policies/. */
  account: "hallpass:account",
  /** When the window starts (UTC, to the second). */
  startsAt: "hallpass:starts-at",
  /** When the window ends (UTC, to the second): the expiry written in the role's policies. */
  expiresAt: "hallpass:expires-at",
  /** `true` for a break-glass grant, else `false`. */
  emergency: "hallpass:emergency",
  /** Request path of the grant this one replaces (only on extensions). */
  extends: "hallpass:extends",
} as const;

/** The value of the `hallpass:managed-by` tag. */
export const MANAGED_BY = "hallpass";

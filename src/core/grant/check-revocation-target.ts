import { GRANT_TAGS, MANAGED_BY } from "./grant-tags.ts";
import type { GrantRecord } from "./records.ts";

/**
 * A record names a role; the role must answer to the record. Revocation finds a role by the
 * name a record (or the sweep's listing) gives, and whoever can write records or tags could
 * point that name at another live grant's role or at another repository's. Before any deny or
 * delete, the role found is compared with what the caller expects of it; any difference stops
 * the revocation with nothing changed.
 */

/** What the role found by name must be before it is denied or deleted. */
export interface ExpectedRole {
  /** Tags the role must carry with exactly these values; `undefined`: the tag must be absent. */
  tags: Readonly<Record<string, string | undefined>>;
  /**
   * Tags that must carry these values when the role has them (roles made before hallpass wrote
   * them, or made without a repository, lack them).
   */
  tagsIfPresent?: Readonly<Record<string, string>>;
  /** When IAM says the role was created: a role deleted and made again under the name differs. */
  createdAt?: string;
}

/** The role as IAM returns it by name (`GrantRole` fits). */
export interface FoundRole {
  roleArn: string;
  createdAt: string;
  tags: Readonly<Record<string, string>>;
}

/** The tags that say whose a role is; the others (expiry, role) are the sweep's drift checks. */
const IDENTITY_TAGS = [
  GRANT_TAGS.managedBy,
  GRANT_TAGS.repository,
  GRANT_TAGS.request,
  GRANT_TAGS.pullRequest,
  GRANT_TAGS.mergeCommit,
  GRANT_TAGS.requester,
] as const;

/**
 * What a grant's role must carry, from its record: made by hallpass for this request at this
 * merge commit, and (when the role carries them) for this pull request in this repository.
 */
export function expectedGrantRole(grant: {
  requestPath: string;
  mergeCommit: string;
  pullRequest?: number;
  repository?: string;
}): ExpectedRole {
  return {
    tags: {
      [GRANT_TAGS.managedBy]: MANAGED_BY,
      [GRANT_TAGS.request]: grant.requestPath,
      [GRANT_TAGS.mergeCommit]: grant.mergeCommit,
    },
    tagsIfPresent: {
      ...(grant.pullRequest !== undefined
        ? { [GRANT_TAGS.pullRequest]: String(grant.pullRequest) }
        : {}),
      ...(grant.repository !== undefined ? { [GRANT_TAGS.repository]: grant.repository } : {}),
    },
  };
}

/** What the role of a grant record must carry (`expectedGrantRole`), made from `repository`. */
export function expectedRoleOfRecord(record: GrantRecord, repository: string): ExpectedRole {
  return expectedGrantRole({
    requestPath: record.requestPath,
    mergeCommit: record.pullRequest.mergeCommit,
    pullRequest: record.pullRequest.number,
    repository,
  });
}

/**
 * What a role the sweep listed and decided about must still be when it is revoked: the same
 * identity tags (present or absent) and the same creation time, so a role swapped in under the
 * name since the listing is not taken for it.
 */
export function expectedListedRole(role: FoundRole): ExpectedRole {
  return {
    tags: Object.fromEntries(IDENTITY_TAGS.map((key) => [key, role.tags[key]])),
    createdAt: role.createdAt,
  };
}

/** GitHub's owner and repository names are case-insensitive; every other tag is exact. */
function sameValue(key: string, a: string, b: string): boolean {
  return key === GRANT_TAGS.repository ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * How the role found by name differs from the role expected, or [] when it is that role. The
 * ARN is compared exactly (the path is part of it), then each expected tag, then the creation
 * time.
 */
export function describeRoleMismatch(
  found: FoundRole,
  expectedArn: string,
  expected: ExpectedRole,
): string[] {
  const differences: string[] = [];
  if (found.roleArn !== expectedArn) differences.push(`its ARN is ${found.roleArn}`);
  for (const [key, want] of Object.entries(expected.tags)) {
    const have = found.tags[key];
    if (want === undefined && have !== undefined) {
      differences.push(`it carries ${key}=${have}, expected no such tag`);
    } else if (want !== undefined && have === undefined) {
      differences.push(`it has no ${key} tag, expected ${want}`);
    } else if (want !== undefined && have !== undefined && !sameValue(key, have, want)) {
      differences.push(`its ${key} tag is ${have}, expected ${want}`);
    }
  }
  for (const [key, want] of Object.entries(expected.tagsIfPresent ?? {})) {
    const have = found.tags[key];
    if (have !== undefined && !sameValue(key, have, want)) {
      differences.push(`its ${key} tag is ${have}, expected ${want}`);
    }
  }
  const created = expected.createdAt;
  if (created !== undefined && Date.parse(found.createdAt) !== Date.parse(created)) {
    differences.push(`it was created at ${found.createdAt}, not ${created} (made again since)`);
  }
  return differences;
}

import type { RoleDocuments } from "../core/grant/digest-grant-plan.ts";
import type { GrantPlan } from "../core/grant/plan-grant.ts";

export { GRANT_ROLE_PATH, GRANT_TAGS, MANAGED_BY } from "../core/grant/grant-tags.ts";

/**
 * What hallpass needs from AWS: per account, a store of grant roles reached through that
 * account's broker role. The SDK adapter (`src/adapters/aws-iam.ts`) implements it with IAM and
 * STS; tests use fakes that can also fail. Every method either returns data or throws.
 *
 * Every grant role lives under the path `/hallpass/` and carries the tags below, so the
 * scheduled sweeper can find every live grant from AWS alone and tie it back to git
 * (`src/core/grant/grant-tags.ts`).
 */

/** A grant role as listed from IAM: enough for the sweeper to decide what to do with it. */
export interface GrantRole {
  roleName: string;
  roleArn: string;
  /** IAM path, `/hallpass/` for every grant role. */
  path: string;
  /** ISO-8601 creation time as IAM reports it. */
  createdAt: string;
  /** Every tag on the role (see GRANT_TAGS for the keys hallpass writes). */
  tags: Record<string, string>;
  /**
   * What the role holds (documents URL-decoded), filled by `listGrantRoles` so the sweep can
   * compare each role with its grant record's digest. `getRole` may leave it out.
   */
  documents?: RoleDocuments;
}

/** How many roles an account holds and how many IAM allows (`GetAccountSummary`). */
export interface RoleQuota {
  roles: number;
  quota: number;
}

/** Result of a step that removes something: `removed`, or `absent` when it was already gone. */
export type RemovalResult = "removed" | "absent";

/** The result of ensuring a role from a plan. */
export interface EnsureRoleResult {
  roleArn: string;
  /** True when this call created the role; false when it found the same grant's role. */
  created: boolean;
  /**
   * What an existing role of the same grant held beyond or against the plan and was put back
   * (`inline policy x removed`, `trust policy re-put`); empty or absent when nothing differed.
   */
  corrected?: string[];
}

/**
 * The grant roles of one AWS account, reached through its broker role.
 *
 * Idempotency contract: `ensureRole` may be called any number of times with the same plan and
 * always converges on the planned role. Every removal step treats IAM's `NoSuchEntity` as done
 * and reports `absent`, so a revocation can be re-run from any point.
 */
export interface GrantStore {
  /** The 12-digit id of the account this store acts in. */
  readonly accountId: string;

  /**
   * Makes the role described by `plan` exist, exactly as planned: creates it (with trust
   * policy, permissions boundary, tags and maximum session length), or, when a role of that name
   * already exists for the same request and merge commit (tags), brings it back to the plan;
   * then puts every inline policy and attaches every managed policy.
   * Throws `GrantConflictError` when a role of that name belongs to something else.
   */
  ensureRole(plan: GrantPlan): Promise<EnsureRoleResult>;

  /** The grant role of that name with its tags, or undefined when it does not exist. */
  getRole(roleName: string): Promise<GrantRole | undefined>;

  /** Every role under `/hallpass/` with its tags and `documents` (all pages). */
  listGrantRoles(): Promise<GrantRole[]>;

  /** How many roles the account holds and its quota, to refuse a grant that would not fit. */
  getRoleQuota(): Promise<RoleQuota>;

  /** Puts (creates or replaces) one inline policy. `absent` when the role does not exist. */
  putInlinePolicy(
    roleName: string,
    policyName: string,
    document: string,
  ): Promise<"put" | "absent">;
  /** Names of the role's inline policies, or undefined when the role does not exist. */
  listInlinePolicies(roleName: string): Promise<string[] | undefined>;
  deleteInlinePolicy(roleName: string, policyName: string): Promise<RemovalResult>;
  /** ARNs of the managed policies attached to the role, or undefined when it does not exist. */
  listAttachedPolicies(roleName: string): Promise<string[] | undefined>;
  detachManagedPolicy(roleName: string, policyArn: string): Promise<RemovalResult>;
  deleteRole(roleName: string): Promise<RemovalResult>;
}

/** The account a store is wanted for: its id and the broker role to assume there. */
export interface AccountTarget {
  /** Name in policies/, for messages. */
  name: string;
  id: string;
  /** ARN of the broker role (policies/ `accounts.<name>.brokerRole`). */
  brokerRole: string;
}

/** Hands out the grant store of an account. Credentials come from assuming its broker role. */
export interface AwsPort {
  grantStore(account: AccountTarget): GrantStore;
}

/**
 * A role with the planned name exists but was not made for this grant (other request, other
 * merge commit, or no hallpass tags). hallpass never takes over or changes such a role.
 */
export class GrantConflictError extends Error {
  readonly roleName: string;
  constructor(roleName: string, message: string) {
    super(message);
    this.name = "GrantConflictError";
    this.roleName = roleName;
  }
}

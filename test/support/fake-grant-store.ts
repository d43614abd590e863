import {
  holdsRevocationDeny,
  onlyDenies,
  type RoleDocuments,
} from "../../src/core/grant/digest-grant-plan.ts";
import type { GrantPlan } from "../../src/core/grant/plan-grant.ts";
import { REVOKE_POLICY_NAME } from "../../src/core/grant/plan-revocation.ts";
import {
  type AccountTarget,
  type AwsPort,
  type EnsureRoleResult,
  GRANT_TAGS,
  GrantConflictError,
  type GrantRole,
  type GrantStore,
  type RoleQuota,
} from "../../src/ports/aws.ts";

/** A role held by the fake: what IAM would hold. */
export interface HeldRole extends GrantRole {
  trustPolicy: string;
  permissionsBoundary: string | undefined;
  inline: Map<string, string>;
  managed: Set<string>;
}

/**
 * In-memory AWS for workflow tests, with the GrantStore contract's semantics (ensureRole
 * converges, removals report `absent`). Every method can be told to fail, once or more, so a
 * test can stop a grant or a revocation at any step and run it again.
 */
export class FakeAwsAccounts implements AwsPort {
  readonly roles = new Map<string, HeldRole>();
  readonly calls: string[] = [];
  quota = 1000;
  otherRoles = 0;
  /** When set, a created role's creation time (else a fixed one). */
  clock: (() => Date) | undefined;
  readonly #failures: { method: string; error: Error; times: number }[] = [];

  fail(method: keyof GrantStore | "grantStore", error?: Error, times = 1): this {
    this.#failures.push({ method, error: error ?? new Error(`${method} failed`), times });
    return this;
  }

  role(name: string): HeldRole | undefined {
    return this.roles.get(name);
  }

  #call(method: string): void {
    this.calls.push(method);
    const failure = this.#failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times -= 1;
      throw failure.error;
    }
  }

  grantStore(account: AccountTarget): GrantStore {
    this.#call("grantStore");
    const fake = this;
    const call = (method: string) => this.#call(method);
    const held = (name: string) => this.roles.get(name);
    return {
      accountId: account.id,
      async ensureRole(plan: GrantPlan): Promise<EnsureRoleResult> {
        call("ensureRole");
        const existing = held(plan.roleName);
        if (
          existing &&
          (existing.tags[GRANT_TAGS.request] !== plan.tags[GRANT_TAGS.request] ||
            existing.tags[GRANT_TAGS.mergeCommit] !== plan.tags[GRANT_TAGS.mergeCommit])
        ) {
          throw new GrantConflictError(
            plan.roleName,
            `role ${plan.roleName} belongs to another grant`,
          );
        }
        const role: HeldRole = existing ?? {
          roleName: plan.roleName,
          roleArn: `arn:aws:iam::${plan.accountId}:role${plan.rolePath}${plan.roleName}`,
          path: plan.rolePath,
          createdAt: fake.clock
            ? fake.clock().toISOString().replace(".000Z", "Z")
            : "2026-11-26T10:00:01Z",
          tags: {},
          trustPolicy: "",
          permissionsBoundary: undefined,
          inline: new Map(),
          managed: new Set(),
        };
        // Like the adapter: what was added by hand to the same grant's role is removed and told.
        const corrected: string[] = [];
        for (const name of [...role.inline.keys()]) {
          if (Object.hasOwn(plan.inlinePolicies, name)) continue;
          if (name === REVOKE_POLICY_NAME && holdsRevocationDeny(documentsOf(role))) continue;
          if (onlyDenies(role.inline.get(name) ?? "")) {
            corrected.push(`inline policy ${name} kept: added by hand, it only denies`);
            continue;
          }
          role.inline.delete(name);
          corrected.push(`inline policy ${name} removed`);
        }
        for (const arn of [...role.managed]) {
          if (plan.managedPolicyArns.includes(arn)) continue;
          role.managed.delete(arn);
          corrected.push(`managed policy ${arn} detached`);
        }
        role.trustPolicy = plan.trustPolicy;
        role.permissionsBoundary = plan.permissionsBoundary;
        role.tags = { ...plan.tags };
        for (const [name, doc] of Object.entries(plan.inlinePolicies)) role.inline.set(name, doc);
        for (const arn of plan.managedPolicyArns) role.managed.add(arn);
        fake.roles.set(plan.roleName, role);
        return existing
          ? { roleArn: role.roleArn, created: false, corrected }
          : { roleArn: role.roleArn, created: true };
      },
      async getRole(roleName: string) {
        call("getRole");
        const role = held(roleName);
        return role ? strip(role) : undefined;
      },
      async listGrantRoles() {
        call("listGrantRoles");
        return [...fake.roles.values()].map((role) => ({
          ...strip(role),
          documents: documentsOf(role),
        }));
      },
      async getRoleQuota(): Promise<RoleQuota> {
        call("getRoleQuota");
        return { roles: fake.roles.size + fake.otherRoles, quota: fake.quota };
      },
      async putInlinePolicy(roleName: string, policyName: string, document: string) {
        call("putInlinePolicy");
        const role = held(roleName);
        if (!role) return "absent";
        role.inline.set(policyName, document);
        return "put";
      },
      async listInlinePolicies(roleName: string) {
        call("listInlinePolicies");
        const role = held(roleName);
        return role ? [...role.inline.keys()] : undefined;
      },
      async deleteInlinePolicy(roleName: string, policyName: string) {
        call("deleteInlinePolicy");
        return held(roleName)?.inline.delete(policyName) ? "removed" : "absent";
      },
      async listAttachedPolicies(roleName: string) {
        call("listAttachedPolicies");
        const role = held(roleName);
        return role ? [...role.managed] : undefined;
      },
      async detachManagedPolicy(roleName: string, arn: string) {
        call("detachManagedPolicy");
        return held(roleName)?.managed.delete(arn) ? "removed" : "absent";
      },
      async deleteRole(roleName: string) {
        call("deleteRole");
        const role = held(roleName);
        if (!role) return "absent";
        if (role.inline.size > 0 || role.managed.size > 0) {
          throw new Error("DeleteConflict: Cannot delete entity, must delete policies first.");
        }
        fake.roles.delete(roleName);
        return "removed";
      },
    };
  }
}

function documentsOf(role: HeldRole): RoleDocuments {
  return {
    trustPolicy: role.trustPolicy,
    inlinePolicies: Object.fromEntries(role.inline),
    managedPolicyArns: [...role.managed],
    permissionsBoundary: role.permissionsBoundary,
    maxSessionDuration: undefined,
  };
}

function strip(role: HeldRole): GrantRole {
  return {
    roleName: role.roleName,
    roleArn: role.roleArn,
    path: role.path,
    createdAt: role.createdAt,
    tags: { ...role.tags },
  };
}

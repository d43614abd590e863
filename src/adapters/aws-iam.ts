import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetAccountSummaryCommand,
  GetRoleCommand,
  IAMClient,
  type IAMClientConfig,
  PutRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import type { GrantPlan } from "../core/plan-grant.ts";
import {
  type AccountTarget,
  type AwsPort,
  type EnsureRoleResult,
  GRANT_ROLE_PATH,
  GRANT_TAGS,
  GrantConflictError,
  type GrantRole,
  type GrantStore,
  type RemovalResult,
  type RoleQuota,
} from "../ports/aws.ts";
import {
  type AwsCredentialIdentity,
  type AwsCredentialIdentityProvider,
  brokerCredentials,
} from "./broker-credentials.ts";

export type { AwsCredentialIdentity, AwsCredentialIdentityProvider };

/**
 * The AWS port on the AWS SDK v3: IAM for grant roles, STS to assume each account's broker role.
 *
 * Endpoints, FIPS/dual-stack and proxies follow the SDK's standard settings (AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, AWS_USE_FIPS_ENDPOINT, ...): no endpoint is
 * hard-coded here. Throttling and transient errors are retried by the SDK's standard retry
 * strategy; every operation here is safe to repeat.
 */
export interface AwsIamOptions {
  /**
   * The app's or action's own credentials, used only to assume broker roles. Default: the SDK's
   * default chain (environment, web identity from GitHub OIDC, ECS/EC2 metadata, ...).
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Role session name on the broker (`hallpass-app`, `hallpass-action`): who changed IAM. */
  brokerSessionName: string;
  /** Region for STS and the IAM signing region. Default us-east-1 (IAM's home region). */
  region?: string;
  /** SDK attempts per call, retries included. Default: the SDK's (3). */
  maxAttempts?: number;
  /** Extra client settings (request handler, logger); tests pass nothing here. */
  clientConfig?: Pick<IAMClientConfig & STSClientConfig, "requestHandler" | "logger">;
}

/** Builds the AWS port. One STS client; one IAM client per account, on that broker's session. */
export function createAwsIamPort(options: AwsIamOptions): AwsPort {
  const region = options.region ?? "us-east-1";
  const common = {
    region,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.clientConfig ?? {}),
  };
  const sts = new STSClient({
    ...common,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const stores = new Map<string, GrantStore>();
  return {
    grantStore(account: AccountTarget): GrantStore {
      const key = `${account.id}|${account.brokerRole}`;
      let store = stores.get(key);
      if (!store) {
        const credentials = brokerCredentials(sts, account, options.brokerSessionName);
        store = new IamGrantStore(new IAMClient({ ...common, credentials }), account);
        stores.set(key, store);
      }
      return store;
    },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAws(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/** Runs a removal; IAM's NoSuchEntity means it is already done. */
async function removal(run: () => Promise<unknown>): Promise<RemovalResult> {
  try {
    await run();
    return "removed";
  } catch (error) {
    if (isAws(error, "NoSuchEntityException")) return "absent";
    throw error;
  }
}

/** Runs a read; IAM's NoSuchEntity means the role does not exist. */
async function orAbsent<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (isAws(error, "NoSuchEntityException")) return undefined;
    throw error;
  }
}

function toGrantRole(role: Role): GrantRole {
  return {
    roleName: role.RoleName ?? "",
    roleArn: role.Arn ?? "",
    path: role.Path ?? "/",
    createdAt: role.CreateDate?.toISOString() ?? "",
    tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
  };
}

/** IAM returns policy documents URL-encoded. */
function sameDocument(encoded: string | undefined, json: string): boolean {
  if (encoded === undefined) return false;
  try {
    return (
      JSON.stringify(JSON.parse(decodeURIComponent(encoded))) === JSON.stringify(JSON.parse(json))
    );
  } catch {
    return false;
  }
}

/** The grant roles of one account, through an IAM client signed as its broker. */
class IamGrantStore implements GrantStore {
  readonly accountId: string;
  readonly #iam: IAMClient;
  readonly #account: AccountTarget;

  constructor(iam: IAMClient, account: AccountTarget) {
    this.#iam = iam;
    this.#account = account;
    this.accountId = account.id;
  }

  async ensureRole(plan: GrantPlan): Promise<EnsureRoleResult> {
    if (plan.accountId !== this.accountId) {
      throw new Error(
        `plan for account ${plan.accountId} given to the store of account ${this.accountId}`,
      );
    }
    let roleArn: string;
    let created = false;
    try {
      // The role starts with trust, boundary and tags but no permissions: harmless if we stop here.
      const out = await this.#iam.send(
        new CreateRoleCommand({
          RoleName: plan.roleName,
          Path: plan.rolePath,
          AssumeRolePolicyDocument: plan.trustPolicy,
          PermissionsBoundary: plan.permissionsBoundary,
          MaxSessionDuration: plan.maxSessionDuration,
          Description: `hallpass grant for ${plan.sourceIdentity} until ${plan.expiresAt}`,
          Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      roleArn = out.Role?.Arn ?? "";
      created = true;
    } catch (error) {
      if (isAws(error, "LimitExceededException")) {
        throw new Error(
          `account ${this.#account.name} (${this.accountId}) has reached an IAM limit creating ${plan.roleName}: ${message(error)}. Delete unused roles or ask AWS to raise the "Roles per account" quota.`,
          { cause: error },
        );
      }
      if (!isAws(error, "EntityAlreadyExistsException")) throw error;
      roleArn = await this.#convergeExisting(plan);
    }
    // The inline policy carries the expiry deny; it goes on before any managed policy, so the
    // role never holds managed permissions without it.
    for (const [name, document] of Object.entries(plan.inlinePolicies)) {
      await this.#iam.send(
        new PutRolePolicyCommand({
          RoleName: plan.roleName,
          PolicyName: name,
          PolicyDocument: document,
        }),
      );
    }
    // Attaching an already attached policy succeeds, so this converges on re-runs.
    for (const arn of plan.managedPolicyArns) {
      await this.#iam.send(
        new AttachRolePolicyCommand({ RoleName: plan.roleName, PolicyArn: arn }),
      );
    }
    return { roleArn, created };
  }

  /** A role of the planned name exists: make sure it is this grant's, then bring it to the plan. */
  async #convergeExisting(plan: GrantPlan): Promise<string> {
    const out = await this.#iam.send(new GetRoleCommand({ RoleName: plan.roleName }));
    const role = out.Role;
    const tags = role ? toGrantRole(role).tags : {};
    const same = (key: string) => tags[key] === plan.tags[key];
    if (
      !role ||
      role.Path !== plan.rolePath ||
      !same(GRANT_TAGS.request) ||
      !same(GRANT_TAGS.mergeCommit) ||
      !same(GRANT_TAGS.managedBy)
    ) {
      throw new GrantConflictError(
        plan.roleName,
        `a role named ${plan.roleName} already exists in account ${this.accountId} but was not made for ${plan.tags[GRANT_TAGS.request]} at ${plan.tags[GRANT_TAGS.mergeCommit]}; hallpass will not change it. Delete or rename that role, then retry.`,
      );
    }
    if (role.PermissionsBoundary?.PermissionsBoundaryArn !== plan.permissionsBoundary) {
      // The broker may not change boundaries (by design), so this cannot be repaired here.
      throw new GrantConflictError(
        plan.roleName,
        `role ${plan.roleName} exists without the permissions boundary ${plan.permissionsBoundary}; revoke it and grant again`,
      );
    }
    if (!sameDocument(role.AssumeRolePolicyDocument, plan.trustPolicy)) {
      await this.#iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: plan.roleName,
          PolicyDocument: plan.trustPolicy,
        }),
      );
    }
    if (role.MaxSessionDuration !== plan.maxSessionDuration) {
      await this.#iam.send(
        new UpdateRoleCommand({
          RoleName: plan.roleName,
          MaxSessionDuration: plan.maxSessionDuration,
        }),
      );
    }
    const missing = Object.entries(plan.tags).filter(([k, v]) => tags[k] !== v);
    if (missing.length > 0) {
      await this.#iam.send(
        new TagRoleCommand({
          RoleName: plan.roleName,
          Tags: missing.map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
    return role.Arn ?? "";
  }

  async getRole(roleName: string): Promise<GrantRole | undefined> {
    const out = await orAbsent(() => this.#iam.send(new GetRoleCommand({ RoleName: roleName })));
    return out?.Role ? toGrantRole(out.Role) : undefined;
  }

  async listGrantRoles(): Promise<GrantRole[]> {
    const names: string[] = [];
    for await (const page of paginateListRoles(
      { client: this.#iam },
      { PathPrefix: GRANT_ROLE_PATH },
    )) {
      for (const role of page.Roles ?? []) if (role.RoleName) names.push(role.RoleName);
    }
    // ListRoles does not return tags; GetRole does. A role deleted meanwhile is skipped.
    const roles: GrantRole[] = [];
    for (const name of names) {
      const role = await this.getRole(name);
      if (role) roles.push(role);
    }
    return roles;
  }

  async getRoleQuota(): Promise<RoleQuota> {
    const out = await this.#iam.send(new GetAccountSummaryCommand({}));
    const roles = out.SummaryMap?.Roles;
    const quota = out.SummaryMap?.RolesQuota;
    if (roles === undefined || quota === undefined) {
      throw new Error(`IAM's account summary of ${this.accountId} has no Roles/RolesQuota`);
    }
    return { roles, quota };
  }

  async putInlinePolicy(
    roleName: string,
    policyName: string,
    document: string,
  ): Promise<"put" | "absent"> {
    const result = await removal(() =>
      this.#iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: policyName,
          PolicyDocument: document,
        }),
      ),
    );
    return result === "absent" ? "absent" : "put";
  }

  async listInlinePolicies(roleName: string): Promise<string[] | undefined> {
    return orAbsent(async () => {
      const names: string[] = [];
      for await (const page of paginateListRolePolicies(
        { client: this.#iam },
        { RoleName: roleName },
      )) {
        names.push(...(page.PolicyNames ?? []));
      }
      return names;
    });
  }

  deleteInlinePolicy(roleName: string, policyName: string): Promise<RemovalResult> {
    return removal(() =>
      this.#iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
  }

  async listAttachedPolicies(roleName: string): Promise<string[] | undefined> {
    return orAbsent(async () => {
      const arns: string[] = [];
      for await (const page of paginateListAttachedRolePolicies(
        { client: this.#iam },
        { RoleName: roleName },
      )) {
        for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn);
      }
      return arns;
    });
  }

  detachManagedPolicy(roleName: string, policyArn: string): Promise<RemovalResult> {
    return removal(() =>
      this.#iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
    );
  }

  deleteRole(roleName: string): Promise<RemovalResult> {
    return removal(() => this.#iam.send(new DeleteRoleCommand({ RoleName: roleName })));
  }
}

import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetAccountSummaryCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  type IAMClientConfig,
  PutRolePolicyCommand,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { STSClient, type STSClientConfig } from "@aws-sdk/client-sts";
import {
  holdsRevocationDeny,
  onlyDenies,
  type RoleDocuments,
} from "../core/grant/digest-grant-plan.ts";
import type { GrantPlan } from "../core/grant/plan-grant.ts";
import { REVOKE_POLICY_NAME } from "../core/grant/plan-revocation.ts";
import { errorMessage } from "../core/text/error-message.ts";
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
import { awsRequestHandler, type NetworkTimeouts } from "./network-timeouts.ts";

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
  /** Connect and request timeouts of every IAM and STS call. Default DEFAULT_NETWORK_TIMEOUTS. */
  timeouts?: NetworkTimeouts;
  /** Extra client settings (request handler, logger); tests pass nothing here. */
  clientConfig?: Pick<IAMClientConfig & STSClientConfig, "requestHandler" | "logger">;
}

/** Builds the AWS port. One STS client; one IAM client per account, on that broker's session. */
export function createAwsIamPort(options: AwsIamOptions): AwsPort {
  const region = options.region ?? "us-east-1";
  const common = {
    region,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    requestHandler: awsRequestHandler(options.timeouts),
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

function toGrantRole(role: Role | RoleDetail): GrantRole {
  return {
    roleName: role.RoleName ?? "",
    roleArn: role.Arn ?? "",
    path: role.Path ?? "/",
    createdAt: role.CreateDate?.toISOString() ?? "",
    tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
  };
}

/** True when `document`, under hallpass's revocation policy name, is its genuine deny. */
function holdsRevocationDenyIn(document: string): boolean {
  return holdsRevocationDeny({
    trustPolicy: "",
    inlinePolicies: { [REVOKE_POLICY_NAME]: document },
    managedPolicyArns: [],
    permissionsBoundary: undefined,
    maxSessionDuration: undefined,
  });
}

/** IAM returns policy documents URL-encoded; a text that is not is kept as it is. */
function decoded(document: string | undefined): string {
  if (document === undefined) return "";
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
}

type RoleDetail = NonNullable<
  GetAccountAuthorizationDetailsCommandOutput["RoleDetailList"]
>[number];

/** A role's documents from GetAccountAuthorizationDetails, with ListRoles' session length. */
function toDocuments(detail: RoleDetail, maxSessionDuration: number | undefined): RoleDocuments {
  return {
    trustPolicy: decoded(detail.AssumeRolePolicyDocument),
    inlinePolicies: Object.fromEntries(
      (detail.RolePolicyList ?? []).map((p) => [p.PolicyName ?? "", decoded(p.PolicyDocument)]),
    ),
    managedPolicyArns: (detail.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn ?? ""),
    permissionsBoundary: detail.PermissionsBoundary?.PermissionsBoundaryArn,
    maxSessionDuration,
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
    let corrected: string[] = [];
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
          `account ${this.#account.name} (${this.accountId}) has reached an IAM limit creating ${plan.roleName}: ${errorMessage(error)}. Delete unused roles or ask AWS to raise the "Roles per account" quota.`,
          { cause: error },
        );
      }
      if (!isAws(error, "EntityAlreadyExistsException")) throw error;
      ({ roleArn, corrected } = await this.#convergeExisting(plan));
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
    return { roleArn, created, ...(created ? {} : { corrected }) };
  }

  /**
   * A role of the planned name exists: make sure it is this grant's, then bring it back to exactly
   * the plan. Extra inline and managed policies are removed (the plan's are put again by the
   * caller), the trust policy and session length re-put. It is repaired rather than refused
   * because the role is provably this grant's (name from request and merge commit, path, tags)
   * and a re-run after a half-made grant must converge; what was put back is returned, so the
   * change is told, never adopted silently. A boundary cannot be repaired (the broker may not set
   * boundaries), so that is refused; hallpass's own revocation deny is kept (access stays denied).
   */
  async #convergeExisting(plan: GrantPlan): Promise<{ roleArn: string; corrected: string[] }> {
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
    const corrected: string[] = [];
    const inline = (await this.listInlinePolicies(plan.roleName)) ?? [];
    // Extras go first, before the plan's permissions are put again.
    for (const name of inline) {
      if (Object.hasOwn(plan.inlinePolicies, name)) continue;
      const document = await this.#inlineDocument(plan.roleName, name);
      // hallpass's own revocation deny stays: a revocation whose record could not be committed
      // keeps the role denied until it is recorded. Only the genuine deny, read back, is kept.
      if (
        name === REVOKE_POLICY_NAME &&
        document !== undefined &&
        holdsRevocationDenyIn(document)
      ) {
        continue;
      }
      // Removing a deny gives access back: a containment added by hand stays (the sweep then
      // finds the role differing from its record, and revokes and alerts).
      if (document !== undefined && onlyDenies(document)) {
        corrected.push(`inline policy ${name} kept: added by hand, it only denies`);
        continue;
      }
      await this.deleteInlinePolicy(plan.roleName, name);
      corrected.push(`inline policy ${name} removed`);
    }
    const planned = new Set(plan.managedPolicyArns);
    for (const arn of (await this.listAttachedPolicies(plan.roleName)) ?? []) {
      if (planned.has(arn)) continue;
      await this.detachManagedPolicy(plan.roleName, arn);
      corrected.push(`managed policy ${arn} detached`);
    }
    if (!sameDocument(role.AssumeRolePolicyDocument, plan.trustPolicy)) {
      corrected.push("trust policy re-put");
      await this.#iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: plan.roleName,
          PolicyDocument: plan.trustPolicy,
        }),
      );
    }
    if (role.MaxSessionDuration !== plan.maxSessionDuration) {
      corrected.push(`maximum session duration set back to ${plan.maxSessionDuration}s`);
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
    return { roleArn: role.Arn ?? "", corrected };
  }

  /** An inline policy's document, URL-decoded; undefined when it is gone. */
  async #inlineDocument(roleName: string, policyName: string): Promise<string | undefined> {
    const out = await orAbsent(() =>
      this.#iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName })),
    );
    return out ? decoded(out.PolicyDocument) : undefined;
  }

  async getRole(roleName: string): Promise<GrantRole | undefined> {
    const out = await orAbsent(() => this.#iam.send(new GetRoleCommand({ RoleName: roleName })));
    return out?.Role ? toGrantRole(out.Role) : undefined;
  }

  async listGrantRoles(): Promise<GrantRole[]> {
    // ListRoles filters by path and has the session length; GetAccountAuthorizationDetails has
    // tags, boundary, inline documents and attached policies of every role in a few pages (it
    // cannot filter by path), instead of four calls per role.
    const sessions = new Map<string, number | undefined>();
    for await (const page of paginateListRoles(
      { client: this.#iam },
      { PathPrefix: GRANT_ROLE_PATH, MaxItems: 1000 },
    )) {
      for (const role of page.Roles ?? []) {
        if (role.RoleName) sessions.set(role.RoleName, role.MaxSessionDuration);
      }
    }
    if (sessions.size === 0) return [];
    const roles: GrantRole[] = [];
    try {
      for await (const page of paginateGetAccountAuthorizationDetails(
        { client: this.#iam },
        { Filter: ["Role"], MaxItems: 1000 },
      )) {
        for (const detail of page.RoleDetailList ?? []) {
          const name = detail.RoleName ?? "";
          // A role made between the two listings is found by the next sweep; one deleted is gone.
          if (!sessions.has(name) || !(detail.Path ?? "").startsWith(GRANT_ROLE_PATH)) continue;
          roles.push({
            ...toGrantRole(detail),
            documents: toDocuments(detail, sessions.get(name)),
          });
        }
      }
    } catch (error) {
      if (!isAws(error, "AccessDeniedException") && !isAws(error, "AccessDenied")) throw error;
      throw new Error(
        `the broker role of account ${this.#account.name} (${this.accountId}) may not call iam:GetAccountAuthorizationDetails, which the sweep needs to see what grant roles hold: update the account's stack from deploy/account-setup.yaml (${errorMessage(error)})`,
        { cause: error },
      );
    }
    return roles.sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0));
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

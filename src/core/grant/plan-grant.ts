import { createHash } from "node:crypto";
import { persistenceTags } from "../policy/persistence-classes.ts";
import type { Account, Policies, Statement } from "../policy/policy-format.ts";
import type { ValidatedRequest } from "../request/validate-request.ts";
import type { Problem } from "../source/problem.ts";
import { GRANT_ROLE_PATH, GRANT_TAGS, MANAGED_BY } from "./grant-tags.ts";
import { planRevocation } from "./plan-revocation.ts";

/**
 * The planner: everything hallpass creates in AWS for one grant, computed from the validated
 * request, the policies and the window. The grant code and `hallpass plan` both call it, so the
 * plan shown to people is exactly what is created.
 */

/** IAM documents and settings of one grant role: the output of `hallpass plan`. */
export interface GrantPlan {
  /** Unique, never reused: derived from the request path and the merge commit. */
  roleName: string;
  rolePath: string;
  accountId: string;
  /** Trust policy (JSON text as sent to IAM). */
  trustPolicy: string;
  /** Inline policy name -> policy document (JSON text as sent to IAM). */
  inlinePolicies: Record<string, string>;
  managedPolicyArns: string[];
  permissionsBoundary: string;
  tags: Record<string, string>;
  /** The role's MaxSessionDuration in seconds (IAM: 3600 to 43200). */
  maxSessionDuration: number;
  /** When the access ends, ISO-8601 UTC to the second. Written literally in every document. */
  expiresAt: string;
  /** The role session name the trust policy requires (what CloudTrail shows as Username). */
  sessionName: string;
  /** The sts:SourceIdentity the trust policy requires: the requester's GitHub login. */
  sourceIdentity: string;
}

/** Where and when the grant is made. */
export interface GrantContext {
  /** SHA of the merge commit; with the request path it makes the role name unique. */
  mergeCommit: string;
  /** When the pull request was merged: the window's start unless the request names one. */
  mergedAt: Date;
  /** Now: a window that has already ended is not planned. */
  now: Date;
  pullRequest?: number;
  /** `owner/repo` of the access repository. */
  repository?: string;
}

/** IAM limits the plan is checked against before AWS is called. */
export interface IamLimits {
  /** Trust policy characters: 2,048 by default, raisable to 4,096 by a quota request. */
  trustPolicyChars: number;
  /** Sum of a role's inline policy characters, whitespace not counted. */
  inlinePolicyChars: number;
  tags: number;
  managedPolicies: number;
}

export const DEFAULT_IAM_LIMITS: IamLimits = {
  trustPolicyChars: 2_048,
  inlinePolicyChars: 10_240,
  tags: 50,
  managedPolicies: 20,
};

/** The access window: from `start` to `end` (exclusive), both to the second. */
export interface GrantWindow {
  start: string;
  end: string;
}

export interface PlanResult {
  plan: GrantPlan | undefined;
  window: GrantWindow | undefined;
  problems: Problem[];
}

/** Name of the inline policy that carries the role's statements and the expiry deny. */
export const PERMISSIONS_POLICY_NAME = "hallpass-permissions";

const ROLE_NAME_MAX = 64;
const MIN_SESSION = 3_600;
const MAX_SESSION = 43_200;
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const STS_NAME = /^[\w+=,.@-]{2,64}$/;

/** ISO-8601 UTC to the second, the form IAM date conditions and tags use. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The boundary for an account: its own, or the organisation's with {accountId} filled in. */
export function boundaryFor(policies: Pick<Policies, "settings">, account: Account): string {
  return (
    account.permissionsBoundary ??
    policies.settings.permissionsBoundary.replaceAll("{accountId}", account.id)
  );
}

/**
 * Plans the grant role of a validated request. Pure: never throws for a bad input, returns
 * problems instead (window already ended, a document or tag too large for IAM, a name IAM or
 * STS would refuse), located at the request file.
 */
export function planGrant(
  validated: ValidatedRequest,
  policies: Pick<Policies, "settings">,
  context: GrantContext,
  limits: IamLimits = DEFAULT_IAM_LIMITS,
): PlanResult {
  const problems: Problem[] = [];
  const problem: ReportProblem = (message, field) =>
    problems.push({
      file: validated.path,
      line: 1,
      column: 1,
      severity: "error",
      message,
      ...(field ? { field } : {}),
    });

  // 1. The window, to the second, and its bounds as IAM conditions.
  const window = grantWindow(validated, context, problem);
  const during = {
    DateGreaterThanEquals: { "aws:CurrentTime": window.start },
    DateLessThan: { "aws:CurrentTime": window.end },
  };
  // 2. The names: role, session and source identity.
  const names = grantNames(validated, context, problem);
  // 3. The documents and tags.
  const trust = trustPolicy(validated.identity.awsPrincipal, names, during);
  const permissions = permissionsPolicy(validated, window, during, problem);
  const tags = grantTags(validated, context, window);

  const plan: GrantPlan = {
    roleName: names.roleName,
    rolePath: GRANT_ROLE_PATH,
    accountId: validated.account.id,
    trustPolicy: JSON.stringify(trust),
    inlinePolicies: { [PERMISSIONS_POLICY_NAME]: JSON.stringify(permissions) },
    managedPolicyArns: [...(validated.role.permissions.managedPolicies ?? [])],
    permissionsBoundary: boundaryFor(policies, validated.account),
    tags,
    maxSessionDuration: Math.min(MAX_SESSION, Math.max(MIN_SESSION, validated.durationSeconds)),
    expiresAt: window.end,
    sessionName: names.sessionName,
    sourceIdentity: names.sourceIdentity,
  };
  // 4. What IAM would refuse for its size, checked before calling it.
  for (const message of checkSizes(plan, limits)) problem(message);

  return problems.length > 0 ? { plan: undefined, window, problems } : { plan, window, problems };
}

/** Reports a problem at the request file, optionally naming the field. */
type ReportProblem = (message: string, field?: string) => void;

/** The access window in whole seconds; a problem when it has already ended. */
function grantWindow(
  validated: ValidatedRequest,
  context: GrantContext,
  problem: ReportProblem,
): { start: string; end: string } {
  const startDate = new Date(
    Math.floor((validated.start ?? context.mergedAt).getTime() / 1000) * 1000,
  );
  const endDate = new Date(startDate.getTime() + validated.durationSeconds * 1000);
  const window = { start: isoSeconds(startDate), end: isoSeconds(endDate) };
  if (endDate.getTime() <= context.now.getTime()) {
    problem(
      `the access window ${window.start} to ${window.end} has already ended, so nothing is granted; open a new request for the time you need`,
      "start",
    );
  }
  return window;
}

interface GrantNames {
  roleName: string;
  sessionName: string;
  sourceIdentity: string;
}

/**
 * The role and session names (unique per request and merge commit, never reused) and the
 * source identity (the GitHub login); a problem when STS would refuse the login.
 */
function grantNames(
  validated: ValidatedRequest,
  context: GrantContext,
  problem: ReportProblem,
): GrantNames {
  const login = validated.request.requester;
  const sourceIdentity = login;
  if (!STS_NAME.test(sourceIdentity)) {
    problem(
      `AWS requires a source identity of 2 to 64 characters, and the GitHub login "${login}" is not one; ask the platform team to grant this access by hand`,
      "requester",
    );
  }
  const key = createHash("sha256")
    .update(`${validated.path}\n${context.mergeCommit}`)
    .digest("hex")
    .slice(0, 10);
  // Never cut to IAM's 64 characters: that would drop the key and reuse a name. GitHub logins
  // (39 at most) always fit; checkSizes refuses any name that does not.
  const roleName = `hallpass-${login}-${key}`;
  return { roleName, sessionName: `${login}-${key}`, sourceIdentity };
}

/** The trust policy: only the requester's principal, with their source identity, in the window. */
function trustPolicy(principal: string, names: GrantNames, during: Condition): object {
  const { sourceIdentity, sessionName } = names;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeAsRequesterDuringWindow",
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "sts:SourceIdentity": sourceIdentity,
            "sts:RoleSessionName": sessionName,
          },
          ...during,
        },
      },
      {
        // AssumeRole with --source-identity also needs sts:SetSourceIdentity, for this value only.
        Sid: "SetRequesterSourceIdentity",
        Effect: "Allow",
        Principal: { AWS: principal },
        Action: "sts:SetSourceIdentity",
        Condition: { StringEquals: { "sts:SourceIdentity": sourceIdentity }, ...during },
      },
    ],
  };
}

/** The role's statements, each Allow bounded by the window, and the deny after expiry. */
function permissionsPolicy(
  validated: ValidatedRequest,
  window: { end: string },
  during: Condition,
  problem: ReportProblem,
): object {
  const statements = (validated.role.permissions.statements ?? []).map((statement, index) =>
    iamStatement(statement, during, (message) =>
      problem(message, `roles.${validated.request.role}.permissions.statements.${index}`),
    ),
  );
  return {
    Version: "2012-10-17",
    Statement: [
      ...statements,
      {
        // Permissions are evaluated on every request: this ends every session at the expiry
        // second, whatever the session's own length, even if no revoker ever runs.
        Sid: "HallpassDenyAfterExpiry",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateGreaterThanEquals: { "aws:CurrentTime": window.end } },
      },
    ],
  };
}

/** The role's tags: the grant mirrored in AWS, so the sweeper finds it from AWS alone. */
function grantTags(
  validated: ValidatedRequest,
  context: GrantContext,
  window: { start: string; end: string },
): Record<string, string> {
  const t = GRANT_TAGS;
  return {
    [t.managedBy]: MANAGED_BY,
    ...(context.repository ? { [t.repository]: context.repository } : {}),
    [t.request]: validated.path,
    ...(context.pullRequest !== undefined ? { [t.pullRequest]: String(context.pullRequest) } : {}),
    [t.mergeCommit]: context.mergeCommit,
    [t.requester]: validated.request.requester,
    [t.role]: validated.request.role,
    [t.account]: validated.request.account,
    [t.startsAt]: window.start,
    [t.expiresAt]: window.end,
    [t.emergency]: String(validated.emergency),
    ...(validated.request.extends ? { [t.extends]: validated.request.extends } : {}),
    // What lifts the boundary's persistence classes: only the broker can tag a role.
    ...persistenceTags(validated.role.allowPersistence ?? []),
  };
}

type Condition = Record<string, Record<string, string | string[]>>;

/** A policy-file statement as IAM JSON; every Allow is bounded by the window. */
function iamStatement(
  statement: Statement,
  during: Condition,
  problem: (message: string) => void,
): Record<string, unknown> {
  const condition: Condition = { ...(statement.conditions ?? {}) };
  if (statement.effect === "Allow") {
    for (const [operator, bound] of Object.entries(during)) {
      const existing = Object.entries(condition).find(
        ([op]) => op.toLowerCase() === operator.toLowerCase(),
      );
      if (existing && Object.keys(existing[1]).some((k) => k.toLowerCase() === "aws:currenttime")) {
        // Two values for one key would be OR-ed by IAM and could outlive the expiry.
        problem(
          `the statement already has a ${operator} condition on aws:CurrentTime; hallpass adds the window's bounds itself, so remove it from the role`,
        );
        continue;
      }
      condition[existing?.[0] ?? operator] = { ...(existing?.[1] ?? {}), ...bound };
    }
  }
  return {
    ...(statement.sid ? { Sid: statement.sid } : {}),
    Effect: statement.effect,
    Action: statement.actions,
    Resource: statement.resources,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** IAM's size and character limits, checked before any AWS call. */
function checkSizes(plan: GrantPlan, limits: IamLimits): string[] {
  const messages: string[] = [];
  if (plan.roleName.length > ROLE_NAME_MAX) {
    messages.push(`role name ${plan.roleName} is longer than IAM's ${ROLE_NAME_MAX} characters`);
  }
  if (!STS_NAME.test(plan.sessionName)) {
    messages.push(`session name ${plan.sessionName} is not a valid STS role session name`);
  }
  const trustChars = policyChars(plan.trustPolicy);
  if (trustChars > limits.trustPolicyChars) {
    messages.push(
      `the trust policy would be ${trustChars} characters, more than the account's limit of ${limits.trustPolicyChars}; shorten the principal ARN or raise the IAM quota "Role trust policy length"`,
    );
  }
  // Room is kept for the deny a revocation adds: a revocation must never hit the limit.
  const revocation = planRevocation(new Date(0));
  const inlineChars = Object.entries(plan.inlinePolicies).reduce(
    (sum, [name, doc]) => sum + name.length + policyChars(doc),
    revocation.policyName.length + policyChars(revocation.document),
  );
  if (inlineChars > limits.inlinePolicyChars) {
    messages.push(
      `the role's inline policies would be ${inlineChars} characters, more than IAM's ${limits.inlinePolicyChars} per role (counting the deny a revocation adds); move statements of the role into a managed policy`,
    );
  }
  if (plan.managedPolicyArns.length > limits.managedPolicies) {
    messages.push(
      `the role attaches ${plan.managedPolicyArns.length} managed policies, more than IAM's ${limits.managedPolicies}`,
    );
  }
  const tags = Object.entries(plan.tags);
  if (tags.length > limits.tags) {
    messages.push(`the role would carry ${tags.length} tags, more than IAM's ${limits.tags}`);
  }
  for (const [key, value] of tags) {
    if (value.length > TAG_VALUE_MAX || key.length > TAG_KEY_MAX) {
      messages.push(
        `tag ${key} is too long for IAM (keys ${TAG_KEY_MAX}, values ${TAG_VALUE_MAX} characters): shorten the request's path`,
      );
    } else if (!TAG_CHARS.test(value)) {
      messages.push(
        `tag ${key} value "${value}" has characters IAM refuses in tags (allowed: letters, digits, spaces and _ . : / = + - @); rename the request file`,
      );
    }
  }
  return messages;
}

/**
 * IAM does not count whitespace; JSON.stringify emits none outside strings, and counting the
 * whitespace inside strings too keeps the check on the safe side.
 */
function policyChars(json: string): number {
  return json.length;
}

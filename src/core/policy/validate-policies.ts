import { parseDuration } from "../request/duration.ts";
import type { Problem } from "../source/problem.ts";
import { didYouMean } from "../source/suggest-name.ts";
import { compileLinearPattern } from "./compile-linear-pattern.ts";
import { persistenceTagKey } from "./persistence-classes.ts";
import type { Approval, Policies, Role, Statement } from "./policy-format.ts";

/**
 * The rules that span policy files, run on the merged policies after every file passed its
 * schema: references resolve, durations parse, IAM statements are well-formed, documents fit
 * IAM's limits, and no two people share an AWS principal. One small function per rule; each
 * problem is located through `locate` at the field it is about.
 */

/** Where a field of the merged policies is written: `["roles", "db-admin", "maxDuration"]`. */
export type PolicyLocator = (
  path: readonly PropertyKey[],
  part?: "key" | "value",
) => { file: string; line: number; column: number };

/** IAM's limit for all inline policies of one role, in characters without whitespace. */
export const IAM_INLINE_POLICIES_LIMIT = 10_240;

/**
 * Characters kept free for what hallpass adds to a grant role besides the rendered statements:
 * the explicit expiry deny and, on revocation, the revoke-older-sessions deny.
 */
export const INLINE_POLICY_HEADROOM = 1_024;

/** IAM's default quota of managed policies attached to one role (raisable to 20). */
export const IAM_DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;

/** Checks the merged policies. Returns every problem found. */
export function validatePolicies(policies: Policies, locate: PolicyLocator): Problem[] {
  const problems: Problem[] = [];
  const report =
    (severity: Problem["severity"]) =>
    (path: readonly PropertyKey[], message: string, part: "key" | "value" = "value") => {
      problems.push({
        ...locate(path, part),
        field: path.map(String).join("."),
        severity,
        message,
      });
    };
  const rules: Report = { error: report("error"), warning: report("warning") };

  checkAtLeastOne(policies, rules);
  checkAccounts(policies, rules);
  checkIdentities(policies, locate, rules);
  for (const [name, role] of Object.entries(policies.roles)) {
    checkRole(policies, name, role, rules);
    checkPersistenceOptIns(policies, name, role, rules);
  }
  checkSettings(policies, rules);
  checkNotifications(policies, rules);
  return problems;
}

type Emit = (path: readonly PropertyKey[], message: string, part?: "key" | "value") => void;
interface Report {
  error: Emit;
  warning: Emit;
}

const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(?:iam::(\d{12}):(user|role)\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]+)|sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/([\w+=,.@-]+))$/;
const IAM_ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
const ALERT_ACTION = /^(\*|(\*|[a-z0-9-]+):[A-Za-z0-9*?]+)$/;
const RESOURCE = /^(\*|arn:[^\s]+)$/;
const CONDITION_KEY = /^[A-Za-z0-9-]+:[^\s]+$/;
const CONDITION_OPERATORS = new Set([
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
]);

function checkAtLeastOne(policies: Policies, report: Report): void {
  if (Object.keys(policies.accounts).length === 0) {
    report.error(["accounts"], "no accounts are defined: add an accounts: section.");
  }
  if (Object.keys(policies.roles).length === 0) {
    report.error(["roles"], "no roles are defined: add a roles: section.");
  }
}

function checkAccounts(policies: Policies, report: Report): void {
  const byId = new Map<string, string>();
  for (const [name, account] of Object.entries(policies.accounts)) {
    const other = byId.get(account.id);
    if (other !== undefined) {
      report.error(
        ["accounts", name, "id"],
        `account id ${account.id} is also used by account "${other}"; each AWS account is defined once.`,
      );
    }
    byId.set(account.id, name);
    if (!roleArnIn(account.brokerRole, account.id)) {
      report.error(
        ["accounts", name, "brokerRole"],
        `brokerRole must be an IAM role in this account (arn:aws:iam::${account.id}:role/...), because hallpass assumes it to manage grant roles there.`,
      );
    }
    if (account.permissionsBoundary !== undefined) {
      checkBoundary(
        account.permissionsBoundary,
        account.id,
        ["accounts", name, "permissionsBoundary"],
        report,
      );
    }
  }
}

function roleArnIn(arn: string, accountId: string): boolean {
  return new RegExp(`^arn:aws[a-z-]*:iam::${accountId}:role/[\\w+=,.@/-]+$`).test(arn);
}

function checkBoundary(
  arn: string,
  accountId: string,
  path: readonly PropertyKey[],
  report: Report,
  accountName?: string,
): void {
  const match = POLICY_ARN.exec(arn);
  const forAccount = accountName === undefined ? "" : `for account "${accountName}", `;
  if (!match) {
    report.error(
      path,
      `${forAccount}"${arn}" is not a managed policy ARN such as arn:aws:iam::${accountId}:policy/hallpass-boundary.`,
    );
  } else if (match[1] !== accountId && match[1] !== "aws") {
    report.error(
      path,
      `${forAccount}the permissions boundary must be a policy in account ${accountId}, not ${match[1]}: IAM attaches only policies of the role's own account. Use {accountId} in settings.permissionsBoundary.`,
    );
  }
}

function checkIdentities(policies: Policies, locate: PolicyLocator, report: Report): void {
  const byLogin = new Map<string, string>();
  // Canonical principal (user, role or role session) -> the login mapped to it first; and
  // canonical role -> the first login mapped to that role or to a session of it.
  const byPrincipal = new Map<string, string>();
  const byRole = new Map<string, string>();
  for (const [login, identity] of Object.entries(policies.identities)) {
    const path = ["identities", login, "awsPrincipal"];
    // GitHub logins are case-insensitive: two spellings would be one person with two mappings.
    const sameLogin = byLogin.get(login.toLowerCase());
    if (sameLogin !== undefined) {
      report.error(
        ["identities", login],
        `"${login}" and "${sameLogin}" are the same GitHub login (logins are case-insensitive); keep one.`,
        "key",
      );
    }
    byLogin.set(login.toLowerCase(), login);
    const principal = canonicalPrincipal(identity.awsPrincipal);
    if (!principal) {
      report.error(
        path,
        "awsPrincipal must be an IAM user ARN (arn:aws:iam::123456789012:user/alice) or a role session (arn:aws:sts::123456789012:assumed-role/RoleName/alice).",
      );
      continue;
    }
    if (principal.kind === "role") {
      // Anyone the role's trust admits can assume it and then set any source identity: the
      // grant would be assumable by all of them, so it is not one person's principal.
      report.error(
        path,
        `"${identity.awsPrincipal}" is a role, which everyone its trust policy admits can use, and any of them could then set this person's source identity and use their grants: map this person to their IAM user or to their own role session (arn:aws:sts::${principal.account}:assumed-role/<role>/<session name>, where your identity provider, such as IAM Identity Center, sets the session name).`,
      );
    }
    // A shared principal could set any of its people's source identities and so use
    // another person's grant: each login needs a principal of its own.
    const sharer =
      principal.kind === "role"
        ? byRole.get(principal.role)
        : (byPrincipal.get(principal.key) ??
          (principal.kind === "session" ? byPrincipal.get(principal.role) : undefined));
    if (sharer !== undefined) {
      const at = locate(["identities", sharer, "awsPrincipal"]);
      report.error(
        path,
        `"${login}" and "${sharer}" (${at.file}:${at.line}) reach the same AWS principal: ${principal.describe}. Each person must sign in as a principal of their own, or either could use the other's grants; IAM names are case-insensitive and paths do not matter. For a shared SSO role, use each person's role session ARN.`,
      );
    }
    if (!byPrincipal.has(principal.key)) byPrincipal.set(principal.key, login);
    if (principal.kind !== "user" && !byRole.has(principal.role)) byRole.set(principal.role, login);
  }
}

/** An identity's principal reduced to what IAM compares: account, kind and lower-case names. */
interface CanonicalPrincipal {
  kind: "user" | "role" | "session";
  account: string;
  /** Equal for two ARNs that are the same principal. */
  key: string;
  /** The role itself, for a role or a role session: `account:role:name`. */
  role: string;
  /** What the principal is, for messages. */
  describe: string;
}

/**
 * Canonical form of a principal ARN, or undefined when it is not a user, role or role session.
 * The partition and the path are dropped (a user or role name is unique in its account,
 * whatever its path; an assumed-role ARN carries no path), and names are lower-cased because
 * IAM names are case-insensitive. Session names are lower-cased too, failing closed.
 */
export function canonicalPrincipal(arn: string): CanonicalPrincipal | undefined {
  const match = PRINCIPAL_ARN.exec(arn);
  if (!match) return undefined;
  const account = (match[1] ?? match[4])!;
  if (match[4] !== undefined) {
    const role = match[5]!.toLowerCase();
    const session = match[6]!.toLowerCase();
    return {
      kind: "session",
      account,
      key: `${account}:session:${role}/${session}`,
      role: `${account}:role:${role}`,
      describe: `session ${session} of role ${role} in account ${account}`,
    };
  }
  const kind = match[2] as "user" | "role";
  const name = match[3]!.split("/").pop()!.toLowerCase();
  const key = `${account}:${kind}:${name}`;
  return {
    kind,
    account,
    key,
    role: key,
    describe:
      kind === "user"
        ? `IAM user ${name} in account ${account}`
        : `role ${name} and its sessions in account ${account}`,
  };
}

/**
 * Reports a duration that cannot be read or is not longer than zero. Returns its seconds when it
 * can be read (zero included), so that rules comparing durations read each one once.
 */
function checkDuration(
  text: string,
  path: readonly PropertyKey[],
  report: Report,
): number | undefined {
  const parsed = parseDuration(text);
  if (!parsed.ok) report.error(path, parsed.message);
  else if (parsed.seconds <= 0) report.error(path, "the duration must be longer than zero.");
  return parsed.ok ? parsed.seconds : undefined;
}

/**
 * The approval ages are durations, and what a role lets through without review is no longer
 * than what it grants at all: a limit above maxDuration would read as a promise it cannot keep.
 */
function checkApprovalDurations(
  role: Role,
  maxSeconds: number | undefined,
  at: (...rest: PropertyKey[]) => PropertyKey[],
  report: Report,
): void {
  if (role.approval.maxAge) checkDuration(role.approval.maxAge, at("approval", "maxAge"), report);
  const glassAge = role.breakGlass?.approval.maxAge;
  if (glassAge) checkDuration(glassAge, at("breakGlass", "approval", "maxAge"), report);
  const limits: [string | undefined, PropertyKey[]][] = [
    [role.autoApproval?.maxDuration, at("autoApproval", "maxDuration")],
    [role.extension?.withoutApproval, at("extension", "withoutApproval")],
  ];
  for (const [text, path] of limits) {
    if (text === undefined) continue;
    const limit = checkDuration(text, path, report);
    if (limit !== undefined && maxSeconds !== undefined && limit > maxSeconds) {
      report.error(
        path,
        `${text} is longer than the role's maxDuration (${role.maxDuration}): lower it to at most ${role.maxDuration}.`,
      );
    }
  }
}

function checkRole(policies: Policies, name: string, role: Role, report: Report): void {
  const at = (...rest: PropertyKey[]) => ["roles", name, ...rest];
  const known = Object.keys(policies.accounts);
  const seen = new Set<string>();
  role.accounts.forEach((account, index) => {
    if (!Object.hasOwn(policies.accounts, account)) {
      report.error(
        at("accounts", index),
        `account "${account}" is not defined under accounts:.${didYouMean(account, known)}`,
      );
    }
    if (seen.has(account)) report.warning(at("accounts", index), `"${account}" is listed twice.`);
    seen.add(account);
  });

  const maxSeconds = checkDuration(role.maxDuration, at("maxDuration"), report);
  if (role.breakGlass)
    checkDuration(role.breakGlass.maxDuration, at("breakGlass", "maxDuration"), report);
  checkApprovalDurations(role, maxSeconds, at, report);

  const managed = role.permissions.managedPolicies ?? [];
  const statements = role.permissions.statements ?? [];
  if (managed.length === 0 && statements.length === 0) {
    report.error(
      at("permissions"),
      "the role grants nothing: list managedPolicies and/or statements.",
    );
  }
  managed.forEach((arn, index) => {
    if (!POLICY_ARN.test(arn)) {
      report.error(
        at("permissions", "managedPolicies", index),
        `"${arn}" is not a managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess.`,
      );
    }
  });
  if (managed.length > IAM_DEFAULT_MANAGED_POLICIES_PER_ROLE) {
    report.warning(
      at("permissions", "managedPolicies"),
      `${managed.length} managed policies: IAM's default quota is ${IAM_DEFAULT_MANAGED_POLICIES_PER_ROLE} per role. Raise it with Service Quotas in every listed account, or granting will fail.`,
    );
  }
  const sids = new Set<string>();
  statements.forEach((statement, index) => {
    checkStatement(statement, at("permissions", "statements", index), report);
    if (statement.sid !== undefined && statement.sid !== "") {
      if (sids.has(statement.sid)) {
        report.error(
          at("permissions", "statements", index, "sid"),
          `sid "${statement.sid}" is used twice in this role; IAM requires unique statement ids.`,
        );
      }
      sids.add(statement.sid);
    }
  });
  const size = inlinePolicySize(statements);
  const budget = IAM_INLINE_POLICIES_LIMIT - INLINE_POLICY_HEADROOM;
  if (size > budget) {
    report.error(
      at("permissions", "statements"),
      `the statements render to ${size} characters of IAM policy (with the expiry conditions hallpass adds), more than the ${budget} available (IAM allows ${IAM_INLINE_POLICIES_LIMIT} per role, ${INLINE_POLICY_HEADROOM} are kept for revocation). Use wildcards, fewer resources, or a managed policy.`,
    );
  }

  checkApprovers(role.approval, at("approval", "rules"), report);
  if (role.breakGlass) {
    checkApprovers(role.breakGlass.approval, at("breakGlass", "approval", "rules"), report);
  }

  if (role.ticket?.pattern !== undefined) {
    // A request author chooses the ticket: a pattern that backtracks would let one request
    // hang validate, plan and every webhook of the app. Only linear-time patterns are accepted.
    const pattern = compileLinearPattern(role.ticket.pattern);
    if (!pattern.ok) {
      report.error(
        at("ticket", "pattern"),
        `the ticket pattern cannot be evaluated in linear time: ${pattern.reason}. hallpass runs ticket patterns on an automaton, which supports literals, classes, groups, | and quantifiers, but not backreferences or lookaround (see README, roles).`,
      );
    }
  }
}

/**
 * A role's `allowPersistence`. The opt-in is a tag that hallpass-boundary reads; an account with
 * a boundary of its own lifts nothing unless that policy reads the same tags, which hallpass
 * cannot see from here, so it warns rather than refuses.
 */
function checkPersistenceOptIns(
  policies: Policies,
  name: string,
  role: Role,
  report: Report,
): void {
  const classes = role.allowPersistence ?? [];
  if (classes.length === 0) return;
  const at = ["roles", name, "allowPersistence"];
  classes.forEach((entry, index) => {
    if (classes.indexOf(entry) !== index) {
      report.warning([...at, index], `"${entry}" is listed twice.`);
    }
  });
  const tags = [...new Set(classes)].map(persistenceTagKey).join(", ");
  for (const account of role.accounts) {
    const own = Object.hasOwn(policies.accounts, account)
      ? policies.accounts[account]?.permissionsBoundary
      : undefined;
    if (own === undefined) continue;
    report.warning(
      at,
      `account "${account}" uses its own permissions boundary (${own}): this opt-in lifts its denies only if that policy, like deploy/account-setup.yaml's hallpass-boundary, allows what it denies when the grant role carries ${tags} = true.`,
    );
  }
}

/**
 * Rules that name only users (no team, no "any code owner") can be counted from policies/
 * alone: one person's approval counts for one rule only, so together they need as many
 * different people as their counts add up to, each named by the rule they approve for. A
 * maximum matching of approvals to named people says whether that can ever happen. Teams are
 * resolved on GitHub, so rules with a team are not counted here.
 */
function checkApprovers(approval: Approval, path: PropertyKey[], report: Report): void {
  const people = new Map<string, string>();
  const slots: Set<string>[] = [];
  for (const rule of approval.rules) {
    if (rule.from === undefined || rule.from.some((owner) => owner.includes("/"))) continue;
    const named = new Set(rule.from.map((owner) => owner.toLowerCase()));
    for (const owner of rule.from) {
      if (!people.has(owner.toLowerCase())) people.set(owner.toLowerCase(), owner);
    }
    for (let i = 0; i < rule.count; i++) slots.push(named);
  }
  const assigned = new Map<string, number>();
  const assign = (slot: number, tried: Set<string>): boolean => {
    for (const person of slots[slot]!) {
      if (tried.has(person)) continue;
      tried.add(person);
      const holder = assigned.get(person);
      if (holder === undefined || assign(holder, tried)) {
        assigned.set(person, slot);
        return true;
      }
    }
    return false;
  };
  let met = 0;
  for (let slot = 0; slot < slots.length; slot++) if (assign(slot, new Set())) met++;
  if (met < slots.length) {
    const names = [...people.values()].join(", ");
    report.error(
      path,
      `these approval rules need ${slots.length} different approvers, but only ${met} ${met === 1 ? "person" : "people"} can give them (${names}): one person's approval counts for one rule only, so no request could ever be approved. Lower a count, or name more people or a team.`,
    );
  }
}

function checkStatement(statement: Statement, path: PropertyKey[], report: Report): void {
  statement.actions.forEach((action, index) => {
    if (!IAM_ACTION.test(action)) {
      report.error(
        [...path, "actions", index],
        `"${action}" is not an IAM action: write service:Action, such as "rds:DescribeDBInstances" or "rds:Describe*".`,
      );
    }
  });
  statement.resources.forEach((resource, index) => {
    if (!RESOURCE.test(resource)) {
      report.error(
        [...path, "resources", index],
        `"${resource}" is not a resource: write "*" or an ARN such as arn:aws:rds:eu-west-1:123456789012:db:orders.`,
      );
    }
  });
  for (const [operator, entries] of Object.entries(statement.conditions ?? {})) {
    const base = operator.replace(/^(ForAllValues|ForAnyValue):/, "").replace(/IfExists$/, "");
    if (!CONDITION_OPERATORS.has(base)) {
      report.error(
        [...path, "conditions", operator],
        `"${operator}" is not an IAM condition operator.${didYouMean(base, CONDITION_OPERATORS)}`,
        "key",
      );
    }
    for (const key of Object.keys(entries)) {
      if (statement.effect === "Allow" && key.toLowerCase() === "aws:currenttime") {
        // IAM ORs the values of a repeated key: a role's own time bound could outlive the grant.
        report.error(
          [...path, "conditions", operator, key],
          "an Allow statement cannot have its own aws:CurrentTime condition: hallpass bounds every Allow by the grant's window. Remove it.",
          "key",
        );
      }
      if (!CONDITION_KEY.test(key)) {
        report.error(
          [...path, "conditions", operator, key],
          `"${key}" is not a condition key: write prefix:Name, such as aws:SourceIp or rds:DatabaseEngine.`,
          "key",
        );
      }
    }
  }
}

/**
 * Length of the role's statements as hallpass renders them into the grant role's inline
 * policy (JSON without whitespace, each Allow bounded by the grant's window), the measure IAM
 * applies to its 10,240-character limit.
 */
export function inlinePolicySize(statements: readonly Statement[]): number {
  // The same bounds the grant planner adds, with the longest timestamp form it may write.
  const time = "2000-01-01T00:00:00.000Z";
  const expiry = {
    DateGreaterThanEquals: { "aws:CurrentTime": time },
    DateLessThan: { "aws:CurrentTime": time },
  };
  const rendered = statements.map((s) => ({
    ...(s.sid ? { Sid: s.sid } : {}),
    Effect: s.effect,
    Action: s.actions,
    Resource: s.resources,
    ...(s.conditions || s.effect === "Allow"
      ? { Condition: { ...(s.conditions ?? {}), ...(s.effect === "Allow" ? expiry : {}) } }
      : {}),
  }));
  return JSON.stringify({ Version: "2012-10-17", Statement: rendered }).length;
}

function checkSettings(policies: Policies, report: Report): void {
  const { settings } = policies;
  for (const [name, account] of Object.entries(policies.accounts)) {
    if (account.permissionsBoundary !== undefined) continue;
    const arn = settings.permissionsBoundary.replaceAll("{accountId}", account.id);
    checkBoundary(arn, account.id, ["settings", "permissionsBoundary"], report, name);
  }
  checkDuration(settings.auditDelay, ["settings", "auditDelay"], report);
  if (settings.approvalMaxAge) {
    checkDuration(settings.approvalMaxAge, ["settings", "approvalMaxAge"], report);
  }
  const names = new Set<string>();
  settings.alerts.forEach((alert, index) => {
    if (names.has(alert.name)) {
      report.error(
        ["settings", "alerts", index, "name"],
        `alert "${alert.name}" is defined twice; give each alert its own name.`,
      );
    }
    names.add(alert.name);
    (alert.actions ?? []).forEach((action, actionIndex) => {
      if (!ALERT_ACTION.test(action)) {
        report.error(
          ["settings", "alerts", index, "actions", actionIndex],
          `"${action}" is not an event pattern: write service:EventName, where * is any run of characters and ? exactly one, such as "iam:*", "ec2:AuthorizeSecurityGroup*" or "*:Delete*".`,
        );
      }
    });
  });
}

/** Every channel named resolves; reminder, closing and warning times are durations in order. */
function checkNotifications(policies: Policies, report: Report): void {
  const settings = policies.settings.notifications;
  const at = (...rest: PropertyKey[]) => ["settings", "notifications", ...rest];
  const channels = settings.channels ?? {};
  const known = Object.keys(channels);
  const checkChannels = (names: readonly string[] | undefined, path: PropertyKey[]) =>
    (names ?? []).forEach((name, index) => {
      if (Object.hasOwn(channels, name)) return;
      report.error(
        [...path, index],
        `channel "${name}" is not defined under settings.notifications.channels:.${didYouMean(name, known)}`,
      );
    });
  checkChannels(settings.notify, at("notify"));
  for (const [name, role] of Object.entries(policies.roles)) {
    checkChannels(role.notify, ["roles", name, "notify"]);
  }
  const seconds: Partial<Record<"remindAfter" | "closeAfter" | "expiryWarning", number>> = {};
  for (const key of ["remindAfter", "closeAfter", "expiryWarning"] as const) {
    const text = settings[key];
    if (text !== undefined) seconds[key] = checkDuration(text, at(key), report);
  }
  const { remindAfter: remind, closeAfter: close } = seconds;
  if (remind !== undefined && close !== undefined && close <= remind) {
    report.error(
      at("closeAfter"),
      `closeAfter (${settings.closeAfter}) must be longer than remindAfter (${settings.remindAfter}): approvers are reminded before a request is closed.`,
    );
  }
}

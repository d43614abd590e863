/**
 * Renders an evaluation as the `hallpass/approval` check run: the reviewer's dashboard.
 * The summary says, in plain words, who asks for what, where, for how long and why; what the
 * role allows; each approval rule with who approved and who still can; and what is missing.
 * Problems in the request file become annotations at their line.
 */

import type { Owner } from "../policy/codeowners.ts";
import {
  PERSISTENCE_CLASS_DESCRIPTIONS,
  type PersistenceClass,
} from "../policy/persistence-classes.ts";
import { formatDuration } from "../request/duration.ts";
import { formatProblem } from "../source/problem.ts";
import {
  markdownCode,
  markdownMention,
  markdownOwner,
  markdownText,
} from "../text/escape-markdown.ts";
import { approvedUntilExternalId } from "./approval-expiry.ts";
import type { DecisionStatus } from "./decide-approval.ts";
import type { RoleAccess } from "./describe-role-access.ts";
import type { CheckAnnotation, CheckRunOutput } from "./pull-request.ts";
import type { PullRequestEvaluation } from "./pull-request-evaluation.ts";
import { renderRoleAccess } from "./render-role-access.ts";

/** The check's name: branch protection requires it, pinned to the hallpass app. */
export const CHECK_NAME = "hallpass/approval";

/**
 * Conclusions: only `approved` is green. `pending` is `action_required` rather than an
 * in-progress run, because GitHub does not reliably reset a completed run back to in progress.
 * `skipped` (not an access request) is neutral, which a required check accepts.
 */
const CONCLUSIONS: Record<DecisionStatus, NonNullable<CheckRunOutput["conclusion"]>> = {
  skipped: "neutral",
  pending: "action_required",
  approved: "success",
  disapproved: "failure",
  error: "failure",
};

const ICONS: Record<DecisionStatus, string> = {
  skipped: "⚪",
  pending: "🟡",
  approved: "✅",
  disapproved: "⛔",
  error: "❌",
};

/** User-written text must not inject markup: every value goes through escape-markdown. */
const md = markdownText;

function who(logins: readonly string[]): string {
  return logins.length > 0 ? logins.map(markdownMention).join(", ") : "—";
}

function ownerText(owner: Owner): string {
  return owner.text;
}

function requestSection(evaluation: PullRequestEvaluation, access?: RoleAccess): string[] {
  const validated = evaluation.request;
  if (!validated) return [];
  const { request, role, account, durationSeconds, start } = validated;
  const lines: string[] = [];
  if (validated.emergency) {
    lines.push(
      "> [!CAUTION]",
      "> **BREAK-GLASS REQUEST.** The role's reduced emergency approval rule applies. A post-incident review issue is opened when this is merged; approvers must review the access after the fact.",
      "",
    );
  }
  lines.push(...persistenceWarning(request.role, role.allowPersistence ?? []));
  lines.push(
    `**${markdownMention(request.requester)}** asks for **${md(request.role)}** in **${md(request.account)}** (${account.id}) for **${formatDuration(durationSeconds)}**, ${start ? `from ${start.toISOString()}` : "starting when merged"}.`,
    "",
    "| | |",
    "|---|---|",
    `| Why | ${md(request.reason)} |`,
  );
  if (request.ticket) lines.push(`| Ticket | ${md(request.ticket)} |`);
  if (request.extends)
    lines.push(`| Extends | ${markdownCode(request.extends).replace(/\|/g, "\\|")} |`);
  if (account.description) lines.push(`| Account | ${md(account.description)} |`);
  lines.push(
    "",
    `### What role ${markdownCode(request.role)} allows`,
    "",
    md(role.description),
    "",
  );
  for (const arn of role.permissions.managedPolicies ?? [])
    lines.push(`- managed policy ${markdownCode(arn)}`);
  for (const s of role.permissions.statements ?? []) {
    const cond = s.conditions ? " (with conditions)" : "";
    lines.push(
      `- ${s.effect} ${s.actions.map(markdownCode).join(", ")} on ${s.resources.map(markdownCode).join(", ")}${cond}`,
    );
  }
  lines.push("- every Allow ends at the expiry, enforced by IAM itself", "");
  if (access) lines.push(...renderRoleAccess(access));
  return lines;
}

/**
 * The role's persistence opt-ins, each on its own line of a warning: what a grant may plant that
 * the boundary would otherwise deny, and that can still admit someone after the expiry.
 */
function persistenceWarning(roleName: string, classes: readonly PersistenceClass[]): string[] {
  if (classes.length === 0) return [];
  return [
    "> [!WARNING]",
    `> **Access that can outlive the grant.** Role ${markdownCode(roleName)} lifts the permissions boundary's deny of the classes below (\`allowPersistence\` in \`policies/\`). What the grant changes with them can still admit someone after the expiry; check the audit summary for it.`,
    ...classes.map((name) => `> - \`${name}\`: ${PERSISTENCE_CLASS_DESCRIPTIONS[name]}`),
    "",
  ];
}

function approvalSection(evaluation: PullRequestEvaluation): string[] {
  const decision = evaluation.decision;
  const lines: string[] = [];
  if (evaluation.owners) {
    const owners = evaluation.owners.owners.map(ownerText).join(" ") || "(none)";
    lines.push(
      `Code owners of ${markdownCode(evaluation.requestPath ?? "")}: ${owners} (${markdownCode(evaluation.owners.file)} line ${evaluation.owners.line}, at ${evaluation.rulesSha ? `commit ${evaluation.rulesSha.slice(0, 7)}` : "the base commit"}).`,
      "",
    );
  }
  if (!decision) return lines;
  lines.push(
    "### Approvals",
    "",
    "| Rule | Needs | Approved by | Can still approve | |",
    "|---|---|---|---|---|",
  );
  for (const rule of decision.rules) {
    const from = rule.rule.from ? ` from ${rule.rule.from.map(markdownOwner).join(", ")}` : "";
    lines.push(
      `| ${md(rule.label)} | ${rule.rule.count}${from} | ${who(rule.approvedBy)} | ${who(rule.canStillApprove)} | ${rule.satisfied ? "✅" : `missing ${rule.missing}`} |`,
    );
  }
  lines.push("", ...countsUntilLines(decision.countsUntil), ...autoApprovalLines(evaluation));
  if (decision.blockedBy.length > 0) {
    lines.push("### Blocking", "");
    for (const b of decision.blockedBy)
      lines.push(`- ${markdownMention(b.reviewer)} ${md(b.reason)}`);
    lines.push("");
  }
  const notes = [
    ...decision.ignored.map(
      (i) => `- ${markdownMention(i.reviewer)}'s review does not count: ${md(i.reason)}`,
    ),
    ...decision.approvals
      .filter((a) => a.rules.length === 0)
      .map(
        (a) =>
          `- ${markdownMention(a.reviewer)}'s approval was not needed: every rule of their group has enough approvals from others (one person's approval counts for one rule only)`,
      ),
    ...decision.excluded.map(
      (e) => `- ${markdownMention(e.login)} cannot approve: ${md(e.reason)}`,
    ),
    ...decision.unresolvedOwners.map(
      (o) =>
        `- ${md(o)} is an email owner; hallpass cannot match it to a login, write @login in CODEOWNERS`,
    ),
  ];
  if (notes.length > 0) lines.push("### Not counted", "", ...notes, "");
  return lines;
}

/** Until when the approval holds, when approvals age out (`countsUntil`). */
function countsUntilLines(until: string | undefined): string[] {
  if (!until) return [];
  return [
    `These approvals count until **${until}**: then an approval ages out (\`approval.maxAge\` or \`settings.approvalMaxAge\` in \`policies/\`), this check turns back to waiting, and a merge grants nothing until someone approves again.`,
    "",
  ];
}

/**
 * Why a request is green without review (the policy rule and its limit), or why the role's rule
 * does not apply to it: a reviewer sees what the policy decided and what it did not.
 */
function autoApprovalLines(evaluation: PullRequestEvaluation): string[] {
  const auto = evaluation.decision?.autoApproved;
  const role = markdownCode(evaluation.request?.request.role ?? "");
  if (auto) {
    const field = auto.kind === "extension" ? "extension.withoutApproval" : "autoApproval";
    const what =
      auto.kind === "extension"
        ? `one extension of the live grant of ${markdownCode(auto.extends ?? "")}`
        : "a request";
    return [
      "### Approved without review",
      "",
      `Role ${role} approves ${what} of up to ${md(auto.limit)} without review (${markdownCode(field)} in \`policies/\`, rule ${md(auto.rule)}). The grant is recorded and audited as any other; a change request from a code owner would still block it.`,
      "",
    ];
  }
  const note = evaluation.autoApprovalNote;
  if (!note) return [];
  return [`Role ${role}'s approval without review does not apply: ${md(note)}.`, ""];
}

/**
 * The check run for an evaluation. Deterministic: the same evaluation renders the same output.
 * `access`, when the role's actions could be expanded, shows reviewers what the role really
 * allows.
 */
export function renderCheck(
  evaluation: PullRequestEvaluation,
  access?: RoleAccess,
): CheckRunOutput {
  const { status } = evaluation;
  const lines: string[] = [`## ${ICONS[status]} ${md(evaluation.title)}`, ""];
  if (evaluation.reasons.length > 0 && status !== "approved") {
    lines.push(status === "skipped" ? "" : "### What is missing", "");
    for (const reason of evaluation.reasons) lines.push(`- ${reason}`);
    lines.push("");
  }
  lines.push(...requestSection(evaluation, access), ...approvalSection(evaluation));
  if (evaluation.problems.length > 0) {
    lines.push("### Problems", "");
    for (const p of evaluation.problems) lines.push(`- ${markdownCode(formatProblem(p))}`);
    lines.push("");
  }
  if (evaluation.baseProblems.length > 0) {
    lines.push("### Problems on the base branch (policies, CODEOWNERS)", "");
    for (const p of evaluation.baseProblems) lines.push(`- ${md(formatProblem(p))}`);
    lines.push("");
  }
  lines.push(
    `<sub>Evaluated on head ${evaluation.pullRequest.headSha.slice(0, 7)} with policies and CODEOWNERS from ${evaluation.pullRequest.merged ? "merge" : "base"} ${(evaluation.rulesSha ?? evaluation.pullRequest.baseSha).slice(0, 7)}.</sub>`,
  );
  const annotations: CheckAnnotation[] = [
    ...evaluation.problems.map((p) => ({
      path: p.file,
      startLine: p.line,
      endLine: p.line,
      level: p.severity === "error" ? ("failure" as const) : ("warning" as const),
      message: p.message,
      ...(p.field ? { title: p.field } : {}),
    })),
  ];
  return {
    status: "completed",
    conclusion: CONCLUSIONS[status],
    title:
      evaluation.title.length > 250 ? `${evaluation.title.slice(0, 247)}...` : evaluation.title,
    summary: lines.join("\n"),
    annotations,
    // Every green run says until when it holds, or clears what an earlier one said.
    ...(status === "approved"
      ? { externalId: approvedUntilExternalId(evaluation.decision?.countsUntil) }
      : {}),
  };
}

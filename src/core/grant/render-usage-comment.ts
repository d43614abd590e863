import { formatDuration } from "../request/duration.ts";
import { markdownCode, markdownCodeCell, markdownMention } from "../text/escape-markdown.ts";
import { GRANT_TAGS } from "./grant-tags.ts";
import type { GrantPlan } from "./plan-grant.ts";

/** Hidden marker of the one grant comment on a pull request (created, then edited). */
export const GRANT_COMMENT_MARKER = "<!-- hallpass:grant -->";

/** STS refuses DurationSeconds under 900. */
const MIN_STS_SESSION = 900;
/** Role chaining (assuming a role from a role session) caps a session at one hour. */
const CHAINED_SESSION_CAP = 3_600;

export interface UsageInput {
  plan: GrantPlan;
  roleArn: string;
  /** The requester's own AWS principal (the one the trust policy admits). */
  principal: string;
  /** Names in policies/, for the title and the profile name. */
  roleName: string;
  accountName: string;
  now: Date;
  /** Request path of a grant this one replaced (an extension). */
  replaced?: string;
}

/** True when the principal is a role or a role session: assuming from it is role chaining. */
function isRoleSession(principal: string): boolean {
  return /:(role|assumed-role)\//.test(principal);
}

/**
 * The session length to ask STS for at `now`: what is left of the window, within the role's
 * MaxSessionDuration and role chaining's one hour, and never under STS's 900 s minimum (the
 * expiry deny ends such a session at the expiry second anyway).
 */
export function sessionSecondsFor(plan: GrantPlan, principal: string, now: Date): number {
  const left = Math.floor((Date.parse(plan.expiresAt) - now.getTime()) / 1000);
  const cap = isRoleSession(principal)
    ? Math.min(CHAINED_SESSION_CAP, plan.maxSessionDuration)
    : plan.maxSessionDuration;
  return Math.max(MIN_STS_SESSION, Math.min(left, cap));
}

/** "in 1h59m" or "1h ago", from `now`. */
function relative(iso: string, now: Date): string {
  const seconds = Math.round((Date.parse(iso) - now.getTime()) / 1000);
  return seconds >= 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

function utc(iso: string): string {
  return `${iso.replace("T", " ").replace(/Z$/, "")} UTC`;
}

/**
 * The comment that tells the requester how to use a grant: the exact `aws sts assume-role`
 * command (with `--source-identity`, which the trust policy requires), a profile for
 * ~/.aws/config, the session length to ask for, and the expiry in UTC and relative terms.
 */
export function renderUsageComment(input: UsageInput): string {
  const { plan, roleArn, now } = input;
  const seconds = sessionSecondsFor(plan, input.principal, now);
  const chained = isRoleSession(input.principal);
  const startsAt = plan.tags[GRANT_TAGS.startsAt];
  const startsLater = startsAt !== undefined && Date.parse(startsAt) > now.getTime();
  const profile = `hallpass-${input.accountName}-${input.roleName}`;
  const assume = [
    "aws sts assume-role",
    `  --role-arn ${roleArn}`,
    `  --role-session-name ${plan.sessionName}`,
    `  --source-identity ${plan.sourceIdentity}`,
    `  --duration-seconds ${seconds}`,
  ].join(" \\\n");
  const query =
    "Credentials.{Version:`1`,AccessKeyId:AccessKeyId,SecretAccessKey:SecretAccessKey,SessionToken:SessionToken,Expiration:Expiration}";
  const lines = [
    GRANT_COMMENT_MARKER,
    `### Access granted: ${markdownCode(input.roleName)} in ${markdownCode(input.accountName)} (${plan.accountId})`,
    "",
    `${markdownMention(plan.sourceIdentity)}: ${startsLater ? `your access starts **${utc(startsAt!)}** (${relative(startsAt!, now)}); until then the role cannot be assumed. It ` : "your access "}ends **${utc(plan.expiresAt)}** (${relative(plan.expiresAt, now)}). Every session stops working at that second, whatever its length.`,
    "",
    "| | |",
    "|---|---|",
    `| Role | ${markdownCodeCell(roleArn)} |`,
    `| Assume it as | ${markdownCodeCell(input.principal)} |`,
    `| Session name (required) | ${markdownCodeCell(plan.sessionName)} |`,
    `| Source identity (required) | ${markdownCodeCell(plan.sourceIdentity)} |`,
    `| Session length to ask for | ${seconds} s (${formatDuration(seconds)})${chained ? "; you sign in through a role, and role chaining caps sessions at 1 h: assume again when it runs out" : ""} |`,
    `| Expires | ${utc(plan.expiresAt)} (${relative(plan.expiresAt, now)}) |`,
    "",
    "With your usual credentials:",
    "",
    "```sh",
    assume,
    "```",
    "",
    `Or as a profile in \`~/.aws/config\` (the AWS CLI has no \`source_identity\` setting, so the profile runs the command above; add \`--profile <name>\` to it if you sign in with a named profile), then use ${markdownCode(`--profile ${profile}`)}:`,
    "",
    "```ini",
    `[profile ${profile}]`,
    `credential_process = aws sts assume-role --role-arn ${roleArn} --role-session-name ${plan.sessionName} --source-identity ${plan.sourceIdentity} --duration-seconds ${seconds} --query "${query}" --output json`,
    "```",
    "",
    "IAM takes a few seconds to make a new role usable everywhere: if the first call says `AccessDenied`, wait ten seconds and try again.",
    "",
    `For the AWS console, run ${markdownCode(`hallpass console ${plan.tags[GRANT_TAGS.request] ?? "<request file>"} --open`)} in the access repository (after \`git pull\`): it assumes the role as above and signs you in through AWS's federation endpoint, under the same session name and source identity.`,
    "",
    "To give the access back early, comment `/hallpass revoke` on this pull request. To extend it, comment `/hallpass extend <duration>` (or open a new request with `extends:` naming this one).",
  ];
  if (input.replaced) {
    lines.push(
      "",
      `This grant replaces the one of ${markdownCode(input.replaced)}, which has been revoked now that this one is live.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

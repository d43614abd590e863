import { z } from "zod";
import { githubLogin, policyName } from "../request/request-format.ts";
import { persistenceClass } from "./persistence-classes.ts";

/**
 * The policy files: every `*.yaml` under `policies/`, written by the platform and security
 * team and protected by CODEOWNERS. Each file may hold any of the four sections below; the
 * files are merged, and a name defined twice is an error. hallpass always reads them from the
 * base branch of a pull request, so a request can never change its own rules.
 *
 * This zod schema is the single source of the format: `policies/schema.json` is generated from
 * it (`npm run generate`) and a test fails when that file is stale. Rules that span files
 * (every reference resolves, documents fit IAM's limits) live in `validate-policies.ts`.
 */

const awsAccountId = z.string().regex(/^\d{12}$/, {
  message: 'must be a 12-digit AWS account id, quoted so YAML keeps leading zeros ("012345678901")',
});

const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/, {
  message: "must be an ARN such as arn:aws:iam::123456789012:role/name",
});

const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, {
  message: "must be an AWS region such as us-east-1",
});

/** `@org/team` or `@login`: the same spelling CODEOWNERS uses. */
export const ownerReference = z.string().regex(/^@[A-Za-z0-9-]+(\/[A-Za-z0-9._-]+)?$/, {
  message: "must be a team (@org/team-slug) or a user (@login), as written in CODEOWNERS",
});

/** `owner/repo` as GitHub spells a repository (compared case-insensitively, as GitHub does). */
const repositoryName = z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, {
  message: 'must be a repository as owner/repo ("acme/other-access")',
});

const durationText = z
  .string()
  .min(1)
  .describe('A duration: ISO-8601 ("PT4H") or short form ("4h", "90m", "1d").');

export const accountSchema = z
  .strictObject({
    id: awsAccountId.describe("The 12-digit AWS account id, quoted."),
    description: z.string().optional().describe("What this account is, for reviewers."),
    brokerRole: arn.describe(
      "ARN of the broker role in this account that the app and the scheduled action assume to create and delete grant roles (see deploy/account-setup.yaml).",
    ),
    regions: z
      .array(region)
      .min(1)
      .describe(
        "Regions in use. The audit reads CloudTrail in each of them, and always in us-east-1 for IAM and STS.",
      ),
    permissionsBoundary: arn
      .optional()
      .describe(
        "Permissions boundary ARN for grant roles in this account. Default: settings.permissionsBoundary with {accountId} replaced.",
      ),
    sharedWith: z
      .array(repositoryName)
      .optional()
      .describe(
        "Other access repositories (owner/repo) whose hallpass may also make grant roles in this account. The sweep leaves a role under /hallpass/ alone only when no grant record of this repository names it and its hallpass:repository tag names one of these; any other unrecorded role, whatever its tag says, is revoked and alerted on. Default: none (the account is this repository's alone).",
      ),
  })
  .describe("An AWS account that access can be granted in.");

export const identitySchema = z
  .strictObject({
    awsPrincipal: arn.describe(
      "ARN of the IAM user this person signs in to AWS as, or of their own role session (arn:aws:sts::<account>:assumed-role/<role>/<session>). A plain role is refused: several people could use it. Only this principal may assume their grant roles.",
    ),
    name: z.string().optional().describe("The person's name, for reports."),
  })
  .describe("How a GitHub login signs in to AWS.");

export const statementSchema = z
  .strictObject({
    sid: z
      .string()
      .regex(/^[A-Za-z0-9]*$/, { message: "must be letters and digits only (IAM's rule for Sid)" })
      .optional()
      .describe("Statement id, letters and digits only."),
    effect: z
      .enum(["Allow", "Deny"])
      .default("Allow")
      .describe("Allow (default) or Deny. Every Allow is bounded by the grant's expiry."),
    actions: z
      .array(z.string().min(1))
      .min(1)
      .describe('IAM actions, service:Action with * wildcards ("rds:Describe*").'),
    resources: z
      .array(z.string().min(1))
      .min(1)
      .default(["*"])
      .describe('Resource ARNs with wildcards. Default: ["*"].'),
    conditions: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
      .optional()
      .describe(
        "IAM condition block, as in a policy document: operator -> key -> value(s). The expiry condition is added by hallpass.",
      ),
  })
  .describe("One IAM policy statement of a role's permissions.");

export const approvalRuleSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe("What this rule is for, shown on the check."),
    count: z
      .number()
      .int()
      .min(1)
      .max(20)
      .describe("How many different people must approve under this rule."),
    from: z
      .array(ownerReference)
      .min(1)
      .optional()
      .describe(
        "Only code owners who are these users or members of these teams count for this rule. Default: any code owner of the request file.",
      ),
  })
  .describe(
    "One approval rule. Every rule of a role must hold, and one person's approval counts for one rule only: rules whose groups overlap still need different people (one from @acme/dba and one from @acme/security is two people, even if someone is in both teams). Approvers are always code owners of the request file, never the requester, the PR author or anyone who pushed to the PR.",
  );

export const approvalSchema = z
  .strictObject({
    rules: z
      .array(approvalRuleSchema)
      .min(1)
      .describe(
        'All of these must hold, each with its own approvers: one person\'s approval counts for one rule only. For "two people, one of them from security", write {count: 1, from: ["@org/security"]} and {count: 1} (any code owner).',
      ),
    maxAge: durationText
      .optional()
      .describe(
        "How long an approval counts, from the review's submission: an older approval is ignored on the check and at the merge (merging long after an approval grants nothing). Overrides settings.approvalMaxAge. Default: settings.approvalMaxAge, else no limit.",
      ),
  })
  .describe("Who must approve.");

export const roleSchema = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .describe("What this role is for and what it allows, in plain words for reviewers."),
    accounts: z
      .array(policyName)
      .min(1)
      .describe("Accounts (by name) this role can be granted in."),
    maxDuration: durationText.describe("Longest duration a request for this role may ask for."),
    eligible: z
      .array(ownerReference)
      .min(1)
      .optional()
      .describe(
        "Who may request this role: users (@login) and teams (@org/team-slug), as written in CODEOWNERS. Anyone else's request fails the check, however approved, and is refused again at merge; a team that cannot be read fails closed. Default: anyone with an identity.",
      ),
    permissions: z
      .strictObject({
        managedPolicies: z
          .array(arn)
          .max(20)
          .optional()
          .describe("Managed policy ARNs to attach (at most 20, IAM's limit per role)."),
        statements: z
          .array(statementSchema)
          .optional()
          .describe("Inline statements. Every Allow is bounded by the grant's expiry."),
      })
      .describe("What the grant allows: managed policies and/or inline statements."),
    allowPersistence: z
      .array(persistenceClass)
      .min(1)
      .optional()
      .describe(
        "Classes of lasting access the permissions boundary denies by default and this role's grants may use: federation (identity providers, IAM Roles Anywhere), other-principals (other roles', users' and groups' trust, policies and boundaries; a role made with it has no boundary, so it lifts the rest too), resource-policies (policies, ACLs, grants and sharing that can admit outside principals), sign-in-routes (Cognito users, EC2 Instance Connect and key pairs, Transfer Family users). Each is written as a tag on the grant role that only the broker can set; the check shows reviewers every opt-in. Default: none.",
      ),
    approval: approvalSchema,
    notify: z
      .array(policyName)
      .min(1)
      .optional()
      .describe(
        "Notification channels (names under settings.notifications.channels) told of this role's requests as they move: awaiting review, approved or refused, reminded, closed as stale, granted, about to expire, revoked. Typically the approvers' channel. Added to settings.notifications.notify. Default: none.",
      ),
    autoApproval: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .optional()
          .describe(
            "What this rule is called on the check. Default: auto-approval up to <maxDuration>.",
          ),
        maxDuration: durationText.describe(
          "Longest request that needs no approval (at most the role's maxDuration). Longer requests need approvals as usual.",
        ),
      })
      .optional()
      .describe(
        "Opt-in: a request of this role for at most maxDuration is approved without review (for short read-only access, so that nobody rubber-stamps). Never for an emergency request or an extension (`extends:`), nor for a pull request that holds anything but its one request file; a change request from an eligible code owner still blocks it; `eligible:` still applies. The rule is read at the base commit, so a role that drops it before the merge is refused at the merge unless approved. Default: every request needs approval.",
      ),
    extension: z
      .strictObject({
        withoutApproval: durationText.describe(
          "Longest extension that needs no approval (at most the role's maxDuration).",
        ),
      })
      .optional()
      .describe(
        "Opt-in: one extension of a live grant (a request with `extends:` naming it, same requester, role and account) for at most withoutApproval is approved without review; at most one per original grant (the chain of `extends:` is read from the grant records). Never for an emergency request. Default: every extension needs approval.",
      ),
    ticket: z
      .strictObject({
        required: z.boolean().default(true).describe("Whether a request must name a ticket."),
        pattern: z
          .string()
          .optional()
          .describe(
            'Regular expression the ticket must match, such as "^(INC|CHG)-[0-9]+$". Run in linear time: no backreferences or lookaround; at most 200 characters.',
          ),
      })
      .optional()
      .describe("Ticket requirement for requests of this role."),
    breakGlass: z
      .strictObject({
        allowed: z.boolean().describe("Whether emergency: true requests are accepted."),
        maxDuration: durationText.describe("Longest emergency duration."),
        approval: approvalSchema.describe(
          "The reduced approval rule for emergencies. A follow-up review issue is always opened.",
        ),
      })
      .optional()
      .describe("Break-glass: a faster path for incidents, reviewed after the fact."),
  })
  .describe("A role that can be requested: its permissions, limits and approval rules.");

/** The login the app's bot commits as by default: the app's slug with GitHub's `[bot]`. */
export const DEFAULT_RECORD_WRITER = "hallpass[bot]";

/** A GitHub login, a bot's with its `[bot]` suffix. */
const writerLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, {
  message: 'must be a GitHub login, a bot\'s with its suffix ("hallpass[bot]")',
});

export const alertRuleSchema = z
  .strictObject({
    name: policyName.describe("Name of the alert, shown in comments and the dashboard."),
    description: z.string().optional().describe("Why this activity is risky."),
    actions: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Events that match, as service:EventName patterns ("iam:*", "ec2:AuthorizeSecurityGroup*", "*:Delete*"), matched against the whole name, case-insensitively: * is any run of characters (none included), ? exactly one character. Service is the eventSource without .amazonaws.com. Default: every event.',
      ),
    writesOnly: z
      .boolean()
      .default(false)
      .describe("Only events that change something (readOnly false or missing)."),
    errorCodes: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Only failed events with one of these error codes ("AccessDenied").'),
    threshold: z
      .strictObject({
        count: z.number().int().min(1).describe("How many matching events..."),
        withinMinutes: z.number().int().min(1).describe("...within how many minutes."),
      })
      .optional()
      .describe("Fire only on a burst. Default: every matching event fires."),
    severity: z.enum(["low", "medium", "high", "critical"]).default("high"),
    revoke: z.boolean().default(false).describe("Revoke the grant at once when this alert fires."),
  })
  .describe("A rule that raises an alert on a live grant's CloudTrail activity.");

export const channelSchema = z
  .strictObject({
    webhookEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, {
        message:
          "must be the name of the environment variable that holds the webhook URL (upper case, digits, _), never the URL itself: keep the URL in a secret",
      })
      .describe(
        "Name of the environment variable (a secret) holding the webhook URL. Never put the URL itself here.",
      ),
    format: z
      .enum(["slack", "json"])
      .default("slack")
      .describe(
        'What is posted: "slack" is a Slack incoming-webhook message ({"text": ...}); "json" is the notification as data (see docs/app.md) for any other receiver. Default: slack.',
      ),
  })
  .describe("A webhook that notifications are posted to.");

export const settingsSchema = z
  .strictObject({
    permissionsBoundary: z
      .string()
      .min(1)
      .describe(
        "Permissions boundary ARN attached to every grant role; {accountId} is replaced by the account's id.",
      ),
    reasonMinLength: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe("Shortest reason accepted, in characters."),
    approvalMaxAge: durationText
      .optional()
      .describe(
        "How long an approval counts, from the review's submission, for every role that does not set approval.maxAge: an older approval is ignored on the check and at the merge. Default: no limit.",
      ),
    auditDelay: durationText
      .default("30m")
      .describe("How long after a grant ends the audit summary is written (CloudTrail delivery)."),
    alerts: z.array(alertRuleSchema).default([]).describe("Alert rules for live grants."),
    notifications: z
      .strictObject({
        slackWebhookEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .optional()
          .describe(
            "Name of the environment variable (a secret) holding a Slack incoming-webhook URL, where alerts (risky activity, refused or failed grants, drift) go. Never put the URL itself here.",
          ),
        channels: z
          .record(policyName, channelSchema)
          .optional()
          .describe(
            "Named webhooks told of requests as they move (see notify here and a role's notify). Default: none.",
          ),
        notify: z
          .array(policyName)
          .optional()
          .describe("Channels told of every role's requests as they move. Default: none."),
        remindAfter: durationText
          .optional()
          .describe(
            "How long an open request may wait without any review before the sweep reminds its eligible approvers (a PR comment mentioning them, and the channels). Once per pull request. Default: never.",
          ),
        closeAfter: durationText
          .optional()
          .describe(
            "How long an open request may wait without any review before the sweep closes its pull request with a comment saying why (and tells the channels). Longer than remindAfter. Default: never.",
          ),
        expiryWarning: durationText
          .optional()
          .describe(
            'How long before a grant expires the sweep comments on its pull request with the time left and how to extend it ("/hallpass extend <duration>"), and tells the channels. Once per grant. The sweep runs every few minutes, so give it at least 10m. Default: no warning.',
          ),
      })
      .default({})
      .describe(
        "Where alerts and notifications go besides the pull request. A notification that fails never stops a grant, a revocation or the sweep: it is logged (the sweep lists it among its issues), without the webhook URL.",
      ),
    recordWriters: z
      .strictObject({
        app: writerLogin
          .default(DEFAULT_RECORD_WRITER)
          .describe(
            'GitHub login of the hallpass app\'s bot (its slug and "[bot]"), whose commits write grant and refusal records.',
          ),
        action: writerLogin
          .default(DEFAULT_RECORD_WRITER)
          .describe(
            "GitHub login whose commits the scheduled action writes revocation, alerts and audit records with: the app's bot when the workflow mints the app's token (as the example does), \"github-actions[bot]\" when it commits with GITHUB_TOKEN.",
          ),
      })
      .default({ app: DEFAULT_RECORD_WRITER, action: DEFAULT_RECORD_WRITER })
      .describe(
        "Who may write lifecycle records: `hallpass verify` reports every record added or changed by a commit of anyone else.",
      ),
  })
  .describe("Organisation-wide settings. Exactly one policy file defines them.");

export const policyFileSchema = z
  .strictObject({
    accounts: z.record(policyName, accountSchema).optional().describe("AWS accounts by name."),
    identities: z
      .record(githubLogin, identitySchema)
      .optional()
      .describe("GitHub login -> AWS principal."),
    roles: z.record(policyName, roleSchema).optional().describe("Requestable roles by name."),
    settings: settingsSchema.optional(),
  })
  .describe("A hallpass policy file. See README.md.");

export type Account = z.infer<typeof accountSchema>;
export type Identity = z.infer<typeof identitySchema>;
export type Statement = z.infer<typeof statementSchema>;
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;
export type Approval = z.infer<typeof approvalSchema>;
export type AutoApprovalRule = NonNullable<z.infer<typeof roleSchema>["autoApproval"]>;
export type Role = z.infer<typeof roleSchema>;
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type Settings = z.infer<typeof settingsSchema>;
export type Channel = z.infer<typeof channelSchema>;
export type PolicyFile = z.infer<typeof policyFileSchema>;

/**
 * All policy files merged: what every decision reads. Built by `loadPolicies` only after every
 * file validated, so consumers can trust every reference.
 */
export interface Policies {
  accounts: Record<string, Account>;
  identities: Record<string, Identity>;
  roles: Record<string, Role>;
  settings: Settings;
}

/**
 * The access-request issue form (GitHub issue forms YAML), generated from the policies: its
 * role, account and duration dropdowns list what `policies/` defines, so the form changes
 * whenever they do (`npm run generate`, `hallpass form`; `--check` fails when it is stale).
 * The dropdowns only guide: the app validates every submitted form against the policies of
 * the default branch at that moment, as it would the request file.
 */

import { stringify } from "yaml";
import type { Policies, Role } from "../policy/policy-format.ts";
import { markdownCode, markdownText } from "../text/escape-markdown.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import {
  FORM_FIELDS,
  type FormField,
  ISSUE_FORM_LABEL,
  ISSUE_FORM_PATH,
} from "./issue-form-fields.ts";
import type { GeneratedFile } from "./render-json-schemas.ts";

/** The durations the form offers, up to the longest any role allows (plus each role's own). */
const DURATION_STEPS = ["15m", "30m", "1h", "2h", "4h", "8h", "12h", "1d"];

const HEADER = `# Generated from policies/ by \`npm run generate\` (or \`hallpass form\`). Do not edit: change the
# policies and generate it again. hallpass turns each issue opened from this form into an
# access-request pull request (see docs/app.md).
`;

/** The issue form for `policies`, at `ISSUE_FORM_PATH`. Deterministic: same policies, same file. */
export function renderIssueForm(policies: Policies): GeneratedFile {
  const roles = Object.entries(policies.roles).sort(([a], [b]) => a.localeCompare(b));
  const accounts = Object.keys(policies.accounts).sort();
  const form = {
    name: "Request AWS access",
    description:
      "Ask for temporary AWS access. hallpass opens the access-request pull request in your name for the code owners to approve.",
    title: "Access request",
    labels: [ISSUE_FORM_LABEL],
    body: [
      { type: "markdown", attributes: { value: introduction(roles, policies) } },
      dropdown(
        "role",
        "Which role you need (see the list above).",
        roles.map(([name]) => name),
      ),
      dropdown("account", "The AWS account; the role must be available there.", accounts),
      dropdown(
        "duration",
        "How long the access lasts, from the merge. At most the role's longest.",
        durationOptions(roles.map(([, role]) => role)),
      ),
      {
        type: "textarea",
        id: "reason",
        attributes: {
          label: labelOf("reason"),
          description: `What is broken or being done, and why it needs production, in words a reviewer can judge (at least ${policies.settings.reasonMinLength} characters).`,
        },
        validations: { required: true },
      },
      {
        type: "input",
        id: "ticket",
        attributes: {
          label: labelOf("ticket"),
          description: "The incident or change ticket, where the role requires one.",
        },
        validations: { required: false },
      },
    ],
  };
  return { path: ISSUE_FORM_PATH, content: HEADER + stringify(form, { lineWidth: 0 }) };
}

function labelOf(field: FormField): string {
  return FORM_FIELDS.find((f) => f.field === field)!.label;
}

function dropdown(field: FormField, description: string, options: string[]) {
  return {
    type: "dropdown",
    id: field,
    attributes: { label: labelOf(field), description, options },
    validations: { required: true },
  };
}

/** What the form says first: how it works, then each role in plain words. */
function introduction(roles: [string, Role][], policies: Policies): string {
  const lines = roles.map(([name, role]) => {
    const limits = [
      `in ${role.accounts.join(", ")}`,
      `at most ${durationText(role.maxDuration)}`,
      ...(role.ticket?.required === false || !role.ticket
        ? []
        : [
            `needs a ticket${role.ticket.pattern ? ` matching ${markdownCode(role.ticket.pattern)}` : ""}`,
          ]),
      ...(role.eligible ? [`only for ${role.eligible.map(markdownText).join(", ")}`] : []),
    ];
    return `- **${name}** (${limits.join("; ")}): ${markdownText(role.description)}`;
  });
  const unmapped = Object.keys(policies.identities).length === 0;
  return [
    "hallpass opens the access-request pull request for you, with you as the requester: the code owners approve it there, and you cannot approve your own request. When the form has a problem, hallpass says so in a comment here; edit the issue to fix it.",
    "",
    unmapped
      ? "No GitHub login is mapped to an AWS identity yet (policies/, `identities:`): ask the security team first."
      : "Your GitHub login must be mapped to your AWS identity in policies/ (`identities:`).",
    "",
    "Roles:",
    "",
    ...lines,
  ].join("\n");
}

/** A policy's duration as the form shows it (`8h`), or as written when it does not parse. */
function durationText(written: string): string {
  const parsed = parseDuration(written);
  return parsed.ok ? formatDuration(parsed.seconds) : written;
}

/** The steps up to the longest role's maximum, and every role's maximum, shortest first. */
function durationOptions(roles: Role[]): string[] {
  const maxima = roles.flatMap((role) => {
    const parsed = parseDuration(role.maxDuration);
    return parsed.ok && parsed.seconds > 0 ? [parsed.seconds] : [];
  });
  const longest = Math.max(0, ...maxima);
  const seconds = new Set(maxima);
  for (const step of DURATION_STEPS) {
    const parsed = parseDuration(step);
    if (parsed.ok && parsed.seconds <= longest) seconds.add(parsed.seconds);
  }
  return [...seconds].sort((a, b) => a - b).map(formatDuration);
}

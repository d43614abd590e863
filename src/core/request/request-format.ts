import { z } from "zod";

/**
 * The access-request file: one YAML file per request under `access-requests/`, written by
 * the engineer who needs access and added in a pull request of its own.
 *
 * This zod schema is the single source of the format: `access-requests/schema.json` is
 * generated from it (`npm run generate`) and a test fails when that file is stale.
 * Semantic rules that need the policies (does the role exist, is the duration allowed)
 * live in `validate-request.ts`.
 */

/** A GitHub login: 1-39 characters, alphanumeric or single hyphens, not starting with one. */
export const githubLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
  message: "must be a GitHub login such as octocat (letters, digits and single hyphens)",
});

/** A name defined in `policies/`: lower-case words joined by hyphens. */
export const policyName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
  message: "must be lower-case letters, digits and hyphens, as named in policies/",
});

export const accessRequestSchema = z
  .strictObject({
    requester: githubLogin.describe(
      "GitHub login of the person who will use the access. Must be the author of the pull request and have an identity in policies/.",
    ),
    role: policyName.describe("Name of a role defined under `roles:` in policies/."),
    account: policyName.describe(
      "Name of an AWS account defined under `accounts:` in policies/. The role must list it.",
    ),
    duration: z
      .string()
      .min(1)
      .describe(
        'How long the access lasts: ISO-8601 ("PT2H", "P1D") or short form ("90m", "2h", "1d", "1h30m"). At most the role\'s maxDuration.',
      ),
    reason: z
      .string()
      .describe(
        "Why the access is needed, in words a reviewer can judge: what is broken or being done, and why it needs production.",
      ),
    ticket: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Link or id of the incident or change ticket. Required, and checked against a pattern, where the role's policy says so.",
      ),
    start: z
      .string()
      .optional()
      .describe(
        "When the access begins, ISO-8601 with an offset (2026-11-27T09:00:00Z). Default: when the pull request is merged.",
      ),
    emergency: z
      .boolean()
      .optional()
      .describe(
        "true for break-glass: the role's reduced emergency approval rule applies, and a post-incident review is opened. Only where the role allows it.",
      ),
    extends: z
      .string()
      .optional()
      .describe(
        "Path of an earlier, granted request (from the repository root) that this one extends. Its grant is replaced by this one without a gap.",
      ),
  })
  .describe("A request for temporary AWS access, approved in a pull request. See README.md.");

/** An access request as written in its file, after schema validation. */
export type AccessRequest = z.infer<typeof accessRequestSchema>;

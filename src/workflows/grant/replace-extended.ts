/**
 * The grant's last change in AWS: an extension replaces the grant it names once the new one
 * exists, so there is no gap.
 */

import { expectedRoleOfRecord } from "../../core/grant/check-revocation-target.ts";
import type { GrantRecord } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import { markdownMention } from "../../core/text/escape-markdown.ts";
import type { AccountTarget } from "../../ports/aws.ts";
import { readGrantAndRevocation } from "../read-grant-record.ts";
import { revokeGrant } from "../revoke-grant.ts";
import type { GrantDeps } from "./grant-types.ts";

/** The extended grant's path, whether it was revoked (now or before), and why not if not. */
export interface Replacement {
  path?: string;
  revoked: boolean;
  problem?: string;
}

/**
 * Revokes the grant that `request.extends` names. Only a grant of the same requester in the
 * same account is revoked: `extends:` must not become a way to end someone else's access.
 */
export async function replaceExtended(
  deps: GrantDeps,
  context: { actor: string; branch: string; now: Date; account: AccountTarget },
  record: GrantRecord,
  request: { extends?: string | undefined },
): Promise<Replacement> {
  const path = request.extends;
  if (!path) return { revoked: false };
  const { grant: old, revocationText } = await readGrantAndRevocation(
    deps.github,
    context.branch,
    path,
  );
  const revoked = revocationText !== undefined;
  // A grant that cannot be replaced: not a problem when it has ended anyway.
  const refuse = (problem: string): Replacement =>
    revoked ? { path, revoked: true } : { path, revoked: false, problem };
  if (old.status === "missing") return refuse(`${path} has no grant record: nothing to replace.`);
  if (old.status === "unreadable") return refuse(`${recordPath(path, "grant")} cannot be read.`);
  if (old.record.requestPath !== path) {
    return refuse(
      `${recordPath(path, "grant")} is the grant of ${old.record.requestPath}, not of ${path}.`,
    );
  }
  if (
    old.record.requester.toLowerCase() !== record.requester.toLowerCase() ||
    old.record.account.id !== record.account.id
  ) {
    return refuse(
      `${path} is a grant of @${old.record.requester} in ${old.record.account.name}; an extension by ${markdownMention(record.requester)} in ${record.account.name} does not revoke it.`,
    );
  }
  if (old.record.roleArn === record.roleArn) return { path, revoked: false };
  // A new window that starts later must not open a gap: the old grant then ends by itself.
  if (!revoked && Date.parse(record.window.start) > context.now.getTime()) {
    return { path, revoked: false };
  }
  // Revoked already: revoking again finishes a removal that an earlier run began and could not
  // end (a redelivery completes it; the record is not written twice).
  try {
    await revokeGrant(
      { github: deps.github, aws: deps.aws, actor: context.actor, branch: context.branch },
      {
        // Same account id as the new grant (checked above), so the same broker role.
        account: context.account,
        roleName: old.record.roleName,
        roleArn: old.record.roleArn,
        expected: expectedRoleOfRecord(old.record, `${deps.github.owner}/${deps.github.repo}`),
        requestPath: path,
        reason: "replaced-by-extension",
        detail: `replaced by ${record.requestPath} (pull request #${record.pullRequest.number}), granted until ${record.window.end}`,
        now: context.now,
      },
    );
    return { path, revoked: true };
  } catch (error) {
    return {
      path,
      revoked: false,
      problem: `revoking ${old.record.roleArn} failed: ${errorMessage(error)}. It still ends by itself at ${old.record.window.end}.`,
    };
  }
}

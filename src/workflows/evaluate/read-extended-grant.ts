/**
 * Step 6b of the evaluation, for an extension only: read what git records of the grant it
 * extends (its grant record, whether it was revoked, and the chain of grants behind it), at the
 * commit the rules are read at, so that the merge re-check reads the records as they were at
 * the merge. What may be extended without approval is decided in core (`findAutoApproval`).
 */

import type { ExtendedGrant } from "../../core/approval/find-auto-approval.ts";
import { type GrantRecord, grantRecordSchema } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { parseJsonOrUndefined } from "../../core/text/error-message.ts";
import type { GitHubPort } from "../../ports/github.ts";

/** Extensions of extensions are rare; a longer chain is not read (and admits no free one). */
const MAX_CHAIN = 20;

/** The extended grant of `path` and the chain behind it, as recorded at `ref`. */
export async function readExtendedGrant(
  github: GitHubPort,
  ref: string,
  path: string,
): Promise<ExtendedGrant> {
  const [record, revocation] = await Promise.all([
    readGrant(github, ref, path),
    github.getFile(ref, recordPath(path, "revocation")),
  ]);
  // Any revocation file counts, readable or not: fail closed.
  const revoked = revocation !== undefined;
  const chain: ExtendedGrant["chain"] = [];
  const seen = new Set([path]);
  let next = record?.extends;
  while (next !== undefined) {
    if (seen.has(next) || chain.length >= MAX_CHAIN)
      return { record, revoked, chain, complete: false };
    seen.add(next);
    const earlier = await readGrant(github, ref, next);
    if (!earlier) return { record, revoked, chain, complete: false };
    chain.push({ path: next, freeExtension: earlier.autoApproval?.kind === "extension" });
    next = earlier.extends;
  }
  return { record, revoked, chain, complete: record !== undefined };
}

/** The grant record of `path`, when it is there, readable and names `path` (not its twin). */
async function readGrant(
  github: GitHubPort,
  ref: string,
  path: string,
): Promise<GrantRecord | undefined> {
  const text = await github.getFile(ref, recordPath(path, "grant"));
  if (text === undefined) return undefined;
  const parsed = grantRecordSchema.safeParse(parseJsonOrUndefined(text));
  return parsed.success && parsed.data.requestPath === path ? parsed.data : undefined;
}

/**
 * Step 2b of the grant on merge, for an extension approved without review only
 * (`extension.withoutApproval`): the grant it extends must still stand as the branch records
 * it now. The re-check reads that grant at the merge commit, where it was live; a grant run
 * later than the merge (a failed first try, a redelivery by hand) would otherwise create
 * access nobody reviewed after the extended grant was revoked for cause.
 */

import { parseRevocation, revocationNote } from "../../core/grant/parse-grant-record.ts";
import type { AutoApprovalBasis } from "../../core/grant/records.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { markdownCode } from "../../core/text/escape-markdown.ts";
import type { GitHubPort } from "../../ports/github.ts";
import type { GrantStop } from "./grant-types.ts";

/**
 * A refusal when the grant that `requestPath` extends without review has a revocation on
 * `branch`, other than its replacement by this very request; undefined otherwise (and for any
 * other approval). Any revocation file counts, readable or not: fail closed.
 */
export async function checkExtendedStanding(
  github: GitHubPort,
  at: { branch: string; requestPath: string },
  autoApproved: AutoApprovalBasis | undefined,
): Promise<GrantStop | undefined> {
  const extended = autoApproved?.kind === "extension" ? autoApproved.extends : undefined;
  if (extended === undefined) return undefined;
  const path = recordPath(extended, "revocation");
  const read = await github.readPaths({ files: [{ ref: at.branch, path }], directories: [] });
  const text = read.files[0];
  if (text === undefined) return undefined;
  const revocation = parseRevocation(text);
  const own =
    revocation?.reason === "replaced-by-extension" &&
    revocation.detail?.startsWith(`replaced by ${at.requestPath} `) === true;
  if (own) return undefined;
  const why = revocationNote(revocation);
  return {
    stop: "refused",
    title: `the grant it extends without review was revoked after the merge`,
    details: [
      `${markdownCode(path)} records that ${markdownCode(extended)} was revoked${why}. An extension without review stands only while the grant it extends does. Nothing was created; ask for the access again in a new request, to be approved.`,
    ],
  };
}

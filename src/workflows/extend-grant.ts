/**
 * Quick extension: `/hallpass extend <duration>` commented on a merged access pull request by
 * its requester opens the extension request as a pull request in their name (`extends:` the
 * original, same role and account, the original's reason and ticket), requests the reviewers
 * who approved the original, and links both pull requests. Only while the grant is live; anyone
 * but the requester is told who may. The new pull request is judged like any other: the app
 * opened it, so the requester stays its requester (`requesterProblem`) and cannot approve it.
 */

import type { GrantRecord } from "../core/grant/records.ts";
import {
  buildExtensionRequest,
  type ExtendCommand,
} from "../core/request/build-extension-request.ts";
import { checkPullRequestContents } from "../core/request/check-pull-request-contents.ts";
import { parseRequest, validateRequest } from "../core/request/validate-request.ts";
import { formatProblem } from "../core/source/problem.ts";
import { markdownCode, markdownMention } from "../core/text/escape-markdown.ts";
import type { CommentLookup, GitHubPort, PullRequestInfo } from "../ports/github.ts";
import { readPolicies } from "./evaluate/read-rules.ts";
import { openRequestPullRequest } from "./open-request-pull-request.ts";
import { readGrantAndRevocation } from "./read-grant-record.ts";
import { commandLines } from "./release-grant.ts";

/** Hidden marker of the reply to `/hallpass extend` on the original pull request. */
export const EXTEND_REPLY_MARKER = "<!-- hallpass:extend-command -->";

/** The command alone on its line, with one duration word (checked by the request validation). */
const EXTEND_LINE = /^\/hallpass[^\S\r\n]+extend[^\S\r\n]+([^\s`]{1,32})$/i;

/** The duration a comment's `/hallpass extend <duration>` asks for, or undefined. */
export function parseExtendCommand(body: string): string | undefined {
  for (const line of commandLines(body)) {
    const duration = EXTEND_LINE.exec(line)?.[1];
    if (duration !== undefined) return duration;
  }
  return undefined;
}

/** Why no extension was opened, as said to the commenter. */
export interface ExtendRefusal {
  status: "not-granted" | "not-allowed" | "not-live" | "invalid";
  message: string;
}

export type ExtendOutcome =
  | { status: "opened" | "already-opened"; pullRequest: PullRequestInfo }
  | ExtendRefusal;

/** Handles `/hallpass extend` by `commenter` (command `command`) at `now`, and replies. */
export async function extendGrant(
  github: GitHubPort,
  command: ExtendCommand,
  commenter: string,
  options: { now: Date },
): Promise<ExtendOutcome> {
  // The reply, when the decision read it: written over by its id without listing again.
  const reply: ReplySeen = {};
  const outcome = await decideExtension(github, command, commenter, options.now, reply);
  const text =
    "pullRequest" in outcome
      ? `opened the extension request #${outcome.pullRequest.number} (${outcome.pullRequest.url}) in your name, with the reviewers who approved this one. It is granted once approved and merged, and replaces this grant without a gap.`
      : outcome.message;
  await github.upsertComment(
    command.pullNumber,
    EXTEND_REPLY_MARKER,
    `${EXTEND_REPLY_MARKER}\n${markdownMention(commenter)}: ${text}\n`,
    reply.lookup,
  );
  return outcome;
}

/** What the decision found of the reply comment, when it looked (see `answered`). */
type ReplySeen = { lookup?: CommentLookup };

async function decideExtension(
  github: GitHubPort,
  command: ExtendCommand,
  commenter: string,
  now: Date,
  reply: ReplySeen,
): Promise<ExtendOutcome> {
  // 1. The grant of this pull request, as the default branch records it.
  const found = await readGrant(github, command.pullNumber);
  if ("message" in found) return found;
  const { record, revoked, base, head } = found;
  // 2. Only the requester extends their own access, and only while it is live.
  if (record.requester.toLowerCase() !== commenter.toLowerCase()) {
    return {
      status: "not-allowed",
      message: `only the requester, ${markdownMention(record.requester)}, may extend this access with \`/hallpass extend\`; anyone may open a request of their own.`,
    };
  }
  if (revoked || !(now.getTime() < Date.parse(record.window.end))) {
    return {
      status: "not-live",
      message: `this grant is no longer live (${revoked ? "revoked" : `it ended at ${record.window.end}`}): open a new request instead of an extension.`,
    };
  }
  // 3. The extension request, judged as any request file under the default branch's policies.
  const originalText = await github.getFile(head, record.requestPath);
  const original = originalText
    ? parseRequest({ path: record.requestPath, content: originalText }).value
    : undefined;
  const { policies } = await readPolicies(github, head, undefined);
  if (!original || !policies) {
    return {
      status: "invalid",
      message: `${markdownCode(record.requestPath)} or the policies on ${markdownCode(base)} cannot be read, so no extension can be written; open one by hand with \`extends: ${record.requestPath}\`.`,
    };
  }
  const built = buildExtensionRequest(record, original, command);
  const validated = validateRequest(built.file, policies, { now });
  if (!validated.value) {
    const problems = validated.problems.filter((p) => p.severity === "error");
    return {
      status: "invalid",
      message: `the extension would not be a valid request: ${problems.map((p) => markdownCode(formatProblem(p))).join("; ")}`,
    };
  }
  // 4. The pull request in the requester's name, with the original's approvers asked to review.
  // The branch is made from the commit the grant and policies were read at, without reading
  // the default branch and its head again.
  const { pullRequest, opened } = await openRequestPullRequest(github, built, {
    base,
    baseHead: head,
  });
  const reviewers = [...new Set(record.approvals.map((a) => a.reviewer))].filter(
    (login) => login.toLowerCase() !== record.requester.toLowerCase(),
  );
  const asked = await answered(github, command, opened, pullRequest.number, reply);
  if (reviewers.length > 0 && !asked) {
    await github.requestReviewers(pullRequest.number, reviewers, []);
  }
  return { status: opened ? "opened" : "already-opened", pullRequest };
}

/**
 * Whether an earlier delivery of the command already asked the reviewers: its reply, written
 * after asking, names the extension. A delivery that failed between opening the pull request
 * and replying is asked again, so the extension never waits with nobody asked. What it found
 * of the reply is kept in `seen` for the reply's write.
 */
async function answered(
  github: GitHubPort,
  command: ExtendCommand,
  opened: boolean,
  extension: number,
  seen: ReplySeen,
): Promise<boolean> {
  if (opened || !github.findComment) return false;
  const found = await github.findComment(command.pullNumber, EXTEND_REPLY_MARKER);
  seen.lookup = { found };
  return found?.body.includes(`extension request #${extension} `) ?? false;
}

/**
 * The grant record of merged pull request `pullNumber` on the default branch `base`, read at its
 * head commit `head`.
 */
async function readGrant(
  github: GitHubPort,
  pullNumber: number,
): Promise<{ record: GrantRecord; revoked: boolean; base: string; head: string } | ExtendRefusal> {
  const notGranted = (why: string): ExtendRefusal => ({
    status: "not-granted",
    message: `\`/hallpass extend\` works on a merged access request whose access is granted; ${why}.`,
  });
  const { pullRequest: pull, files } = await github.readPullRequest(pullNumber);
  if (!pull.merged) return notGranted("this pull request is not merged");
  const contents = checkPullRequestContents(files);
  if (contents.kind !== "request") return notGranted("this pull request holds no one request");
  // The pull request's read names the default branch: not read again.
  const base = pull.defaultBranch ?? (await github.getDefaultBranch());
  const head = await github.getBranchHead(base);
  const none = notGranted(`no grant of ${markdownCode(contents.path)} is recorded`);
  // A default branch without a head records nothing (a read at its name finds nothing either).
  if (head === undefined) return none;
  const { grant, revocationText } = await readGrantAndRevocation(github, head, contents.path);
  if (grant.status !== "found" || grant.record.requestPath !== contents.path) return none;
  return { record: grant.record, revoked: revocationText !== undefined, base, head };
}

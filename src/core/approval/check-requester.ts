/**
 * Who may stand as the requester of a pull request. A request asks for access in its
 * requester's name, so only they may ask: either they open the pull request themselves, or
 * hallpass opens it for them from the issue form they submitted (`request-from-issue`). In the
 * second case the pull request's author is the app's bot, and what makes the request theirs is
 * that nobody else wrote a commit of it: every commit is the app's own (signed by GitHub, so no
 * one can pass a commit off as the app's by setting its e-mail) or the requester's.
 */

import { markdownCode, markdownMention } from "../text/escape-markdown.ts";
import type { PullRequestCommit } from "./pull-request.ts";

/** GitHub's committer of commits made in its web interface or through its API. */
export const GITHUB_WEB_COMMITTER = "web-flow";

/** A commit of the pull request as the check needs it. */
export type CommitInput = PullRequestCommit;

export interface RequesterInput {
  /** The requester named in the request file. */
  requester: string;
  /** The pull request's author. */
  author: string;
  /** The app's bot login (`settings.recordWriters.app` of the policies that count). */
  appLogin: string;
  commits: readonly CommitInput[];
}

const same = (a: string | null, b: string): boolean => a?.toLowerCase() === b.toLowerCase();

/**
 * Why `requester` may not stand on this pull request, as a sentence for the check, or undefined
 * when they may: they opened it, or the app opened it and every commit is the app's (signed by GitHub)
 * or the requester's. Fails closed: a commit nobody can be linked to is nobody's.
 */
export function requesterProblem(input: RequesterInput): string | undefined {
  const { requester, author, appLogin } = input;
  if (same(author, requester)) return undefined;
  if (!same(author, appLogin)) {
    return `the requester must be the author of the pull request (${markdownMention(author)}): ${markdownMention(requester)} must open their own request, so that nobody asks for access in someone else's name.`;
  }
  for (const commit of input.commits) {
    const problem = foreignCommit(commit, requester, appLogin);
    if (problem === undefined) continue;
    return `hallpass opened this pull request for ${markdownMention(requester)}, but commit ${commit.sha.slice(0, 7)} ${problem}: only hallpass and ${markdownMention(requester)} may write a request in their name. Close this pull request, and submit the form again or let ${markdownMention(requester)} open their own.`;
  }
  return undefined;
}

/** What is wrong with `commit` on a pull request the app opened for `requester`, if anything. */
function foreignCommit(
  commit: CommitInput,
  requester: string,
  appLogin: string,
): string | undefined {
  const { authorLogin, committerLogin } = commit;
  const by = (login: string) =>
    same(authorLogin, login) &&
    (same(committerLogin, login) || same(committerLogin, GITHUB_WEB_COMMITTER));
  if (by(appLogin)) {
    // Anyone can write the app's e-mail into a commit; only the app's own API commits are
    // signed by GitHub. Another valid signature (a certificate for the bot's address from a CA
    // the server trusts) is not the app's doing.
    return commit.signedByGitHub === true
      ? undefined
      : `names ${markdownCode(appLogin)} as its author without GitHub's own signature`;
  }
  if (by(requester)) return undefined;
  const who = [...new Set([authorLogin, committerLogin])]
    .map((login) => (login === null ? "an unlinked account" : markdownMention(login)))
    .join(" and ");
  return `is by ${who}`;
}

/**
 * The offline form of `requesterProblem` for `hallpass verify`, from a grant record's basis
 * (the author and everyone who pushed, without signatures): whether the requester stood on
 * the pull request.
 */
export function requesterStood(input: {
  requester: string;
  author: string;
  appLogin: string;
  pushers: readonly string[];
}): boolean {
  const { requester, author, appLogin } = input;
  if (same(author, requester)) return true;
  if (!same(author, appLogin)) return false;
  const allowed = [appLogin, requester, GITHUB_WEB_COMMITTER];
  return input.pushers.every((login) => allowed.some((a) => same(login, a)));
}

/**
 * What an access pull request may contain: exactly one new request file under
 * `access-requests/`, and nothing else.
 *
 * Why so strict: the approvers review one request, and the merge creates one grant. A PR that
 * also edits `policies/` or CODEOWNERS could widen its own limits or pick its own approvers
 * for later requests; one that edits code could change the app that judges it; one that edits
 * a merged request would rewrite the audit trail (a request file never changes after merge,
 * and lifecycle records are written only by hallpass itself).
 */

import { CODEOWNERS_LOCATIONS } from "../policy/codeowners.ts";
import { checkRequestPath } from "./check-request-path.ts";
import { isRequestPath } from "./record-paths.ts";

/** A file changed by the PR (the GitHub port's `ChangedFile` fits). */
export interface ChangedPath {
  path: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  previousPath?: string;
}

export type PullRequestContents =
  /** The PR touches nothing under access-requests/: not ours to judge. */
  | { kind: "not-access-request" }
  /** Exactly one new request file and nothing else. */
  | { kind: "request"; path: string }
  /** An access PR that breaks the rule; one reason per offending file. */
  | { kind: "invalid"; reasons: { path: string; message: string }[] };

const ACCESS_DIRECTORY = "access-requests/";

/** True for request files and hallpass's lifecycle records (`*.grant.json`, ...). */
function isAccessPath(path: string): boolean {
  return path.startsWith(ACCESS_DIRECTORY) && (isRequestPath(path) || isRecordPath(path));
}

/**
 * A lifecycle record (`<request>.<kind>.json|md`, see `RecordKind` in records.ts). Any kind
 * word counts, so a record kind added later is never mistaken for "not an access request".
 */
function isRecordPath(path: string): boolean {
  return /\.[a-z]+\.(json|md)$/.test(path);
}

function whyNot(file: ChangedPath): string {
  const path = file.path;
  if (path.startsWith("policies/")) {
    return "changes a policy; policy changes go in a pull request of their own, reviewed by the policy owners, so that no request can change its own rules";
  }
  if ((CODEOWNERS_LOCATIONS as readonly string[]).includes(path)) {
    return "changes CODEOWNERS; ownership changes go in a pull request of their own, so that no request can pick its own approvers";
  }
  if (path.startsWith(ACCESS_DIRECTORY) && isRecordPath(path)) {
    return "changes a lifecycle record; only hallpass writes lifecycle records (grant, revocation, audit, alerts, ungranted, ...)";
  }
  if (isRequestPath(path) || isRequestPath(file.previousPath ?? "")) {
    if (file.status === "removed")
      return "deletes a request; merged requests are the audit trail and are never deleted";
    if (file.status === "renamed") return "renames a request; merged requests are never changed";
    if (file.status !== "added") {
      return "edits a request that was already merged; merged requests are never changed: add a new request file instead (use `extends:` to prolong a grant)";
    }
  }
  return "is not an access request; an access pull request contains exactly one new file under access-requests/ and nothing else";
}

/** Classifies a PR by its changed files. Pure. */
export function checkPullRequestContents(files: readonly ChangedPath[]): PullRequestContents {
  const touchesAccess = files.some(
    (f) => isAccessPath(f.path) || (f.previousPath !== undefined && isAccessPath(f.previousPath)),
  );
  if (!touchesAccess) return { kind: "not-access-request" };

  const added = files.filter((f) => f.status === "added" && isRequestPath(f.path));
  const reasons: { path: string; message: string }[] = [];
  if (added.length > 1) {
    for (const f of added) {
      reasons.push({
        path: f.path,
        message: `is one of ${added.length} requests in this pull request; open one pull request per request, so each is approved and granted on its own`,
      });
    }
  }
  for (const f of files) {
    if (f.status === "added" && isRequestPath(f.path)) {
      // Where a request may live is checked here too, so the check fails before anyone reviews
      // a request that could never be granted (validation refuses it again at merge).
      const problem = checkRequestPath(f.path);
      if (problem !== undefined) reasons.push({ path: f.path, message: problem });
      continue;
    }
    reasons.push({ path: f.path, message: whyNot(f) });
  }
  if (reasons.length > 0 || added.length === 0) {
    return { kind: "invalid", reasons };
  }
  return { kind: "request", path: added[0]!.path };
}

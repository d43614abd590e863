/**
 * Rules for where a request file may live. A request's path becomes part of a grant's role
 * name hash, its records' paths, AWS tags, links on the dashboard, Slack messages and pull
 * request comments: it is limited to characters that need no escaping anywhere (letters,
 * digits, `-`, `_`, `.`, `/`) and to one spelling (no empty, `.` or `..` folder names), so two
 * spellings can never name one file. `access-requests/unrecorded/` belongs to the sweep, which
 * files the revocations of roles made outside hallpass there.
 */

/** The sweep's own folder for roles it found without a grant record. */
export const UNRECORDED_DIRECTORY = "access-requests/unrecorded/";

const SAFE_CHARACTERS = /^[A-Za-z0-9._/-]*$/;

/**
 * Longest request path: the grant role carries it as a tag value, which IAM limits to 256
 * characters. A longer path could be approved and then never granted.
 */
export const MAX_REQUEST_PATH_LENGTH = 256;

/**
 * Why `path` cannot be the path of a request file, with the fix, as a phrase to follow the path
 * ("has characters other than …: rename it, such as …"); undefined when it can. Paths are
 * repository-relative, as git and the GitHub API give them.
 */
export function checkRequestPath(path: string): string | undefined {
  if (!SAFE_CHARACTERS.test(path)) {
    const bad = [...new Set(path.replace(/[A-Za-z0-9._/-]/g, ""))];
    const fixed = path.replace(/[^A-Za-z0-9._/-]+/g, "-").replace(/\/{2,}/g, "/");
    return `has characters other than letters, digits, "-", "_", "." and "/" (${bad.map((c) => JSON.stringify(c)).join(", ")}): rename it, such as ${fixed}`;
  }
  if (path.length > MAX_REQUEST_PATH_LENGTH) {
    return `is ${path.length} characters long, more than the ${MAX_REQUEST_PATH_LENGTH} an AWS tag value holds (the grant role is tagged with it): shorten it`;
  }
  const segments = path.split("/");
  if (segments.includes("")) {
    return `has empty folder names ("//" or a leading or trailing "/"): rename it, such as ${segments.filter((s) => s !== "").join("/")}`;
  }
  if (segments.some((segment) => segment === "." || segment === "..")) {
    return `has "." or ".." folder names, so one file could be named in two ways: move it to a plain path under access-requests/`;
  }
  if (path.startsWith(UNRECORDED_DIRECTORY)) {
    return `is in ${UNRECORDED_DIRECTORY}, the sweep's own folder for roles made outside hallpass, where no request may live: move it to another folder, such as access-requests/<your login>/`;
  }
  return undefined;
}

/**
 * `path` with `.` and `..` folder names resolved and empty ones dropped, as git would find the
 * file; undefined when `..` climbs above the repository root.
 */
export function normalisePath(path: string): string | undefined {
  const kept: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (kept.length === 0) return undefined;
      kept.pop();
    } else {
      kept.push(segment);
    }
  }
  return kept.join("/");
}

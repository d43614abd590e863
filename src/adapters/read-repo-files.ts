import {
  closeSync,
  type Dirent,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { MAX_POLICY_FILE_BYTES } from "../core/policy/load-policies.ts";
import { MAX_REQUEST_FILE_BYTES } from "../core/request/validate-request.ts";
import type { SourceFile } from "../core/source/source-file.ts";

/**
 * Reads an access repository from the local disk for the CLI: finds its root, lists its
 * request and policy files, and reads them as bytes (so validation can refuse binary and
 * non-UTF-8 content) with a size bound (so a huge file is refused, not loaded).
 */

/** Top-level folder of request files. */
export const REQUESTS_DIRECTORY = "access-requests";
/** Top-level folder of policy files. */
export const POLICIES_DIRECTORY = "policies";

/**
 * The repository root for `cwd`: the nearest directory upwards that has a `policies/`
 * folder, else the nearest with `.git`. Undefined when there is neither.
 */
export function findRepoRoot(cwd: string): string | undefined {
  let gitRoot: string | undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDirectory(join(dir, POLICIES_DIRECTORY))) return dir;
    if (gitRoot === undefined && existsSync(join(dir, ".git"))) gitRoot = dir;
    if (dirname(dir) === dir) return gitRoot;
  }
}

/** What kind of file a repository-relative path is, by where it lives. */
export function kindOfPath(repoPath: string): "request" | "policy" | undefined {
  if (!/\.ya?ml$/.test(repoPath)) return undefined;
  if (repoPath.startsWith(`${REQUESTS_DIRECTORY}/`)) return "request";
  if (repoPath.startsWith(`${POLICIES_DIRECTORY}/`)) return "policy";
  return undefined;
}

/** Repository-relative path with forward slashes, or undefined when outside the root. */
export function toRepoPath(root: string, absolute: string): string | undefined {
  const path = relative(root, absolute);
  if (path.startsWith("..") || isAbsolute(path)) return undefined;
  return path.split(sep).join("/");
}

/**
 * Every YAML file under `dir` (repository-relative), sorted. Hidden folders and node_modules
 * are skipped; symbolic links to folders are not followed, and links named like YAML files
 * are listed so that the caller can refuse them.
 */
export function listYamlFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (absolute: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(absolute, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const child = join(absolute, entry.name);
      if (entry.isDirectory()) walk(child);
      else if ((entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/.test(entry.name)) {
        const path = toRepoPath(root, child);
        if (path !== undefined) found.push(path);
      }
    }
  };
  walk(join(root, dir));
  return found.sort();
}

/**
 * Reads a file as bytes, at most one byte more than its kind allows so that validation can
 * tell it is too large without loading all of it.
 */
export function readSourceFile(root: string, repoPath: string): SourceFile {
  const limit = kindOfPath(repoPath) === "policy" ? MAX_POLICY_FILE_BYTES : MAX_REQUEST_FILE_BYTES;
  const absolute = join(root, repoPath);
  const size = statSync(absolute).size;
  const buffer = new Uint8Array(Math.min(size, limit + 1));
  const fd = openSync(absolute, "r");
  try {
    let offset = 0;
    while (offset < buffer.length) {
      const read = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return { path: repoPath, content: buffer.subarray(0, offset) };
  } finally {
    closeSync(fd);
  }
}

/** True when the path is a symbolic link (never followed: it would escape the repository). */
export function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

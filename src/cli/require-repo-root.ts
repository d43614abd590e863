import { findRepoRoot } from "../adapters/read-repo-files.ts";
import { UsageError } from "./command.ts";

/**
 * The access repository around `cwd` (see `findRepoRoot`); a usage error saying where it looked
 * and what to do when there is none.
 */
export function requireRepoRoot(cwd: string): string {
  const root = findRepoRoot(cwd);
  if (root === undefined) {
    throw new UsageError(
      `no access repository found from ${cwd} upwards (a folder with policies/ or .git). Run it inside the repository.`,
    );
  }
  return root;
}

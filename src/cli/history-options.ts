import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { type GitHistory, GitReadError, readGitHistory } from "../adapters/read-git-history.ts";
import { toRepoPath } from "../adapters/read-repo-files.ts";
import { compactHistoryFile, type HistoryFilter } from "../core/history/build-access-history.ts";
import { readIsoTime } from "../core/source/read-iso-time.ts";
import { type CliIo, UsageError } from "./command.ts";

/**
 * What `history`, `verify` and `report` share: reading the repository from git, dates, request
 * paths and the filter they make. Bad input is a `UsageError` saying what to write instead.
 */

/** `--since`/`--until`: a date (midnight UTC) or an ISO-8601 time with its offset. */
export function parseDateOption(option: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  // A time needs its offset: without one, JavaScript would read it in the machine's zone.
  const reading = readIsoTime(text, { dateOnly: true });
  if (reading.kind === "impossible") {
    throw new UsageError(
      `${option} must be a real date and time: "${text}" is not one. Write it like 2026-07-01 (midnight UTC) or 2026-07-01T09:00:00Z.`,
    );
  }
  if (reading.kind === "not-iso") {
    throw new UsageError(
      `${option} must be a date (2026-07-01, midnight UTC) or an ISO-8601 time with its offset (2026-07-01T09:00:00Z), not "${text}".`,
    );
  }
  return reading.time;
}

/** Reads the repository around `io.cwd` at `rev`; not a repository or no such revision: usage. */
export async function readHistoryForCli(io: CliIo, rev: string): Promise<GitHistory> {
  try {
    // Only what the history reads of each file is kept (an audit summary's headline).
    return await readGitHistory(io.cwd, rev, { compact: compactHistoryFile });
  } catch (error) {
    if (error instanceof GitReadError && error.kind !== "git-failed") {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

/** The filter of `[paths...] --since --until --requester --account --role`. */
export function historyFilterOf(
  io: CliIo,
  root: string,
  positionals: readonly string[],
  values: { since?: string; until?: string; requester?: string; account?: string; role?: string },
): HistoryFilter {
  const since = parseDateOption("--since", values.since);
  const until = parseDateOption("--until", values.until);
  if (since && until && since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${values.since}) must be before --until (${values.until}).`);
  }
  // git answers with the real path of the root; cwd may reach it through a link (macOS /tmp).
  const cwd = realpathSync(io.cwd);
  const paths = positionals.map((given) => {
    const path = toRepoPath(root, resolve(cwd, given));
    if (
      path === undefined ||
      !(path === "access-requests" || path.startsWith("access-requests/"))
    ) {
      throw new UsageError(`${given} is not under access-requests/ of the repository at ${root}.`);
    }
    return path;
  });
  return {
    ...(paths.length > 0 ? { paths } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(values.requester !== undefined ? { requester: values.requester } : {}),
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.role !== undefined ? { role: values.role } : {}),
  };
}

import type { GitHubPort } from "../../ports/github.ts";
import { mapPool } from "../map-pool.ts";
import type { SweepIssue } from "./types.ts";

/**
 * The text of many files on `branch`: in batches when the port can (GraphQL), else one request
 * a file, a few at a time.
 */
export async function readTexts(
  github: GitHubPort,
  branch: string,
  paths: readonly string[],
  concurrency: number,
): Promise<Map<string, string | undefined>> {
  if (paths.length === 0) return new Map();
  if (github.getFiles) return github.getFiles(branch, paths);
  const texts = new Map<string, string | undefined>();
  await mapPool(paths, concurrency, async (p) => {
    texts.set(p, await github.getFile(branch, p));
  });
  return texts;
}

/** Parses a record; an unreadable one is reported (it is never silently skipped). */
export function parseRecord<T>(
  path: string,
  text: string | undefined,
  parse: (value: unknown, path: string) => T,
  issues: SweepIssue[],
): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(JSON.parse(text), path);
  } catch (error) {
    issues.push({
      step: "read",
      subject: path,
      message: `unreadable record (${(error as Error).message.split("\n")[0]}); fix or restore it from git history`,
    });
    return undefined;
  }
}

/** Reads and parses records, keeping those that parse; the others are reported in `issues`. */
export async function readRecords<T>(
  github: GitHubPort,
  branch: string,
  paths: readonly string[],
  parse: (value: unknown, path: string) => T,
  issues: SweepIssue[],
  concurrency: number,
): Promise<Map<string, T>> {
  const texts = await readTexts(github, branch, paths, concurrency);
  const records = new Map<string, T>();
  for (const path of paths) {
    const record = parseRecord(path, texts.get(path), parse, issues);
    if (record !== undefined) records.set(path, record);
  }
  return records;
}

import { countOf } from "../../../core/text/count-of.ts";
import { issueOf } from "../types.ts";
import type { WatchContext } from "./watch-context.ts";

/**
 * Commits, in one commit, the alerts records that changed: new alerts, or a watch cut by the
 * budget (whose record keeps where the next run resumes). Notes the deferred grants.
 */
export async function writeAlertRecords(ctx: WatchContext): Promise<void> {
  const { run, out } = ctx;
  for (const state of ctx.deferred) out.watchDeferred.push(state.grant.requestPath);
  const records = [...ctx.states.values()].flatMap((state) => {
    const record = state.toRecord();
    return record ? [{ path: state.path, record }] : [];
  });
  if (records.length === 0 || run.dryRun) return;
  records.sort((a, b) => (a.path < b.path ? -1 : 1));
  try {
    await run.deps.github.commitFiles(
      run.branch,
      records.map((r) => ({
        path: r.path,
        content: `${JSON.stringify(r.record, null, 2)}\n`,
      })),
      `hallpass: alerts on ${countOf(records.length, "watched grant")}\n\n${records.map((r) => `- ${r.record.requestPath}`).join("\n")}`,
    );
  } catch (error) {
    out.issues.push(issueOf("watch", "alerts records", error));
  }
}

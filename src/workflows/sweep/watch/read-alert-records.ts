import { normalizeRoleArn } from "../../../core/audit/cloudtrail-event.ts";
import type { GrantRecord } from "../../../core/grant/records.ts";
import { recordPath } from "../../../core/request/record-paths.ts";
import { type AlertsRecord, alertsRecordSchema } from "../../../core/sweep/evaluate-alerts.ts";
import type { LiveGrant } from "../../../core/sweep/plan-sweep.ts";
import { parseRecord, readTexts } from "../read-records.ts";
import { judgeGrant } from "./judge-grant.ts";
import type { WatchContext } from "./watch-context.ts";
import { WatchState } from "./watch-state.ts";

/** A grant the watch looks at: live (with its role as listed), or ended and not yet audited. */
export interface WatchedGrant {
  grant: GrantRecord;
  live: LiveGrant | undefined;
}

/**
 * Reads the alerts records of the watched grants into `ctx.states`: the alerts already raised
 * and the time already read. An unreadable record is reported and its grant not watched, so
 * that everything it held is not raised again.
 */
export async function readAlertRecords(
  ctx: WatchContext,
  list: readonly WatchedGrant[],
  /** Every file under access-requests/, so that absent records are not asked for. */
  pathSet: ReadonlySet<string>,
): Promise<void> {
  const { run, out } = ctx;
  const texts = await readTexts(
    run.deps.github,
    run.branch,
    list.map((w) => recordPath(w.grant.requestPath, "alerts")).filter((p) => pathSet.has(p)),
    run.concurrency,
  );
  for (const { grant, live } of list) {
    if (!live) out.watchedEnded.push(grant.requestPath);
    const path = recordPath(grant.requestPath, "alerts");
    let record: AlertsRecord = {
      version: 1,
      requestPath: grant.requestPath,
      roleArn: grant.roleArn,
      alerts: [],
    };
    if (pathSet.has(path)) {
      const read = parseRecord(
        path,
        texts.get(path),
        (v) => alertsRecordSchema.parse(v),
        out.issues,
      );
      if (!read) continue; // unreadable: reported; do not re-alert everything
      record = read;
    }
    out.alertsOf.set(grant.requestPath, { grant, alerts: record.alerts });
    const state = new WatchState(grant, live, path, record, (s) => judgeGrant(ctx, s));
    ctx.states.set(normalizeRoleArn(grant.roleArn), state);
  }
}

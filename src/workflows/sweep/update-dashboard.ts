import type { GrantRecord } from "../../core/grant/records.ts";
import type { FiredAlert } from "../../core/sweep/evaluate-alerts.ts";
import {
  type DashboardData,
  dashboardMarker,
  dashboardTitle,
  renderDashboard,
} from "../../core/sweep/render-dashboard.ts";
import type { IssueInfo } from "../../ports/github.ts";
import {
  issueOf,
  type SweepIssue,
  type SweepOptions,
  type SweepReport,
  type SweepRun,
} from "./types.ts";

/** Alerts raised so far on each watched grant, by request path (the watch's `alertsOf`). */
export type AlertsByGrant = ReadonlyMap<string, { grant: GrantRecord; alerts: FiredAlert[] }>;

/**
 * Rewrites the dashboard issue (one per shard) from the run's report: live grants, pull
 * requests waiting, alerts, revocations, audits and everything that needs a person.
 */
export async function updateDashboard(
  run: SweepRun,
  input: {
    report: SweepReport;
    options: Pick<SweepOptions, "now" | "accounts" | "runUrl">;
    alertsOf: AlertsByGrant;
  },
): Promise<{ dashboard: IssueInfo | undefined; issues: SweepIssue[] }> {
  const { github } = run.deps;
  try {
    const waiting = (await github.listOpenPullRequests()).map((p) => ({
      number: p.number,
      title: p.title,
      author: p.author,
      url: p.url,
      draft: p.draft,
    }));
    const data = dashboardData(input.report, input.options, waiting, input.alertsOf);
    const dashboard = await github.upsertIssue(
      dashboardMarker(data.shard),
      dashboardTitle(data.shard),
      renderDashboard(data),
    );
    return { dashboard, issues: [] };
  } catch (error) {
    return { dashboard: undefined, issues: [issueOf("dashboard", "dashboard issue", error)] };
  }
}

/** The dashboard's data: what the run found and did, and what needs a person. */
export function dashboardData(
  report: SweepReport,
  options: Pick<SweepOptions, "now" | "accounts" | "runUrl">,
  waiting: DashboardData["waiting"],
  alertsOf: AlertsByGrant,
): DashboardData {
  const plan = report.plan;
  const revokedArns = new Set(report.revoked.map((r) => r.roleArn));
  return {
    now: options.now,
    shard: options.accounts && options.accounts.length > 0 ? options.accounts : undefined,
    dryRun: report.dryRun,
    runUrl: options.runUrl,
    live: plan.watch
      .filter((w) => !revokedArns.has(w.grant.roleArn))
      .map((w) => ({
        requestPath: w.grant.requestPath,
        requester: w.grant.requester,
        role: w.grant.role,
        account: w.grant.account.name,
        pullRequest: w.grant.pullRequest.number,
        start: w.grant.window.start,
        end: w.grant.window.end,
        alerts: alertsOf.get(w.grant.requestPath)?.alerts.length ?? 0,
      })),
    waiting,
    // Alerts of the grants still watched: from their records, this run's included.
    alerts: [...alertsOf.values()].flatMap(({ grant, alerts }) =>
      alerts.map((a) => ({
        requestPath: grant.requestPath,
        pullRequest: grant.pullRequest.number,
        rule: a.rule,
        severity: a.severity,
        from: a.from,
        events: a.eventIds.length,
        revoked: a.revoked,
      })),
    ),
    revocations: report.revoked.map((r) => ({
      requestPath: r.requestPath,
      reason: r.reason,
      detail: r.detail,
    })),
    audits: [
      ...report.audits.map((a) => ({
        requestPath: a.requestPath,
        pullRequest: a.pullRequest,
        state: "written" as const,
        at: report.now,
      })),
      ...plan.auditsWaiting.map((a) => ({
        requestPath: a.grant.requestPath,
        pullRequest: a.grant.pullRequest.number,
        state: "waiting" as const,
        at: a.dueAt,
      })),
    ],
    attention: attentionOf(report),
    ungranted: plan.missingGrants.filter((m) => m.grant === undefined).map((m) => m.requestPath),
  };
}

/** What needs a person: drift, missing grants, foreign roles, unreachable accounts, issues. */
function attentionOf(report: SweepReport): DashboardData["attention"] {
  const plan = report.plan;
  return [
    ...plan.revoke
      .filter((r) => r.alert)
      .map((r) => ({
        title: `Role not explained by git in ${r.account.name}`,
        detail: r.detail,
      })),
    ...plan.missingGrants
      .filter((m) => m.grant !== undefined)
      .map((m) => ({ title: `Missing grant: ${m.requestPath}`, detail: m.detail })),
    ...plan.missingGrants
      .filter((m) => m.withoutPullRequest)
      .map((m) => ({
        title: `Request without a pull request: ${m.requestPath}`,
        detail: m.detail,
      })),
    ...plan.mismatchedRecords.map((m) => ({
      title: `Grant record names another request's role in ${m.account.name}`,
      detail: m.detail,
    })),
    ...plan.foreignRoles.map((f) => ({
      title: `Role of another repository in ${f.account.name}`,
      detail: `${f.role.roleArn} is tagged for ${f.repository}, which accounts.${f.account.name}.sharedWith allows; left alone`,
    })),
    ...plan.unreachableAccounts.map((a) => ({
      title: `Account ${a.name} unreachable`,
      detail: `its roles could not be listed; nothing was concluded about its grants`,
    })),
    ...report.issues.map((i) => ({ title: `${i.step}: ${i.subject}`, detail: i.message })),
  ];
}

import { formatDuration } from "../request/duration.ts";
import {
  markdownCommentText,
  markdownLink,
  markdownMention,
  markdownPathUrl,
  markdownText,
} from "../text/escape-markdown.ts";
import { mermaidLabel } from "../text/escape-mermaid.ts";

/**
 * The dashboard issue (in the manner of Renovate's Dependency Dashboard): one issue, found
 * again by its marker and rewritten by every sweep, that shows what hallpass holds right now and
 * what needs a person. Pure: the sweep passes what it read and did, and `now`.
 */

export interface DashboardGrant {
  requestPath: string;
  requester: string;
  role: string;
  account: string;
  pullRequest: number;
  start: string;
  end: string;
  /** Alerts raised on this grant so far. */
  alerts: number;
}

export interface DashboardAlert {
  requestPath: string;
  pullRequest: number | undefined;
  rule: string;
  severity: string;
  from: string;
  events: number;
  revoked: boolean;
}

export interface DashboardRevocation {
  requestPath: string;
  reason: string;
  detail: string;
}

export interface DashboardData {
  now: Date;
  /** Account names this dashboard covers, or undefined for all of policies/. */
  shard: string[] | undefined;
  dryRun: boolean;
  /** Link to the workflow run that wrote it, when known. */
  runUrl: string | undefined;
  live: DashboardGrant[];
  /** Open pull requests of the access repository: requests waiting for approval or merge. */
  waiting: { number: number; title: string; author: string; url: string; draft: boolean }[];
  alerts: DashboardAlert[];
  revocations: DashboardRevocation[];
  /** Ended grants whose audit is written or still waits for CloudTrail. */
  audits: { requestPath: string; pullRequest: number; state: "written" | "waiting"; at: string }[];
  attention: { title: string; detail: string }[];
  /**
   * Merged requests with no grant record: refused by the app at merge (its comment on the PR
   * says why) or not granted yet. Listed, not flagged: a refusal leaves no record in git.
   */
  ungranted: string[];
}

/** Marker of the dashboard issue; a shard has its own dashboard. */
export function dashboardMarker(shard: string[] | undefined): string {
  return shard
    ? `<!-- hallpass:dashboard ${markdownCommentText([...shard].sort().join(","))} -->`
    : "<!-- hallpass:dashboard -->";
}

/** Title of the dashboard issue. */
export function dashboardTitle(shard: string[] | undefined): string {
  return shard ? `hallpass dashboard (${[...shard].sort().join(", ")})` : "hallpass dashboard";
}

function utc(time: string | Date): string {
  const date = typeof time === "string" ? new Date(Date.parse(time)) : time;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `2026-11-26 12:00`, the gantt's date format. */
function ganttTime(time: string | Date): string {
  return utc(time).slice(0, 16);
}

/** A link to the audit summary written next to a request file. */
function auditLink(requestPath: string): string {
  const path = requestPath.replace(/\.ya?ml$/, ".audit.md");
  return markdownLink(path, `../blob/HEAD/${markdownPathUrl(path)}`);
}

/** Renders the dashboard issue body. */
export function renderDashboard(data: DashboardData): string {
  const now = data.now.getTime();
  const out: string[] = [
    dashboardMarker(data.shard),
    "This issue lists what hallpass holds in AWS and what needs attention. The scheduled sweep rewrites it on every run; edits are lost.",
    "",
    `Last sweep: ${utc(data.now)}${data.dryRun ? " (dry run: nothing was changed)" : ""}${data.runUrl ? ` · ${markdownLink("run", data.runUrl)}` : ""}${data.shard ? ` · accounts: ${markdownText(data.shard.join(", "))}` : ""}`,
    "",
  ];

  if (data.attention.length > 0) {
    // Plain items, no task checkboxes: the next sweep rewrites the issue and would clear them.
    out.push(`## Needs attention (${data.attention.length})`, "");
    for (const a of data.attention) {
      out.push(`- **${markdownText(a.title)}**: ${markdownText(a.detail)}`);
    }
    out.push("");
  }

  out.push(`## Live grants (${data.live.length})`, "");
  if (data.live.length === 0) {
    out.push("None.", "");
  } else {
    const live = [...data.live].sort((a, b) => Date.parse(a.end) - Date.parse(b.end));
    out.push(
      "| Request | Who | Role | Account | Ends | Time left | Alerts |",
      "|---|---|---|---|---|--:|--:|",
      ...live.map(
        (g) =>
          `| ${markdownLink(g.requestPath, `../pull/${g.pullRequest}`)} | ${markdownMention(g.requester)} | ${markdownText(g.role)} | ${markdownText(g.account)} | ${utc(g.end)} | ${Date.parse(g.start) > now ? `starts in ${formatDuration((Date.parse(g.start) - now) / 1000)}` : formatDuration((Date.parse(g.end) - now) / 1000)} | ${g.alerts} |`,
      ),
      "",
      "```mermaid",
      "gantt",
      "  title Live grants (UTC)",
      "  dateFormat YYYY-MM-DD HH:mm",
      "  axisFormat %H:%M",
      // Mermaid's own today line is the reader's clock read as local time, while these times
      // are UTC: off, and the sweep's "now" drawn as a milestone instead.
      "  todayMarker off",
      ...live.map(
        (g) =>
          `  ${mermaidLabel(`@${g.requester} ${g.role} in ${g.account}`)} :${g.alerts > 0 ? "crit, " : "active, "}${ganttTime(g.start)}, ${ganttTime(g.end)}`,
      ),
      `  Now (last sweep) :milestone, ${ganttTime(data.now)}, 0m`,
      "```",
      "",
    );
  }

  out.push(`## Waiting for approval (${data.waiting.length})`, "");
  out.push(
    ...(data.waiting.length === 0
      ? ["None."]
      : data.waiting.map(
          (p) =>
            `- ${markdownLink(`#${p.number}`, p.url)} ${markdownText(p.title)} by ${markdownMention(p.author)}${p.draft ? " (draft)" : ""}`,
        )),
    "",
  );

  out.push(`## Recent alerts (${data.alerts.length})`, "");
  if (data.alerts.length === 0) {
    out.push("None.", "");
  } else {
    out.push(
      "| When | Rule | Severity | Request | Events | Revoked |",
      "|---|---|---|---|--:|---|",
      ...[...data.alerts]
        .sort((a, b) => Date.parse(b.from) - Date.parse(a.from))
        .map(
          (a) =>
            `| ${utc(a.from)} | ${markdownText(a.rule)} | ${markdownText(a.severity)} | ${a.pullRequest ? markdownLink(a.requestPath, `../pull/${a.pullRequest}`) : markdownText(a.requestPath)} | ${a.events} | ${a.revoked ? "yes" : "no"} |`,
        ),
      "",
    );
  }

  out.push(`## Revocations (${data.revocations.length})`, "");
  out.push(
    ...(data.revocations.length === 0
      ? ["None this run."]
      : data.revocations.map(
          (r) =>
            `- ${markdownText(r.requestPath)}: ${markdownText(r.reason)}, ${markdownText(r.detail)}`,
        )),
    "",
  );

  if (data.ungranted.length > 0) {
    out.push(
      `## Merged without a grant (${data.ungranted.length})`,
      "",
      "Refused at merge (the PR says why) or not granted yet.",
      "",
      ...data.ungranted.map((p) => `- ${markdownText(p)}`),
      "",
    );
  }

  out.push(`## Audit summaries (${data.audits.length})`, "");
  out.push(
    ...(data.audits.length === 0
      ? ["None pending or written this run."]
      : [...data.audits]
          .sort((a, b) => (a.requestPath < b.requestPath ? -1 : 1))
          .map((a) =>
            a.state === "written"
              ? `- ${auditLink(a.requestPath)} written (#${a.pullRequest})`
              : `- ${markdownText(a.requestPath)}: due ${utc(a.at)}, after CloudTrail's delivery delay`,
          )),
    "",
  );
  return out.join("\n");
}

import { createHash } from "node:crypto";
import { formatDuration } from "../request/duration.ts";
import { countOf } from "../text/count-of.ts";
import type { AccessReport, ReportAccess, ReportTotal } from "./build-report.ts";

/**
 * The report as one self-contained HTML file to attach to an audit: no external script, font,
 * style or image (a Content-Security-Policy of `default-src 'none'` makes sure nothing loads),
 * the timeline drawn as inline SVG (one bar per granted access), tables sortable by a click on
 * their heading (a few lines of inline script; without it they read as they are), and a print
 * layout. Every value is HTML-escaped. Pure.
 */
export function renderReportHtml(report: AccessReport): string {
  const title = `Access report ${report.period.since.slice(0, 10)} to ${report.period.until.slice(0, 10)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${h(title)}</h1>
<p>Read from git at <code>${h(report.revision.slice(0, 12))}</code> on ${h(report.generatedAt)}. ${
    report.trailHolds
      ? "<code>hallpass verify</code> finds the trail intact"
      : `<strong class="bad"><code>hallpass verify</code> finds ${countOf(report.exceptions.findings.length, "problem")} in the trail</strong> (see Exceptions)`
  }${report.signaturesChecked ? ", with every record commit's signature checked" : " (signatures not checked)"}.</p>
<h2>Totals</h2>
<p>${countOf(report.totals.accesses, "access", "accesses")}, ${report.totals.granted} granted.</p>
<div class="totals">${totalsTable("Person", report.totals.byPerson)}${totalsTable("Role", report.totals.byRole)}${totalsTable("Account", report.totals.byAccount)}</div>
<h2>Exceptions</h2>
${exceptions(report)}
<h2>Timeline (UTC)</h2>
${timeline(report.accesses)}
<h2>Accesses</h2>
${accessTable(report.accesses)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#111}
table{border-collapse:collapse;margin:0 1em 1em 0}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3;cursor:pointer;user-select:none}
th[data-dir=asc]::after{content:" \\25B2"}th[data-dir=desc]::after{content:" \\25BC"}
td.n{text-align:right}
.totals{display:flex;flex-wrap:wrap}
.bad{color:#b00020}
svg .bar{fill:#2b6cb0}svg .bar.crit{fill:#c53030}svg text{font:11px system-ui,sans-serif}
svg .axis{stroke:#999}
@media print{
 @page{size:A4 landscape;margin:1cm}
 body{margin:0;font-size:9pt}
 th{cursor:auto}th::after{content:""!important}
 tr,svg{break-inside:avoid}
 h2{break-after:avoid}
}`;

/** Sorts a table by the clicked column (numbers as numbers, `data-sort` when a cell has one). */
const SCRIPT = `
for (const th of document.querySelectorAll("table.sortable th")) {
  th.addEventListener("click", () => {
    const body = th.closest("table").tBodies[0];
    const i = th.cellIndex;
    const dir = th.dataset.dir === "asc" ? "desc" : "asc";
    for (const other of th.parentNode.cells) delete other.dataset.dir;
    th.dataset.dir = dir;
    const key = (row) => row.cells[i].dataset.sort ?? row.cells[i].textContent;
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b), nx = Number(x), ny = Number(y);
      const c = x !== "" && y !== "" && !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x.localeCompare(y);
      return dir === "asc" ? c : -c;
    });
    body.append(...rows);
  });
}`;

/**
 * Nothing loads from elsewhere, and only the page's own style and script run: they are allowed
 * by their SHA-256, not by 'unsafe-inline', so markup that an escaping bug let into the page
 * could neither run a script nor restyle it.
 */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src '${sha256(STYLE)}'; script-src '${sha256(SCRIPT)}'`;

function sha256(source: string): string {
  return `sha256-${createHash("sha256").update(source, "utf8").digest("base64")}`;
}

/** HTML-escaped text, for element content and quoted attribute values alike. */
function h(text: string | number | null | undefined): string {
  return String(text ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

function time(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/(:\d{2})(\.\d+)?Z$/, "$1") : "";
}

function totalsTable(label: string, totals: readonly ReportTotal[]): string {
  const rows = totals.map(
    (t) =>
      `<tr><td>${h(t.key)}</td><td class="n">${t.accesses}</td><td class="n" data-sort="${t.grantedSeconds}">${h(formatDuration(t.grantedSeconds))}</td></tr>`,
  );
  return `<table class="sortable"><thead><tr><th>${h(label)}</th><th>Accesses</th><th>Granted time</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function exceptions(report: AccessReport): string {
  const e = report.exceptions;
  const list = (title: string, paths: readonly string[]) =>
    paths.length === 0
      ? ""
      : `<p><strong>${h(title)}</strong> (${paths.length}): ${paths.map((p) => `<code>${h(p)}</code>`).join(", ")}</p>`;
  const findings =
    e.findings.length === 0
      ? ""
      : `<p>Findings of <code>hallpass verify</code>:</p><ul>${e.findings
          .map(
            (f) =>
              `<li><code>${h(f.file || "(history)")}${f.line > 1 ? `:${f.line}` : ""}</code> <strong>${h(f.kind)}</strong>: ${h(f.message)}</li>`,
          )
          .join("")}</ul>`;
  const body = [
    list("Break-glass", e.breakGlass),
    list("Revoked or reconciled", e.revocations),
    list("With alerts", e.alerts),
    list("Audit summary missing", e.missingAudits),
    findings,
  ].join("");
  return body === "" ? "<p>None.</p>" : body;
}

/** One lane per granted access; the axis spans the earliest start to the latest end. */
function timeline(accesses: readonly ReportAccess[]): string {
  const bars = accesses.filter((a) => a.granted);
  if (bars.length === 0) return "<p>No access was granted in the period.</p>";
  const endOf = (a: ReportAccess) =>
    Date.parse(a.ended.at && a.ended.at < a.granted!.end ? a.ended.at : a.granted!.end);
  const from = Math.min(...bars.map((a) => Date.parse(a.granted!.start)));
  const to = Math.max(from + 60_000, ...bars.map(endOf));
  const label = 260;
  const width = 700;
  const lane = 18;
  const x = (ms: number) => label + ((ms - from) / (to - from)) * width;
  const height = bars.length * lane + 24;
  const rows = bars.map((a, i) => {
    const y = i * lane + 4;
    const start = x(Date.parse(a.granted!.start));
    const w = Math.max(2, x(endOf(a)) - start);
    const name = `${a.requester ?? "?"} ${a.role ?? "?"} in ${a.account ?? "?"}`;
    return `<text x="0" y="${y + 12}">${h(name.slice(0, 42))}</text><rect class="bar${a.emergency || a.alerts.length > 0 ? " crit" : ""}" data-request="${h(a.requestPath)}" x="${start.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${lane - 6}"><title>${h(`${name}: ${time(a.granted!.start)} to ${time(a.granted!.end)} UTC, ended by ${a.ended.how}`)}</title></rect>`;
  });
  const axisY = bars.length * lane + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Who held which access when" width="${label + width + 10}" height="${height}" viewBox="0 0 ${label + width + 10} ${height}">${rows.join("")}<line class="axis" x1="${label}" y1="${axisY}" x2="${label + width}" y2="${axisY}"/><text x="${label}" y="${axisY + 14}">${h(time(new Date(from).toISOString()))}</text><text x="${label + width}" y="${axisY + 14}" text-anchor="end">${h(time(new Date(to).toISOString()))}</text></svg>`;
}

function accessTable(accesses: readonly ReportAccess[]): string {
  const head = [
    "Request",
    "Pull request",
    "Requester",
    "Role",
    "Account",
    "Reason",
    "Ticket",
    "Approved by",
    "Asked",
    "Start",
    "End",
    "Ended",
    "Events",
    "Writes",
    "Failed",
    "Risky",
    "Alerts",
    "Break-glass",
    "Findings",
  ];
  const rows = accesses.map((a) => {
    const cells = [
      `<td><code>${h(a.requestPath)}</code></td>`,
      `<td class="n">${a.pullRequest ? h(a.pullRequest.number) : ""}</td>`,
      `<td>${h(a.requester)}</td>`,
      `<td>${h(a.role)}</td>`,
      `<td>${h(a.account)}</td>`,
      `<td>${h(a.reason)}</td>`,
      `<td>${h(a.ticket)}</td>`,
      `<td>${[
        ...(a.approvedWithoutReview ? [h(`without review: ${a.approvedWithoutReview}`)] : []),
        ...a.approvals.map((p) => `${h(p.reviewer)} (${h(time(p.at))})`),
      ].join("<br>")}</td>`,
      `<td>${a.asked ? h(`${a.asked.duration}${a.asked.start ? ` from ${a.asked.start}` : ""}`) : ""}</td>`,
      `<td>${h(time(a.granted?.start ?? null))}</td>`,
      `<td>${h(time(a.granted?.end ?? null))}</td>`,
      `<td>${h(`${a.ended.how}${a.ended.at ? ` ${time(a.ended.at)}` : ""}${a.ended.by ? ` by ${a.ended.by}` : ""}`)}</td>`,
      `<td class="n">${h(a.activity?.events)}</td>`,
      `<td class="n">${h(a.activity?.writes)}</td>`,
      `<td class="n">${h(a.activity?.failed)}</td>`,
      `<td class="n">${h(a.activity?.risky)}</td>`,
      `<td>${a.alerts.map((x) => h(`${x.rule} (${x.severity}${x.revoked ? ", revoked" : ""})`)).join("<br>")}</td>`,
      `<td>${a.emergency ? "yes: review in GitHub" : ""}</td>`,
      `<td>${a.findings.map((f) => h(f.kind)).join("<br>")}</td>`,
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table class="sortable accesses"><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

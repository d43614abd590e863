import { describe, expect, it } from "vitest";
import type { AccessReport, ReportAccess } from "../../../src/core/history/build-report.ts";
import { renderReportCsv } from "../../../src/core/history/render-report-csv.ts";
import { renderReportHtml } from "../../../src/core/history/render-report-html.ts";
import { renderReportMarkdown } from "../../../src/core/history/render-report-markdown.ts";

function access(overrides: Partial<ReportAccess>): ReportAccess {
  return {
    requestPath: "access-requests/a/x.yaml",
    state: "ended",
    requester: "alice",
    role: "db-admin",
    account: "production",
    reason: "Fail over the database",
    ticket: "CHG-1",
    emergency: false,
    pullRequest: { number: 7, url: "https://github.com/acme/access/pull/7" },
    approvals: [{ reviewer: "bob", at: "2026-07-01T09:00:00Z" }],
    asked: { duration: "1h", start: null },
    granted: { start: "2026-07-01T10:00:00Z", end: "2026-07-01T11:00:00Z" },
    ended: { how: "expiry", at: "2026-07-01T11:04:00Z", by: "hallpass-action", detail: null },
    activity: null,
    alerts: [],
    postIncidentReview: null,
    findings: [],
    ...overrides,
  };
}

function report(accesses: ReportAccess[]): AccessReport {
  return {
    version: 1,
    revision: "a".repeat(40),
    generatedAt: "2026-10-01T00:00:00.000Z",
    period: { since: "2026-07-01T00:00:00.000Z", until: "2026-10-01T00:00:00.000Z" },
    trailHolds: true,
    signaturesChecked: false,
    totals: {
      accesses: accesses.length,
      granted: accesses.length,
      byPerson: [],
      byRole: [],
      byAccount: [],
    },
    exceptions: { findings: [], breakGlass: [], revocations: [], alerts: [], missingAudits: [] },
    accesses,
  };
}

describe("report renderers", () => {
  it.each([
    [1, "1 access", "1 problem"],
    [2, "2 accesses", "2 problems"],
  ])("html and md count %i as %j, and its trail's findings as %j", (n, accesses, problems) => {
    const counted = report(Array.from({ length: n }, () => access({})));
    const broken = {
      ...counted,
      trailHolds: false,
      exceptions: {
        ...counted.exceptions,
        findings: counted.accesses.map(() => ({
          kind: "not-approved" as const,
          requestPath: "access-requests/a/x.yaml",
          file: "access-requests/a/x.yaml",
          line: 1,
          message: "not approved",
        })),
      },
    };
    const html = renderReportHtml(broken);
    expect(html).toContain(`<p>${accesses}, ${n} granted.</p>`);
    expect(html).toContain(`finds ${problems} in the trail`);
    expect(html).not.toContain("(es)");
    expect(html).not.toContain("(s)");
    const md = renderReportMarkdown(broken);
    expect(md).toContain(`${accesses} (${n} granted).`);
    expect(md).toContain(`finds ${problems} in the trail`);
  });

  it.each([
    ['=HYPERLINK("https://evil.example")', "'=HYPERLINK"],
    ["+1+1", "'+1+1"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
  ])("csv: a reason %s can never run as a spreadsheet formula", (reason, starts) => {
    const csv = renderReportCsv(report([access({ reason })]));
    const row = csv.split("\r\n")[1]!;
    expect(row.split(",").some((cell) => cell.replace(/^"/, "").startsWith(starts))).toBe(true);
  });

  it("csv: quotes cells with commas, quotes and line breaks", () => {
    const csv = renderReportCsv(report([access({ reason: 'a, "b"\nc' })]));
    expect(csv).toContain(',"a, ""b""\nc",');
  });

  it("md: a reason cannot add markup, a table cell or a mention, nor break the Mermaid timeline", () => {
    const md = renderReportMarkdown(
      report([access({ reason: "| x | <img src=y> @acme/sec", requester: "al:ice\nclick x" })]),
    );
    expect(md).toContain("\\| x \\| \\<img src=y\\> @\u200bacme/sec");
    const gantt = md.slice(md.indexOf("```mermaid"), md.lastIndexOf("```"));
    expect(gantt.split("\n").filter((l) => l.includes(" :active, "))).toEqual([
      "  al ice click x db-admin in production :active, 2026-07-01 10:00, 2026-07-01 11:00",
    ]);
  });
});

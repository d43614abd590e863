import { describe, expect, it } from "vitest";
import type { SweepPlan } from "../../../src/core/sweep/plan-sweep.ts";
import { renderSweepSummary } from "../../../src/core/sweep/render-sweep-summary.ts";
import { linksIn, renderMarkdown, tableRows } from "../../support/render-markdown.ts";

const emptyPlan = {
  watch: [],
  revoke: [],
  recordRevocation: [],
  auditsDue: [],
  auditsWaiting: [],
  missingGrants: [],
  pendingGrants: [],
  foreignRoles: [],
  unreachableAccounts: [],
} as unknown as SweepPlan;

describe("renderSweepSummary", () => {
  it("keeps hostile paths, details and messages in their cells and lines", () => {
    const path = "access-requests/x|y](https://evil.example)<img src=x>.yaml";
    const summary = renderSweepSummary({
      dryRun: false,
      now: "2026-11-26T12:00:00.000Z",
      branch: "main",
      accounts: ["production"],
      plan: emptyPlan,
      revoked: [{ requestPath: path, reason: "expired", detail: "@acme/admins `x` | y" }],
      alerts: [],
      audits: [{ requestPath: path, events: 1, risky: 0 }],
      watchDeferred: [],
      dashboard: { url: "https://github.com/acme/access/issues/1" },
      issues: [{ step: "notify", subject: path, message: "<!-- x --> [y](https://evil.example)" }],
    });
    expect(linksIn(summary)).toEqual(["https://github.com/acme/access/issues/1"]);
    expect(renderMarkdown(summary)).not.toContain("<img");
    expect(summary).not.toContain("@acme/admins");
    expect(tableRows(summary).find((r) => r[0] === path)).toEqual([
      path,
      "expired",
      "@\u200bacme/admins `x` | y",
    ]);
  });
});

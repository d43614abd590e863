import { describe, expect, it } from "vitest";
import {
  type DashboardData,
  dashboardMarker,
  dashboardTitle,
  renderDashboard,
} from "../../src/core/render-dashboard.ts";

const base: DashboardData = {
  now: new Date("2026-11-26T12:00:00Z"),
  shard: undefined,
  dryRun: false,
  runUrl: "https://github.com/acme/access/actions/runs/1",
  live: [
    {
      requestPath: "access-requests/a.yaml",
      requester: "alice",
      role: "db-admin",
      account: "production",
      pullRequest: 4,
      start: "2026-11-26T11:00:00Z",
      end: "2026-11-26T13:30:00Z",
      alerts: 1,
    },
    {
      requestPath: "access-requests/b.yaml",
      requester: "bob",
      role: "prod-readonly",
      account: "production",
      pullRequest: 5,
      start: "2026-11-26T14:00:00Z",
      end: "2026-11-26T15:00:00Z",
      alerts: 0,
    },
  ],
  waiting: [{ number: 9, title: "Access: db-admin", author: "carol", url: "u", draft: false }],
  alerts: [],
  revocations: [
    { requestPath: "access-requests/c.yaml", reason: "expired", detail: "expired at …" },
  ],
  audits: [
    {
      requestPath: "access-requests/c.yaml",
      pullRequest: 3,
      state: "waiting",
      at: "2026-11-26T12:20:00Z",
    },
  ],
  attention: [{ title: "Missing grant: access-requests/d.yaml", detail: "no grant record" }],
  ungranted: [],
};

describe("renderDashboard", () => {
  it("shows time left, grants not started yet, and a timeline", () => {
    const body = renderDashboard(base);
    expect(body).toContain(
      "| [access-requests/a.yaml](../pull/4) | @alice | db-admin | production | 2026-11-26 13:30 UTC | 1h30m | 1 |",
    );
    expect(body).toContain("| starts in 2h |");
    expect(body).toContain(
      "  @alice db-admin in production :crit, 2026-11-26 11:00, 2026-11-26 13:30\n",
    );
  });

  it.each(["click", "section", "title", "excludes", "todayMarker", "axisFormat"])(
    "draws the grant of a user whose login is the Mermaid keyword %s as a task",
    (login) => {
      // A task line starting with a gantt keyword is read as that statement: "click" breaks
      // the whole chart, "section" or "title" silently swallow the grant.
      const body = renderDashboard({ ...base, live: [{ ...base.live[0]!, requester: login }] });
      expect(body).toContain(`\n  @${login} db-admin in production :crit, 2026-11-26 11:00,`);
    },
  );

  it("puts what needs a person first", () => {
    const body = renderDashboard(base);
    expect(body.indexOf("## Needs attention (1)")).toBeLessThan(body.indexOf("## Live grants"));
    expect(body).toContain("- [ ] **Missing grant: access-requests/d.yaml**: no grant record");
  });

  it("gives each shard its own issue", () => {
    expect(dashboardMarker(["staging", "production"])).toBe(
      "<!-- hallpass:dashboard production,staging -->",
    );
    expect(dashboardTitle(undefined)).toBe("hallpass dashboard");
    expect(renderDashboard({ ...base, shard: ["production"] })).toMatch(
      /^<!-- hallpass:dashboard production -->/,
    );
  });
});

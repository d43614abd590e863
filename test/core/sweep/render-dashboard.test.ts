import { describe, expect, it } from "vitest";
import {
  type DashboardData,
  dashboardMarker,
  dashboardTitle,
  renderDashboard,
} from "../../../src/core/sweep/render-dashboard.ts";
import { linksIn, renderMarkdown, tableRows } from "../../support/render-markdown.ts";

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
    // No task checkbox: a box ticked by a person would be cleared by the next sweep.
    expect(body).toContain("- **Missing grant: access-requests/d.yaml**: no grant record");
    expect(body).not.toContain("[ ]");
  });

  it("marks the sweep's now on the timeline, instead of the reader's clock", () => {
    const body = renderDashboard(base);
    expect(body).toContain("  todayMarker off\n");
    expect(body).toContain("  Now (last sweep) :milestone, 2026-11-26 12:00, 0m\n");
  });

  it("shows hostile paths, names and titles as text: no link, mention, cell or task of their own", () => {
    const path = "access-requests/x) [y](https://evil.example) | z >\n# head.yaml";
    const body = renderDashboard({
      ...base,
      runUrl: "javascript:alert(1)",
      live: [
        {
          ...base.live[0]!,
          requestPath: path,
          requester: "dan @acme/admins",
          role: "db`admin | x",
          account: "prod :crit, 2020-01-01, 1d\n  click",
        },
      ],
      waiting: [
        {
          number: 9,
          title: "[x](https://evil.example) @acme/admins",
          author: "carol",
          url: "https://github.com/acme/access/pull/9",
          draft: false,
        },
      ],
      alerts: [
        {
          requestPath: path,
          pullRequest: 4,
          rule: "r | `x`",
          severity: "high",
          from: "2026-11-26T11:00:00Z",
          events: 1,
          revoked: false,
        },
      ],
      revocations: [{ requestPath: path, reason: "expired", detail: "<!channel> <img src=x>" }],
      audits: [{ requestPath: path, pullRequest: 4, state: "written", at: "2026-11-26T12:00:00Z" }],
      attention: [
        {
          title: `Missing grant: ${path}`,
          detail: "@acme/admins ![p](https://evil.example/p.png)",
        },
      ],
      ungranted: [path],
    });
    expect(linksIn(body)).toEqual([
      "../pull/4",
      "https://github.com/acme/access/pull/9",
      "../pull/4",
      "../blob/HEAD/access-requests/x%29%20%5By%5D%28https%3A//evil.example%29%20%7C%20z%20%3E%0A%23%20head.audit.md",
    ]);
    expect(renderMarkdown(body)).not.toMatch(/<(img|h1)\b/);
    // GitHub reads no mentions in a code block such as the chart; everywhere else, none.
    expect(body.replace(/```mermaid[\s\S]*?```/, "")).not.toMatch(/@acme\/admins/);
    const live = tableRows(body).find((row) => row[0]?.startsWith("access-requests/x"));
    expect(live).toHaveLength(7);
    expect(live?.[2]).toBe("db`admin | x");
    const gantt = body.slice(body.indexOf("gantt"), body.indexOf("```", body.indexOf("gantt")));
    expect(gantt.split("\n").filter((l) => l.includes(":crit") || l.includes(":active"))).toEqual([
      "  @dan @acme/admins db admin x in prod crit, 2020-01-01, 1d click :crit, 2026-11-26 11:00, 2026-11-26 13:30",
    ]);
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

import { describe, expect, it } from "vitest";
import {
  buildAccessHistory,
  type PathChange,
} from "../../../src/core/history/build-access-history.ts";
import {
  renderAccessHistory,
  utc,
  writeAccessHistory,
} from "../../../src/core/history/render-access-history.ts";
import { linksIn, tableRows } from "../../support/render-markdown.ts";
import {
  appRefusalRecord,
  completeStory,
  grantRecord,
  json,
  MERGE_COMMIT,
  REQUEST_PATH,
  requestYaml,
} from "./access-history-fixtures.ts";

function historyOf(files: Record<string, string>, shallow = false) {
  const changes = new Map<string, PathChange[]>();
  for (const path of Object.keys(files)) {
    changes.set(path, [
      {
        commit: path === REQUEST_PATH ? MERGE_COMMIT : "c".repeat(40),
        status: "A",
        author: "Alice Example <alice@example.com>",
        date: "2026-11-26T09:00:05+00:00",
      },
    ]);
  }
  return buildAccessHistory({
    revision: "f".repeat(40),
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    changes,
    shallow,
    now: new Date("2026-11-27T12:00:00Z"),
    auditDelaySeconds: 1800,
  });
}

describe("renderAccessHistory", () => {
  it("text: one block per request with every step of its story, then a summary", () => {
    const text = renderAccessHistory(historyOf(completeStory()), "text");
    expect(text).toContain(`${REQUEST_PATH}  [ended]`);
    expect(text).toMatch(/request {3}alice -> db-admin in production for 2h \(ticket CHG-4821\)/);
    expect(text).toMatch(
      /added {5}aaaaaaaaaaaa by Alice Example <alice@example.com> on 2026-11-26 09:00 UTC/,
    );
    expect(text).toMatch(/approved {2}carol \(review 9001, 2026-11-26 08:55 UTC, on bbbbbbb\)/);
    expect(text).toMatch(
      /granted {3}#42 merged by bob at 2026-11-26 09:00 UTC; 2026-11-26 09:00 UTC -> 2026-11-26 11:00 UTC/,
    );
    expect(text).toMatch(/alert {5}high iam-change 2026-11-26 09:30 UTC \(2 events\)/);
    expect(text).toMatch(/revoked {3}2026-11-26 11:04 UTC \(expired\) by hallpass-action/);
    expect(text).toMatch(/activity {2}\d+ calls: \d+ reads, \d+ writes, \d+ failed; first /);
    expect(text.trimEnd().split("\n").at(-1)).toBe("1 request at ffffffffffff; no findings.");
  });

  it("text: says how many events the audit could not read", () => {
    const files = completeStory();
    const audit = "access-requests/payments/alice-db.audit.json";
    files[audit] = json({ ...JSON.parse(files[audit]!), unreadableEventsTotal: 3 });
    const text = renderAccessHistory(historyOf(files), "text");
    expect(text).toMatch(/activity {2}.*; 3 could not be read\n/);
  });

  it("text: findings sit under their request, located, and are counted at the end", () => {
    const files = completeStory();
    files["access-requests/payments/alice-db.grant.json"] = json(grantRecord({ approvals: [] }));
    const text = renderAccessHistory(historyOf(files, true), "text");
    expect(text).toMatch(/^! shallow-history: the clone is shallow/);
    expect(text).toContain("  approved  none recorded");
    expect(text).toContain(
      "  ! no-approvals: access-requests/payments/alice-db.grant.json: the grant records no approval",
    );
    expect(text).toMatch(/2 findings \(1 shallow-history, 1 no-approvals\)\.\n$/);
  });

  it("markdown: a row per request and every finding, with people's text made safe for a table", () => {
    const files = completeStory();
    files[REQUEST_PATH] = requestYaml.replace(
      "Fail over the orders database before the storage maintenance.",
      "Fail over | the <b>orders</b> database before the maintenance.",
    );
    files["access-requests/payments/alice-db.grant.json"] = json(grantRecord({ approvals: [] }));
    const md = renderAccessHistory(historyOf(files), "markdown");
    expect(md).toMatch(/^# Access history\n/);
    const rows = md.split("\n").filter((l) => l.startsWith("| `access-requests/"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("([#42](https://github.com/acme/access/pull/42))");
    expect(rows[0]).toContain("| **none** |");
    expect(rows[0]).toContain("| **no-approvals** |");
    expect(md).toContain(
      "| no-approvals | `access-requests/payments/alice-db.grant.json` | the grant records no approval",
    );
    expect(md).toContain("Fail over \\| the \\<b\\>orders\\</b\\> database");
    // Every table row has the header's number of cells (escaped pipes do not split a cell).
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(12);
  });

  it("markdown: a hostile request path and reason stay in their cell and code span", () => {
    const files = completeStory();
    files[REQUEST_PATH] = requestYaml.replace(
      "Fail over the orders database before the storage maintenance.",
      "see [here](https://evil.example) @acme/admins",
    );
    const md = renderAccessHistory(historyOf(files), "markdown");
    expect(linksIn(md)).toEqual(["https://github.com/acme/access/pull/42"]);
    expect(md).not.toContain("@acme/admins");
    // Every row of the requests table keeps the header's cells.
    const rows = tableRows(md);
    expect(rows.filter((r) => r.length !== rows[0]!.length)).toEqual([]);
  });

  it("shows the sweep's report of a request never granted, and links its pull request", () => {
    const files = {
      [REQUEST_PATH]: requestYaml,
      "access-requests/payments/alice-db.ungranted.json": json({
        version: 1,
        requestPath: REQUEST_PATH,
        pullRequest: {
          number: 42,
          url: "https://github.com/acme/access/pull/42",
          mergeCommit: MERGE_COMMIT,
          mergedAt: "2026-11-26T09:00:00Z",
        },
        reportedAt: "2026-11-26T09:20:00Z",
        detail: "merged, but no grant record",
      }),
    };
    const text = renderAccessHistory(historyOf(files), "text");
    expect(text).toContain(
      "  ungranted #42 merged at 2026-11-26 09:00 UTC; the sweep said so on it at 2026-11-26 09:20 UTC",
    );
    const md = renderAccessHistory(historyOf(files), "markdown");
    expect(md).toContain("([#42](https://github.com/acme/access/pull/42))");
  });

  it("shows the app's refusal at merge with who merged and why", () => {
    const files = {
      [REQUEST_PATH]: requestYaml,
      "access-requests/payments/alice-db.ungranted.json": json(
        appRefusalRecord({ details: ["Rule db-admin needs 1 more approval from @acme/dba."] }),
      ),
    };
    const text = renderAccessHistory(historyOf(files), "text");
    expect(text).toContain(
      "  refused   #42 merged at 2026-11-26 09:00 UTC by root-admin; the app refused it at 2026-11-26 09:00 UTC: approvals do not hold at the merge commit 3e76e00",
    );
  });

  it("markdown: says None when there are no findings", () => {
    expect(renderAccessHistory(historyOf(completeStory()), "markdown")).toContain(
      "## Findings\n\nNone.\n",
    );
  });
});

describe("writeAccessHistory", () => {
  it.each(["text", "markdown"] as const)(
    "writes the %s of renderAccessHistory in pieces of about the chunk size",
    (format) => {
      const history = historyOf(completeStory());
      const pieces: string[] = [];
      writeAccessHistory(history, format, (piece) => pieces.push(piece), 200);
      expect(pieces.join("")).toBe(renderAccessHistory(history, format));
      expect(pieces.length).toBeGreaterThan(2);
      // A piece ends at a line's end once it holds the chunk size: one long line at most past it.
      for (const piece of pieces.slice(0, -1)) expect(piece.endsWith("\n")).toBe(true);
    },
  );
});

describe("utc", () => {
  // What it wrote before it was made from the date's fields: it must write the same.
  const formerUtc = (time: string) => {
    const ms = Date.parse(time);
    return Number.isNaN(ms)
      ? time
      : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  };
  it.each([
    "2026-11-26T09:12:03.000Z",
    "2026-11-26T10:12:03+01:00",
    "2026-01-01T00:30:00-01:00",
    "2026-02-29T10:00:00Z",
    "2026-01-10T24:00:00Z",
    "2026-01-10T23:59:59.9999Z",
    "0000-01-01T00:00:00Z",
    "0999-12-31T23:59:00Z",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "2026-11-26",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "not a time",
  ])("writes %s as before", (time) => {
    expect(utc(time)).toBe(formerUtc(time));
  });
  it("writes times of the years 0000 to 9999 as before: every 97th year's and each century rule's boundaries, and random times (days from 0000-03-01 in eras)", () => {
    // Each era's and century's first and last days, the leap days, and random times.
    const day = 86_400_000;
    // Date.UTC reads years 0 to 99 as 1900 to 1999; setUTCFullYear does not.
    const dateOf = (year: number, month: number, date: number) =>
      new Date(0).setUTCFullYear(year, month, date);
    const times: number[] = [];
    for (let year = 0; year <= 9999; year += 97) {
      for (const [m, d] of [
        [1, 1],
        [2, 28],
        [2, 29],
        [3, 1],
        [12, 31],
      ] as const) {
        const at = dateOf(year, m - 1, d);
        times.push(at, at - 1, at + day - 1, at + 60_000 * 61);
      }
    }
    for (const year of [0, 100, 400, 1600, 1700, 1900, 2000, 2100, 2400, 9600, 9999]) {
      times.push(dateOf(year, 1, 29), dateOf(year, 2, 1) - 1, dateOf(year, 0, 1));
    }
    let seed = 11;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      times.push(dateOf(0, 0, 1) + (seed / 2 ** 31) * (dateOf(10_000, 0, 1) - dateOf(0, 0, 1)));
    }
    for (const ms of times) {
      const time = new Date(Math.floor(ms)).toISOString();
      expect(utc(time)).toBe(formerUtc(time));
    }
  });
  it("writes - for no time", () => {
    expect(utc(null)).toBe("-");
    expect(utc("")).toBe("-");
  });
});

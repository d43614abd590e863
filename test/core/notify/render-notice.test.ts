import { describe, expect, it } from "vitest";
import type { Notice } from "../../../src/core/notify/notice.ts";
import { renderNoticeDocument, renderSlackNotice } from "../../../src/core/notify/render-notice.ts";

const notice: Notice = {
  moment: "awaiting-review",
  pullRequest: { number: 12, url: "https://github.com/acme/access/pull/12" },
  requestPath: "access-requests/alice/db.yaml",
  requester: "alice",
  role: "db-admin",
  account: "production",
  reason: "INC-1 restore the orders table",
  people: ["@acme/dba", "@bob"],
};

describe("renderSlackNotice", () => {
  it("says the moment, links the pull request and names who can approve, pinging nobody", () => {
    expect(renderSlackNotice(notice)).toBe(
      [
        ":eyes: *Access request awaiting review*: <https://github.com/acme/access/pull/12|#12>",
        "@\u200balice asks for db-admin in production",
        ">INC-1 restore the orders table",
        "Can approve: @\u200bacme/dba, @\u200bbob",
      ].join("\n"),
    );
  });

  it("never lets a reason broadcast, link or break out of its line", () => {
    const text = renderSlackNotice({
      ...notice,
      reason: "urgent <!channel> @here <https://evil.example|click> & more\n*bold*",
    });
    expect(text).not.toMatch(/<!channel>|<https:\/\/evil|@here/);
    expect(text).toContain(
      ">urgent &lt;!channel&gt; @\u200bhere &lt;https://evil.example|click&gt; &amp; more \u2217bold\u2217",
    );
    expect(text.split("\n")).toHaveLength(4);
  });

  it("lets no value start a block quote of its own: only the reason's line is quoted", () => {
    const text = renderSlackNotice({
      ...notice,
      reason: "INC-1\n> quoted",
      detail: "> quoted too\n> and more",
    });
    const lines = text.split("\n");
    expect(lines[2]).toBe(">INC-1 &gt; quoted");
    expect(lines.at(-1)).toBe("\u00ad&gt; quoted too &gt; and more");
    // A line Slack would quote starts with `>`, `&gt;` or `＞` (after spaces); only the reason's.
    expect(lines.filter((l) => /^\s*(?:>|&gt;|\uff1e)/.test(l))).toEqual([lines[2]]);
  });

  it("shows a reason's emphasis as typed, and pings nobody", () => {
    const text = renderSlackNotice({ ...notice, reason: "*urgent* <!channel> _x_" });
    expect(text.split("\n")[2]).toBe(">\u2217urgent\u2217 &lt;!channel&gt; \u02cdx\u02cd");
    expect(text).not.toMatch(/<!|@here|@channel/);
  });

  it("says until when a grant lasts, and who revoked it", () => {
    const text = renderSlackNotice({
      ...notice,
      moment: "revoked",
      reason: undefined,
      people: ["@alice"],
      expiresAt: "2026-12-05T18:00:00.000Z",
      detail: "given back early with /hallpass revoke",
    });
    expect(text).toContain(":lock: *Access revoked*");
    expect(text).toContain("@\u200balice had db-admin in production");
    expect(text).toContain("Revoked by: @\u200balice");
    expect(text).toContain("given back early with /hallpass revoke");
  });
});

describe("renderNoticeDocument", () => {
  it("is the notice as data, with its event name and a plain summary", () => {
    expect(renderNoticeDocument({ ...notice, moment: "granted" })).toEqual({
      event: "hallpass.granted",
      version: 1,
      summary: "Access granted: #12, @alice has db-admin in production",
      pullRequest: notice.pullRequest,
      requestPath: notice.requestPath,
      requester: "alice",
      role: "db-admin",
      account: "production",
      reason: notice.reason,
      people: notice.people,
    });
  });
});

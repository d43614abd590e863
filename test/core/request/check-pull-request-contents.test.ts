import { describe, expect, it } from "vitest";
import {
  type ChangedPath,
  checkPullRequestContents,
} from "../../../src/core/request/check-pull-request-contents.ts";

const REQUEST = "access-requests/alice-db.yaml";

describe("checkPullRequestContents", () => {
  it("accepts exactly one new request file", () => {
    expect(checkPullRequestContents([{ path: REQUEST, status: "added" }])).toEqual({
      kind: "request",
      path: REQUEST,
    });
  });

  it("leaves a pull request that touches nothing under access-requests/ alone", () => {
    expect(checkPullRequestContents([{ path: "README.md", status: "modified" }])).toEqual({
      kind: "not-access-request",
    });
  });

  it.each<[string, ChangedPath]>([
    ["a note beside the requests", { path: "access-requests/README.md", status: "added" }],
    [
      "a record-like name outside access-requests/",
      { path: "notes/a.grant.json", status: "added" },
    ],
    ["a record name with a suffix", { path: "access-requests/a.grant.json.bak", status: "added" }],
  ])("leaves %s alone: neither a request nor a record", (_, file) => {
    expect(checkPullRequestContents([file])).toEqual({ kind: "not-access-request" });
  });

  it("refuses each of two requests in one pull request", () => {
    const other = "access-requests/alice-s3.yaml";
    const files: ChangedPath[] = [
      { path: REQUEST, status: "added" },
      { path: other, status: "added" },
    ];
    const message =
      "is one of 2 requests in this pull request; open one pull request per request, so each is approved and granted on its own";
    expect(checkPullRequestContents(files)).toEqual({
      kind: "invalid",
      reasons: [
        { path: REQUEST, message },
        { path: other, message },
      ],
    });
  });

  it("counts only added files as requests: a new request beside an edited one is refused for the edit", () => {
    const files: ChangedPath[] = [
      { path: REQUEST, status: "added" },
      { path: "access-requests/old.yaml", status: "modified" },
    ];
    const result = checkPullRequestContents(files);
    expect(result.kind === "invalid" && result.reasons.map((r) => r.path)).toEqual([
      "access-requests/old.yaml",
    ]);
  });

  it("refuses a request with any other file, naming only the other file", () => {
    const files: ChangedPath[] = [
      { path: REQUEST, status: "added" },
      { path: "README.md", status: "modified" },
    ];
    expect(checkPullRequestContents(files)).toEqual({
      kind: "invalid",
      reasons: [
        {
          path: "README.md",
          message:
            "is not an access request; an access pull request contains exactly one new file under access-requests/ and nothing else",
        },
      ],
    });
  });

  it.each<[string, ChangedPath[], RegExp]>([
    [
      "a grant record",
      [{ path: "access-requests/alice-db.grant.json", status: "added" }],
      /only hallpass writes/,
    ],
    [
      "an alerts record",
      [{ path: "access-requests/alice-db.alerts.json", status: "added" }],
      /only hallpass writes/,
    ],
    [
      "an ungranted record",
      [{ path: "access-requests/alice-db.ungranted.json", status: "added" }],
      /only hallpass writes/,
    ],
    [
      "an audit summary",
      [{ path: "access-requests/alice-db.audit.md", status: "modified" }],
      /only hallpass writes/,
    ],
    [
      "a request and a policy",
      [
        { path: REQUEST, status: "added" },
        { path: "policies/roles.yaml", status: "modified" },
      ],
      /changes a policy/,
    ],
    [
      "a request and CODEOWNERS",
      [
        { path: REQUEST, status: "added" },
        { path: ".github/CODEOWNERS", status: "modified" },
      ],
      /changes CODEOWNERS/,
    ],
    [
      "a request renamed from elsewhere",
      [{ path: REQUEST, status: "renamed", previousPath: "notes/alice.yaml" }],
      /renames a request/,
    ],
    [
      "a merged request renamed out of access-requests/",
      [{ path: "notes/alice-db.yaml", status: "renamed", previousPath: REQUEST }],
      /renames a request/,
    ],
    [
      "a request copied from a merged one",
      [{ path: REQUEST, status: "copied", previousPath: "access-requests/old.yaml" }],
      /merged requests are never changed/,
    ],
    [
      "a merged request edited",
      [{ path: "access-requests/old.yaml", status: "modified" }],
      /edits a request that was already merged/,
    ],
    [
      "a merged request deleted",
      [{ path: "access-requests/old.yaml", status: "removed" }],
      /deletes a request/,
    ],
    [
      "a request in the sweep's own folder",
      [{ path: "access-requests/unrecorded/123456789012/x.yaml", status: "added" }],
      /is in access-requests\/unrecorded\/, the sweep's own folder/,
    ],
    [
      "a request whose path has characters outside the safe set",
      [{ path: "access-requests/alice/db [x](y).yaml", status: "added" }],
      /has characters other than letters, digits/,
    ],
  ])("refuses %s", (_, files, message) => {
    const result = checkPullRequestContents(files);
    expect(result.kind).toBe("invalid");
    expect(result.kind === "invalid" && result.reasons.map((r) => r.message).join("\n")).toMatch(
      message,
    );
  });
});

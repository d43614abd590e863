import { describe, expect, it } from "vitest";
import { findRequestFile } from "../../../src/workflows/evaluate/find-request-file.ts";

describe("findRequestFile", () => {
  it("finds the one new request file", () => {
    expect(findRequestFile([{ path: "access-requests/alice-db.yaml", status: "added" }])).toEqual({
      kind: "found",
      requestPath: "access-requests/alice-db.yaml",
    });
  });

  it("skips a pull request that adds no request", () => {
    expect(findRequestFile([{ path: "README.md", status: "modified" }])).toEqual({
      kind: "skipped",
    });
  });

  it("fails, annotating each wrong file, when the request comes with other changes", () => {
    const answer = findRequestFile([
      { path: "access-requests/alice-db.yaml", status: "added" },
      { path: "policies/roles.yaml", status: "modified" },
    ]);
    expect(answer).toMatchObject({
      failure: true,
      title: "This pull request must contain exactly one new request file",
    });
    expect("failure" in answer && answer.problems?.map((p) => p.file)).toContain(
      "policies/roles.yaml",
    );
  });
});

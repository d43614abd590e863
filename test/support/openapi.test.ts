import { describe, expect, it } from "vitest";
import { describeMismatch } from "./openapi.ts";

describe("the OpenAPI request check (test/support/openapi.ts)", () => {
  it.each([
    ["GET", "/repos/acme/access/pulls/7/reviews", { per_page: "100" }, undefined],
    ["GET", "/repos/acme/access/contents/access-requests/team/a.yaml", { ref: "abc" }, undefined],
    ["PATCH", "/repos/acme/access/git/refs/heads/main", {}, { sha: "c", force: false }],
    ["POST", "/graphql", {}, { query: "{ viewer { login } }" }],
  ])("accepts the documented request %s %s", (method, path, query, body) => {
    expect(describeMismatch({ method, path, query, body })).toBeUndefined();
  });

  it.each([
    ["GET", "/repos/acme/access/pulls/7/approvals", {}, undefined, "no such operation"],
    ["DELETE", "/repos/acme/access/pulls/7/reviews", {}, undefined, "no such operation"],
    [
      "GET",
      "/repos/acme/access/pulls/7/reviews",
      { sort: "asc" },
      undefined,
      'query parameter "sort"',
    ],
    [
      "POST",
      "/repos/acme/access/check-runs",
      {},
      { name: "n", head_sha: "h", colour: "red" },
      'body field "colour"',
    ],
    ["POST", "/graphql", {}, { query: "{ viewer { shoeSize } }" }, 'Cannot query field "shoeSize"'],
    ["POST", "/graphql", {}, {}, "no query"],
  ])("rejects the invented request %s %s", (method, path, query, body, reason) => {
    expect(describeMismatch({ method, path, query, body })).toContain(reason);
  });
});

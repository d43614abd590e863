import { describe, expect, it } from "vitest";
import { parseCodeowners } from "../../../src/core/policy/codeowners.ts";
import { compileCodeowners } from "../../../src/core/policy/compile-codeowners.ts";
import { collectPushers, findOwners } from "../../../src/workflows/evaluate/find-owners.ts";

const PATH = "access-requests/alice-db.yaml";
const codeowners = (text: string) => compileCodeowners(parseCodeowners(".github/CODEOWNERS", text));

describe("findOwners", () => {
  it("names the owners of an access-requests/ line as the approvers", () => {
    const ownership = findOwners(codeowners("access-requests/ @acme/sre @dan\n"), PATH);
    expect("approvers" in ownership && ownership.approvers.map((o) => o.text)).toEqual([
      "@acme/sre",
      "@dan",
    ]);
    expect(ownership.owners).toMatchObject({ file: ".github/CODEOWNERS", line: 1 });
  });

  it("fails without a CODEOWNERS file", () => {
    expect(findOwners(null, PATH)).toMatchObject({
      failure: { title: "No CODEOWNERS file on the base branch" },
    });
  });

  it("fails when the last matching line leaves the file without owners", () => {
    const ownership = findOwners(
      codeowners("access-requests/ @acme/sre\naccess-requests/*.yaml\n"),
      PATH,
    );
    expect(ownership).toMatchObject({ failure: { title: "Nobody owns this request file" } });
    expect(ownership.owners).toMatchObject({ line: 2, owners: [] });
  });

  it("fails when a general line wins: a requester must not pick approvers by the file's name", () => {
    const ownership = findOwners(codeowners("access-requests/ @acme/sre\n*.yaml @mallory\n"), PATH);
    expect(ownership).toMatchObject({
      failure: { title: "The request file is not owned by an access-requests/ line" },
    });
  });

  it("hands CODEOWNERS problems on for the summary", () => {
    const ownership = findOwners(codeowners("access-requests/ @acme/sre\n!negated @x\n"), PATH);
    expect(ownership.problems.length).toBeGreaterThan(0);
  });
});

describe("collectPushers", () => {
  const commit = (author: string | null, committer: string | null) => ({
    sha: "c0ffee0000000000000000000000000000000000",
    authorLogin: author,
    committerLogin: committer,
  });

  it("lists every author and committer", () => {
    expect(collectPushers([commit("alice", "web-flow"), commit("bob", "bob")])).toEqual({
      pushers: ["alice", "web-flow", "bob", "bob"],
    });
  });

  it("fails on a commit GitHub cannot link to an account", () => {
    expect(collectPushers([commit("alice", null)])).toMatchObject({
      failure: true,
      title: "A commit cannot be attributed",
    });
  });

  it("fails at 250 commits, beyond which GitHub does not list them all", () => {
    const commits = Array.from({ length: 250 }, () => commit("alice", "alice"));
    expect(collectPushers(commits)).toMatchObject({ failure: true, title: "Too many commits" });
  });
});

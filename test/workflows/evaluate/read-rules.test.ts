import { describe, expect, it } from "vitest";
import { createMemoryCache } from "../../../src/ports/cache.ts";
import { checkDefaultBranch, readRules } from "../../../src/workflows/evaluate/read-rules.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { addMergedRequest, BASE_SHA, MERGE_SHA } from "../../support/merged-request.ts";

const PATH = "access-requests/alice-db.yaml";

describe("checkDefaultBranch", () => {
  it("accepts a pull request against the default branch", async () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github, { merged: false }))!;
    expect(await checkDefaultBranch(github, pull, undefined)).toBeUndefined();
  });

  it("fails a pull request against another branch: its rules would be the requester's", async () => {
    const github = new FakeGitHub();
    const pull = {
      ...github.pulls.get(addMergedRequest(github, { merged: false }))!,
      baseRef: "lax",
    };
    expect(await checkDefaultBranch(github, pull, undefined)).toMatchObject({
      failure: true,
      title: "An access request must target the default branch",
    });
  });
});

describe("readRules", () => {
  it("reads the rules at the base commit of an open pull request, and looks for the twin", async () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github, { merged: false }))!;
    github.setFiles(BASE_SHA, { "access-requests/alice-db.yml": "requester: alice\n" });
    const rules = await readRules(github, pull, PATH, undefined);
    expect(rules.base).toBe(BASE_SHA);
    expect(rules.policies.policies).toBeDefined();
    expect(rules.codeowners?.codeowners.path).toBe(".github/CODEOWNERS");
    expect(rules.requestText).toContain("requester");
    expect(rules).toMatchObject({ twinPath: "access-requests/alice-db.yml", twinAtBase: true });
  });

  it("reads them at the merge commit once merged, and leaves the twin to the grant", async () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github))!;
    const rules = await readRules(github, pull, PATH, undefined);
    expect(rules.base).toBe(MERGE_SHA);
    expect(rules.twinAtBase).toBe(false);
  });

  it("answers null for a request file missing at the head, and no CODEOWNERS", async () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github, { merged: false }))!;
    github.trees.get(pull.headSha)!.delete(PATH);
    github.trees.get(BASE_SHA)!.delete(".github/CODEOWNERS");
    const rules = await readRules(github, pull, PATH, undefined);
    expect(rules).toMatchObject({ requestText: null, codeowners: null });
  });

  it("reads a commit's rules once through the cache", async () => {
    const github = new FakeGitHub();
    const pull = github.pulls.get(addMergedRequest(github, { merged: false }))!;
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 60_000 });
    const first = await readRules(github, pull, PATH, cache);
    const calls = github.calls.length;
    expect(await readRules(github, pull, PATH, cache)).toEqual(first);
    expect(github.calls.length).toBe(calls);
  });
});

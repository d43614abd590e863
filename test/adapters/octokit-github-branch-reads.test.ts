import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withMergedPullRequestLookup } from "../../src/adapters/find-merged-pull-request.ts";
import { createOctokitGitHub } from "../../src/adapters/octokit-github.ts";
import { FakeGitHubWire } from "../support/fake-github-wire.ts";

/**
 * REST reads at a branch read the branch, never a tag named like it. GitHub resolves a bare name
 * as git does, a tag before a branch, and pushing a tag needs no review: a tag `main` at an old
 * commit would hide a revocation record from `/hallpass revoke`, `/hallpass extend`, the grant's
 * roll-back and the sweep. The demo's stand-in (behind the wire) resolves names that way.
 */

const API = "https://api.github.com";
const REQUEST = "access-requests/alice/db.yaml";
const GRANT = "access-requests/alice/db.grant.json";
const REVOCATION = "access-requests/alice/db.revocation.json";

function octokit() {
  return new ProbotOctokit({
    auth: { token: "ghs_apptoken" },
    baseUrl: API,
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

/** A repository whose grant was revoked after `old`, with a tag `main` pushed at `old`. */
async function taggedBeforeRevocation() {
  const wire = new FakeGitHubWire(API, { [REQUEST]: "requester: alice\n", [GRANT]: "{}\n" });
  wire.install();
  const old = wire.commitOnMain({ "README.md": "access\n" }, "before the revocation");
  const head = wire.commitOnMain({ [REVOCATION]: '{"reason":"cause"}\n' }, "revoked");
  const client = octokit();
  // Anyone who can push may make a tag: no review, no branch protection.
  await client.request("POST /repos/{owner}/{repo}/git/refs", {
    owner: "acme",
    repo: "access",
    ref: "refs/tags/main",
    sha: old,
  });
  const github = createOctokitGitHub(client, { owner: "acme", repo: "access" });
  return { wire, github, client, old, head };
}

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("REST reads at a branch", () => {
  it("the stand-in resolves a bare name as the tag, as GitHub and git do", async () => {
    const { client } = await taggedBeforeRevocation();
    const read = (ref: string) =>
      client.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: "acme",
        repo: "access",
        path: REVOCATION,
        ref,
      });
    await expect(read("main")).rejects.toMatchObject({ status: 404 });
    await expect(read("refs/heads/main")).resolves.toMatchObject({ status: 200 });
  });

  it("getFile reads the branch, not a tag named like it", async () => {
    const { wire, github } = await taggedBeforeRevocation();
    expect(await github.getFile("main", REVOCATION)).toBe('{"reason":"cause"}\n');
    wire.assertAllDescribed();
  });

  it("listFiles lists the branch, not a tag named like it", async () => {
    const { wire, github } = await taggedBeforeRevocation();
    expect(await github.listFiles("main", "access-requests")).toEqual([GRANT, REVOCATION, REQUEST]);
    wire.assertAllDescribed();
  });

  it("a commit id stays a commit id", async () => {
    const { wire, github, old } = await taggedBeforeRevocation();
    expect(await github.getFile(old, REVOCATION)).toBeUndefined();
    expect(await github.listFiles(old, "access-requests")).toEqual([GRANT, REQUEST]);
    const reads = wire.requests.filter((r) => r.method === "GET");
    expect(reads.map((r) => r.query.ref ?? r.path)).toContain(old);
    expect(reads.some((r) => r.path.includes("refs/heads") || r.query.ref?.includes("refs/"))).toBe(
      false,
    );
  });

  it("the merged pull request of a file is looked for from the branch, not a tag named like it", async () => {
    const { wire, github, client, head } = await taggedBeforeRevocation();
    await withMergedPullRequestLookup(github, client).findMergedPullRequest!("main", REVOCATION);
    const listing = wire.requests.find((r) => r.path === "/repos/acme/access/commits");
    expect(listing?.query.sha).toBe(head);
    wire.assertAllDescribed();
  });
});

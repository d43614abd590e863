import { describe, expect, it } from "vitest";
import {
  type CommitInput,
  requesterProblem,
  requesterStood,
} from "../../../src/core/approval/check-requester.ts";

const APP = "hallpass[bot]";
const signed: CommitInput = {
  sha: "a".repeat(40),
  authorLogin: APP,
  committerLogin: "web-flow",
  signedByGitHub: true,
};
const byAlice: CommitInput = { sha: "b".repeat(40), authorLogin: "alice", committerLogin: "alice" };

const problem = (author: string, commits: CommitInput[], requester = "alice") =>
  requesterProblem({ requester, author, appLogin: APP, commits });

describe("requesterProblem", () => {
  it("lets the requester open their own request, whoever else pushed (they are excluded from approving)", () => {
    expect(problem("Alice", [byAlice, { ...byAlice, authorLogin: "bob" }])).toBeUndefined();
  });

  it("refuses a pull request that names someone else than its author", () => {
    expect(problem("mallory", [byAlice])).toBe(
      "the requester must be the author of the pull request (@mallory): @alice must open their own request, so that nobody asks for access in someone else's name.",
    );
  });

  it.each([
    ["the app's signed commit", [signed]],
    ["the app's commit committed as the app", [{ ...signed, committerLogin: APP }]],
    [
      "the app's commit and the requester's web edit",
      [signed, { ...byAlice, committerLogin: "web-flow" }],
    ],
    ["logins in another case", [{ ...signed, authorLogin: "HallPass[bot]" }]],
  ])("lets the app open a request for its requester: %s", (_name, commits) => {
    expect(problem(APP, commits)).toBeUndefined();
  });

  it.each([
    [
      "someone else's commit",
      [signed, { ...byAlice, authorLogin: "mallory" }],
      "is by @mallory and @alice",
    ],
    [
      "a commit authored by the requester and committed by someone else",
      [{ ...byAlice, committerLogin: "mallory" }],
      "is by @alice and @mallory",
    ],
    [
      "an unsigned commit claiming the app",
      [{ ...signed, signedByGitHub: false }],
      "without GitHub's own signature",
    ],
    [
      "a commit claiming the app with no verification said",
      [{ sha: "c".repeat(40), authorLogin: APP, committerLogin: APP }],
      "without GitHub's own signature",
    ],
    [
      "a commit nobody is linked to",
      [{ ...signed, authorLogin: null }],
      "is by an unlinked account and @web-flow",
    ],
  ])("refuses a request the app opened when it holds %s", (_name, commits, says) => {
    const message = problem(APP, commits);
    expect(message).toContain("hallpass opened this pull request for @alice, but commit");
    expect(message).toContain(says);
  });

  it("refuses another bot's pull request", () => {
    expect(problem("other[bot]", [{ ...signed, authorLogin: "other[bot]" }])).toContain(
      "must be the author of the pull request",
    );
  });
});

describe("requesterStood", () => {
  const stood = (author: string, pushers: string[]) =>
    requesterStood({ requester: "alice", author, appLogin: APP, pushers });

  it("holds for the requester's own pull request and the app's with only the app and the requester", () => {
    expect(stood("alice", ["bob"])).toBe(true);
    expect(stood(APP, [APP, "web-flow", "alice"])).toBe(true);
  });

  it("fails for anyone else's pull request or an app one someone else pushed to", () => {
    expect(stood("mallory", ["mallory"])).toBe(false);
    expect(stood(APP, [APP, "mallory"])).toBe(false);
  });
});

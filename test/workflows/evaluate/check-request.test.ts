import { describe, expect, it } from "vitest";
import type { Policies } from "../../../src/core/policy/policy-format.ts";
import { checkPolicies, checkRequest } from "../../../src/workflows/evaluate/check-request.ts";
import { isFailure } from "../../../src/workflows/evaluate/evaluation-failure.ts";
import { type Rules, readRules } from "../../../src/workflows/evaluate/read-rules.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { addMergedRequest, requestYaml } from "../../support/merged-request.ts";

const PATH = "access-requests/alice-db.yaml";
const NOW = new Date("2026-11-26T09:00:00Z");

/** An open pull request of `author` adding `yaml`, and the rules read for it. */
async function opened(yaml = requestYaml(), author = "alice") {
  const github = new FakeGitHub();
  const pull = github.pulls.get(addMergedRequest(github, { merged: false, yaml, author }))!;
  const rules = await readRules(github, pull, PATH, undefined);
  const policies = checkPolicies(pull, PATH, rules) as Policies;
  return { pull, rules, policies };
}

describe("checkPolicies", () => {
  it("answers the policies that loaded", async () => {
    const { policies } = await opened();
    expect(Object.keys(policies.roles)).toContain("prod-readonly");
  });

  it("fails on invalid policies, still annotating the request file's own shape", async () => {
    const { pull, rules } = await opened("requester: [alice\n");
    const broken: Rules = { ...rules, policies: { policies: undefined, problems: [] } };
    const answer = checkPolicies(pull, PATH, broken);
    expect(answer).toMatchObject({
      failure: true,
      title: "The policies on the base branch are invalid",
    });
    expect(isFailure(answer) && answer.problems?.length).toBeGreaterThan(0);
  });
});

describe("checkRequest", () => {
  it("answers the valid request", async () => {
    const { pull, rules, policies } = await opened();
    const answer = checkRequest(pull, PATH, rules, policies, NOW, []);
    expect(isFailure(answer)).toBe(false);
    expect(!isFailure(answer) && answer.request.request.role).toBe("prod-readonly");
  });

  it("fails when someone asks for access in another person's name", async () => {
    const { pull, rules, policies } = await opened(requestYaml(), "mallory");
    const answer = checkRequest(pull, PATH, rules, policies, NOW, []);
    expect(answer).toMatchObject({ failure: true, title: "The request has 1 problem" });
    expect(isFailure(answer) && answer.problems?.[0]).toMatchObject({
      field: "requester",
      severity: "error",
    });
  });

  it("fails when the twin of the file already holds its name", async () => {
    const { pull, rules, policies } = await opened();
    const answer = checkRequest(pull, PATH, { ...rules, twinAtBase: true }, policies, NOW, []);
    expect(answer).toMatchObject({ failure: true, title: "The request's name is already taken" });
  });

  it("fails when the file is not at the head", async () => {
    const { pull, rules, policies } = await opened();
    const answer = checkRequest(pull, PATH, { ...rules, requestText: null }, policies, NOW, []);
    expect(answer).toMatchObject({ failure: true, title: "The request file could not be read" });
    expect(isFailure(answer) && answer.problems).toBeUndefined();
  });
});

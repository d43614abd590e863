import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { renderIssueForm } from "../../src/core/request/render-issue-form.ts";
import { examplePolicies, examplePolicyFiles } from "../support/example-policies.ts";
import { makeRepo, run } from "./cli-harness.ts";

const FORM = ".github/ISSUE_TEMPLATE/access-request.yml";
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function repo(files: Record<string, string> = {}) {
  const made = makeRepo(files);
  cleanups.push(made.cleanup);
  return made.root;
}

/** The example policies with a fourth role: what a policy change does to the form. */
const withNewRole = `${examplePolicyFiles["policies/roles.yaml"]}  billing-read:
    description: Read the bills.
    accounts: [production]
    maxDuration: 2h
    permissions:
      managedPolicies: [arn:aws:iam::aws:policy/job-function/Billing]
    approval:
      rules:
        - count: 1
`;

describe("hallpass form", () => {
  it("writes the form the policies generate, then finds it current", async () => {
    const root = repo();
    expect(await run(["form"], { cwd: root })).toEqual({
      code: 0,
      stdout: `wrote ${FORM}\n`,
      stderr: "",
    });
    expect(readFileSync(join(root, FORM), "utf8")).toBe(renderIssueForm(examplePolicies()).content);
    expect(await run(["form", "--check"], { cwd: root })).toEqual({
      code: 0,
      stdout: `${FORM} is up to date.\n`,
      stderr: "",
    });
  });

  it("fails --check, writing nothing, when the form is missing or policies/ changed since", async () => {
    const root = repo();
    expect(await run(["form", "--check"], { cwd: root })).toMatchObject({
      code: 1,
      stderr: `${FORM} is missing: run \`hallpass form\` and commit the result.\n`,
    });
    await run(["form"], { cwd: root });
    writeFileSync(join(root, "policies/roles.yaml"), withNewRole);
    const stale = await run(["form", "--check"], { cwd: root });
    expect(stale).toMatchObject({
      code: 1,
      stderr: `${FORM} is stale: run \`hallpass form\` and commit the result.\n`,
    });
    expect(readFileSync(join(root, FORM), "utf8")).not.toContain("billing-read");
    await run(["form"], { cwd: root });
    expect(readFileSync(join(root, FORM), "utf8")).toContain("- billing-read");
  });

  it("refuses to generate from invalid policies, naming their problems", async () => {
    const root = repo({ "policies/roles.yaml": "roles:\n  x: 1\n" });
    const result = await run(["form"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("policies/roles.yaml:2:");
    expect(result.stderr).toContain("no form was generated");
  });
});

describe("hallpass validate and the form", () => {
  it("fails when the committed form is stale, and says nothing of a repository without one", async () => {
    const root = repo();
    expect((await run(["validate"], { cwd: root })).code).toBe(0);
    await run(["form"], { cwd: root });
    expect((await run(["validate"], { cwd: root })).code).toBe(0);
    writeFileSync(join(root, "policies/roles.yaml"), withNewRole);
    const result = await run(["validate"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${FORM}:1:1: error: the access-request form is stale`);
  });
});

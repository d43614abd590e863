import { describe, expect, it } from "vitest";
import { createRole } from "../../../src/workflows/grant/create-role.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { mergedPull, plannedGrant, REQUEST_PATH, STEP_NOW } from "./grant-step-fixtures.ts";

const CONTEXT = { pull: mergedPull(), requestPath: REQUEST_PATH, now: STEP_NOW };

describe("createRole", () => {
  it("creates the planned role, then finds it made on a second run", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const planned = plannedGrant();
    const store = aws.grantStore(planned.account);
    expect(await createRole({ github, aws }, store, CONTEXT, planned)).toEqual({ created: true });
    expect(await createRole({ github, aws }, store, CONTEXT, planned)).toEqual({ created: false });
    expect(github.issues.size).toBe(0);
  });

  it("hands the error on, to be rolled back, when creating fails", async () => {
    const aws = new FakeAwsAccounts().fail("ensureRole", new Error("throttled"));
    const planned = plannedGrant();
    const made = await createRole(
      { github: new FakeGitHub(), aws },
      aws.grantStore(planned.account),
      CONTEXT,
      planned,
    );
    expect("error" in made && (made.error as Error).message).toBe("throttled");
  });

  it("puts back a role of this grant changed by hand, and alerts", async () => {
    const github = new FakeGitHub();
    const aws = new FakeAwsAccounts();
    const planned = plannedGrant();
    const store = aws.grantStore(planned.account);
    await store.ensureRole(planned.plan);
    aws
      .role(planned.plan.roleName)!
      .inline.set(
        "added-by-hand",
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      );
    expect(await createRole({ github, aws }, store, CONTEXT, planned)).toEqual({ created: false });
    const issue = [...github.issues.values()][0]!;
    expect(issue.title).toContain("the grant role had been changed by hand");
    expect(issue.body).toContain(planned.roleArn);
  });
});

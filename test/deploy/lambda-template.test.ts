import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * deploy/lambda.yaml as CloudFormation reads it. A dynamic reference
 * (`{{resolve:secretsmanager:...}}`) in a function's environment is resolved into the
 * function's configuration, which `lambda:GetFunctionConfiguration` returns to every read-only
 * principal of the account: the app's key must never get there.
 */

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };
type Function = {
  Properties: {
    Environment: { Variables: Record<string, unknown> };
    Policies: { Statement: Statement[] }[];
  };
};

const raw = readFileSync(new URL("../../deploy/lambda.yaml", import.meta.url), "utf8");
const template = parse(raw) as {
  Parameters: Record<string, { AllowedPattern?: string }>;
  Resources: { HallpassApp: Function };
};
const app = template.Resources.HallpassApp.Properties;

describe("deploy/lambda.yaml", () => {
  it("puts no secret value in the function's configuration", () => {
    expect(raw).not.toMatch(/resolve:secretsmanager/);
    const variables = app.Environment.Variables;
    expect(Object.keys(variables)).not.toContain("PRIVATE_KEY");
    expect(Object.keys(variables)).not.toContain("WEBHOOK_SECRET");
    expect(Object.keys(variables)).not.toContain("HALLPASS_SLACK_WEBHOOK");
    expect(variables.HALLPASS_SECRET_ARN).toEqual({ Ref: "SecretArn" });
  });

  it("lets the function read that one secret and no other", () => {
    const statements = app.Policies.flatMap((p) => p.Statement);
    const secretStatements = statements.filter((s) =>
      [s.Action].flat().some((a) => a.startsWith("secretsmanager:")),
    );
    expect(secretStatements).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: { Ref: "SecretArn" },
      }),
    ]);
  });

  it("takes the secret's full ARN, which IAM matches exactly", () => {
    const pattern = new RegExp(template.Parameters.SecretArn!.AllowedPattern!);
    expect(
      pattern.test(
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:hallpass/github-app-AbC123",
      ),
    ).toBe(true);
    expect(pattern.test("hallpass/github-app")).toBe(false);
    expect(pattern.test("arn:aws:secretsmanager:eu-west-1:111122223333:secret:*")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { planGrant } from "../../../src/core/grant/plan-grant.ts";
import {
  renderUsageComment,
  sessionSecondsFor,
} from "../../../src/core/grant/render-usage-comment.ts";
import {
  aliceRequest,
  grantPolicies,
  MERGE_COMMIT,
  MERGED_AT,
} from "../../support/grant-fixtures.ts";
import { linksIn, tableRows, textOf } from "../../support/render-markdown.ts";

function plan(durationSeconds: number, start?: Date) {
  return planGrant(aliceRequest({ durationSeconds, start }), grantPolicies(), {
    mergeCommit: MERGE_COMMIT,
    mergedAt: MERGED_AT,
    now: MERGED_AT,
  }).plan!;
}

const USER = "arn:aws:iam::999988887777:user/alice";
const SSO = "arn:aws:sts::999988887777:assumed-role/AWSReservedSSO_Eng_01/alice@example.com";
const at = (iso: string) => new Date(iso);

describe("sessionSecondsFor", () => {
  it.each([
    ["what is left of the window", 7_200, USER, "2026-11-26T10:30:00Z", 5_400],
    ["the role's maximum when more is left", 86_400, USER, "2026-11-26T10:00:00Z", 43_200],
    [
      "one hour when signing in through a role (role chaining)",
      7_200,
      SSO,
      "2026-11-26T10:00:00Z",
      3_600,
    ],
    ["STS's 900 s minimum near the expiry", 7_200, USER, "2026-11-26T11:58:00Z", 900],
  ])("asks for %s", (_, duration, principal, now, expected) => {
    expect(sessionSecondsFor(plan(duration), principal, at(now))).toBe(expected);
  });
});

describe("renderUsageComment", () => {
  const input = (p = plan(7_200), now = at("2026-11-26T10:00:30Z")) => ({
    plan: p,
    roleArn: `arn:aws:iam::111122223333:role/hallpass/${p.roleName}`,
    principal: USER,
    roleName: "db-read",
    accountName: "prod",
    now,
  });

  it("keeps names, the principal and the replaced request whole in their code spans and cells", () => {
    const body = renderUsageComment({
      ...input(),
      roleName: "db`read",
      accountName: "prod|x",
      principal: "arn:aws:iam::999988887777:user/a`b|c",
      replaced: "access-requests/old`](https://evil.example).yaml",
    });
    expect(linksIn(body)).toEqual([]);
    const text = textOf(body);
    expect(text).toContain("Access granted: db`read in prod|x (");
    expect(text).toContain("replaces the one of access-requests/old`](https://evil.example).yaml,");
    expect(tableRows(body).find((r) => r[0] === "Assume it as")).toEqual([
      "Assume it as",
      "arn:aws:iam::999988887777:user/a`b|c",
    ]);
  });

  it("gives the exact assume-role command with the source identity and session name", () => {
    const body = renderUsageComment(input());
    const p = plan(7_200);
    expect(body).toContain(
      [
        "aws sts assume-role \\",
        `  --role-arn arn:aws:iam::111122223333:role/hallpass/${p.roleName} \\`,
        `  --role-session-name ${p.sessionName} \\`,
        "  --source-identity alice \\",
        "  --duration-seconds 7170",
      ].join("\n"),
    );
    expect(body).toContain("ends **2026-11-26 12:00:00 UTC** (in 1h59m30s)");
    expect(body).toContain(
      `credential_process = aws sts assume-role --role-arn arn:aws:iam::111122223333:role/hallpass/${p.roleName}`,
    );
  });

  it("says how to reach the console with the grant's request file", () => {
    const p = plan(7_200);
    const text = textOf(renderUsageComment(input(p)));
    expect(text).toContain(`hallpass console ${p.tags["hallpass:request"]} --open`);
    expect(p.tags["hallpass:request"]).toMatch(/^access-requests\/.+\.yaml$/);
    expect(text).toContain("under the same session name and source identity");
  });

  it("says when an access with a later start begins", () => {
    const later = plan(3_600, at("2026-11-26T14:00:00Z"));
    const body = renderUsageComment(input(later));
    expect(body).toContain("starts **2026-11-26 14:00:00 UTC** (in 3h59m30s)");
    expect(body).toContain("It ends **2026-11-26 15:00:00 UTC**");
  });
});

import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { brokerCredentials } from "../../src/adapters/broker-credentials.ts";

const ACCOUNT = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};
const T0 = Date.parse("2026-11-26T10:00:00Z");

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

function session(key: string, expiresAt: number) {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: "secret",
      SessionToken: "token",
      Expiration: new Date(expiresAt),
    },
  };
}

describe("brokerCredentials", () => {
  it("assumes the broker once for concurrent callers, with the session name and 1 h", async () => {
    sts.on(AssumeRoleCommand).resolves(session("ASIA1", T0 + 3_600_000));
    const provider = brokerCredentials(new STSClient({}), ACCOUNT, "hallpass-app", () => T0);
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a).toEqual(b);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ACCOUNT.brokerRole, RoleSessionName: "hallpass-app", DurationSeconds: 3600 },
    ]);
  });

  it("renews the session five minutes before it expires", async () => {
    let now = T0;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(session("ASIA1", T0 + 3_600_000))
      .resolvesOnce(session("ASIA2", T0 + 7_200_000));
    const provider = brokerCredentials(new STSClient({}), ACCOUNT, "hallpass-app", () => now);
    expect((await provider()).accessKeyId).toBe("ASIA1");
    now = T0 + 3_600_000 - 5 * 60_000 - 1;
    expect((await provider()).accessKeyId).toBe("ASIA1");
    now += 1;
    expect((await provider()).accessKeyId).toBe("ASIA2");
  });

  it("names the account and what to check when the broker cannot be assumed, then retries", async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error("not authorized"), { name: "AccessDenied" }))
      .resolvesOnce(session("ASIA1", T0 + 3_600_000));
    const provider = brokerCredentials(new STSClient({}), ACCOUNT, "hallpass-action", () => T0);
    await expect(provider()).rejects.toThrow(
      "cannot assume the broker role arn:aws:iam::123456789012:role/hallpass-broker of account production (123456789012): AccessDenied: not authorized. Check that deploy/account-setup.yaml",
    );
    expect((await provider()).accessKeyId).toBe("ASIA1");
  });
});

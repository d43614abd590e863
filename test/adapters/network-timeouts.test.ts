import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cloudTrailClientFactory } from "../../src/adapters/aws-cloudtrail.ts";
import { createAwsIamPort } from "../../src/adapters/aws-iam.ts";
import { createSweepDeps } from "../../src/adapters/create-sweep-deps.ts";
import { fetchWithTimeouts } from "../../src/adapters/network-timeouts.ts";
import { createSlackNotifier } from "../../src/adapters/slack-notifier.ts";
import { type SilentServer, startSilentServer } from "../support/silent-server.ts";

/**
 * Every client against a dependency that accepts the connection and never answers, with short
 * injected timeouts: each call fails with an error that says so, instead of waiting for ever.
 * The vitest timeout of each test is the proof: without the timeouts the calls hang past it.
 */

// The silent server accepts at once, so only the request timeout is under test; the connect
// timeout is roomy because a loaded machine (CI on 2 cores) can take longer than 50 ms to
// complete a loopback connection, which would fail the call for the wrong reason. The request
// timeout counts the connection too (fetch), and at 150 ms it once fired before the loaded
// server had accepted: 1 s leaves the connection room and still ends each call quickly.
const SHORT = { connectMs: 2_000, requestMs: 1_000 };
// Each test's own limit, the proof that nothing waits for ever: far above what the timeouts
// allow, so that a loaded machine loading the SDK or scheduling late does not fail it.
const PROOF_MS = 10_000;
const ACCOUNT = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};
const CREDENTIALS = { accessKeyId: "AKIATEST", secretAccessKey: "secret" };

let server: SilentServer;

beforeEach(async () => {
  server = await startSilentServer();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
});

describe("network timeouts", () => {
  it("fetch gives up with an error naming the host, not the URL", {
    timeout: PROOF_MS,
  }, async () => {
    const send = fetchWithTimeouts(SHORT);
    const error = await send(`${server.url}/services/T0/B0/secret`).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `no answer from ${new URL(server.url).host} within 1000 ms`,
    );
    expect((error as Error).message).not.toContain("secret");
    expect(server.connections()).toBe(1);
  });

  it("the Slack notifier fails instead of hanging, and keeps the URL secret", {
    timeout: PROOF_MS,
  }, async () => {
    const notifier = createSlackNotifier({
      webhookUrl: `${server.url}/services/T0/B0/very-secret`,
      timeouts: SHORT,
    });
    const error = await notifier.notify("alert").catch((e: Error) => e);
    expect((error as Error).message).toMatch(/^cannot reach the Slack webhook: no answer from/);
    expect((error as Error).message).not.toContain("very-secret");
  });

  it("an IAM call (through the broker's STS session) fails instead of hanging", {
    timeout: PROOF_MS,
  }, async () => {
    vi.stubEnv("AWS_ENDPOINT_URL", server.url);
    const aws = createAwsIamPort({
      credentials: CREDENTIALS,
      brokerSessionName: "hallpass-app",
      maxAttempts: 1,
      timeouts: SHORT,
    });
    const error = await aws
      .grantStore(ACCOUNT)
      .getRole("hp-alice")
      .catch((e: Error) => e);
    expect((error as Error).message).toContain("cannot assume the broker role");
    expect((error as Error).message).toContain("1000 ms requestTimeout");
  });

  it("a CloudTrail lookup fails instead of hanging", { timeout: PROOF_MS }, async () => {
    vi.stubEnv("AWS_ENDPOINT_URL", server.url);
    const clientFor = cloudTrailClientFactory({ credentials: CREDENTIALS, timeouts: SHORT });
    const error = await clientFor(ACCOUNT, "us-east-1")
      .send(new LookupEventsCommand({}))
      .catch((e: Error) => e);
    // The broker's STS session comes first, so that is the call that times out.
    expect((error as Error).message).toContain("1000 ms requestTimeout");
  });

  it("the sweep's GitHub client fails instead of hanging", { timeout: PROOF_MS }, async () => {
    const deps = createSweepDeps({
      token: "t",
      repository: "acme/access",
      apiUrl: server.url,
      env: {},
      actor: "hallpass-action",
      appId: 77,
      timeouts: SHORT,
      githubRetries: 0,
    });
    const error = await deps.github.getDefaultBranch().catch((e: Error) => e);
    expect((error as Error).message).toContain(`no answer from ${new URL(server.url).host}`);
  });
});

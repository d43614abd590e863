import { createHmac, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { Probot } from "probot";
import { describe, expect, it, vi } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultDeps, mergeDeadlines } from "../../src/app/index.ts";
import {
  createLambdaEntry,
  createLambdaHandler,
  readAppSecrets,
  readPrivateKey,
  verifySignature,
} from "../../src/app/lambda.ts";
import { examplePayload } from "./harness.ts";

const SECRET = "webhook-secret";

// Every Probot's options, to see what the Lambda entry configures (its logger above all).
const probotOptions = vi.hoisted(() => [] as Record<string, unknown>[]);
vi.mock("probot", async (importOriginal) => {
  const original = await importOriginal<typeof import("probot")>();
  class RecordedProbot extends original.Probot {
    constructor(options: ConstructorParameters<typeof original.Probot>[0] = {}) {
      probotOptions.push({ ...options });
      super(options);
    }
  }
  return { ...original, Probot: RecordedProbot };
});

function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function setup() {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 1024,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const probot = new Probot({ appId: 1, privateKey, secret: SECRET, logLevel: "fatal" });
  const received: { id: string; name: string; action: unknown }[] = [];
  await probot.load((app) => {
    app.onAny(async (context) => {
      received.push({
        id: context.id,
        name: context.name,
        action: (context.payload as { action?: string }).action,
      });
    });
  });
  const handler = createLambdaHandler({ probot: Promise.resolve(probot), secret: SECRET });
  return { handler, received };
}

const body = JSON.stringify(examplePayload("pull_request", "opened"));
const headers = {
  "X-GitHub-Event": "pull_request",
  "X-GitHub-Delivery": "d-1",
  "X-Hub-Signature-256": sign(body),
};

describe("the Lambda handler", () => {
  it("hands a correctly signed event to Probot", async () => {
    const { handler, received } = await setup();
    const result = await handler({ headers, body });
    expect(result.statusCode).toBe(200);
    expect(received).toEqual([{ id: "d-1", name: "pull_request", action: "opened" }]);
  });

  it("accepts a base64-encoded body (API Gateway binary mode)", async () => {
    const { handler, received } = await setup();
    const result = await handler({
      headers,
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    });
    expect(result.statusCode).toBe(200);
    expect(received).toHaveLength(1);
  });

  it.each([
    ["a wrong signature", { ...headers, "X-Hub-Signature-256": sign(body, "other") }],
    ["no signature", { "X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d-1" }],
    ["a sha1 signature", { ...headers, "X-Hub-Signature-256": "sha1=abc" }],
  ])("refuses %s with 401 and never runs the app", async (_case, h) => {
    const { handler, received } = await setup();
    const result = await handler({ headers: h, body });
    expect(result.statusCode).toBe(401);
    expect(result.body).toContain("WEBHOOK_SECRET");
    expect(received).toEqual([]);
  });

  it("refuses a tampered body", async () => {
    const { handler, received } = await setup();
    const result = await handler({ headers, body: body.replace("opened", "closed") });
    expect(result.statusCode).toBe(401);
    expect(received).toEqual([]);
  });

  it("answers 500 naming the delivery when a handler fails", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const probot = new Probot({ appId: 1, privateKey, secret: SECRET, logLevel: "fatal" });
    await probot.load((app) => {
      app.on("pull_request", async () => {
        throw new Error("GitHub is down");
      });
    });
    const handler = createLambdaHandler({ probot: Promise.resolve(probot), secret: SECRET });
    const result = await handler({ headers, body });
    expect(result.statusCode).toBe(500);
    expect(result.body).toContain("delivery d-1 failed");
    expect(result.body).toContain("GitHub is down");
  });

  it("answers 400 to a signed request without event headers", async () => {
    const { handler } = await setup();
    const result = await handler({ headers: { "x-hub-signature-256": sign(body) }, body });
    expect(result.statusCode).toBe(400);
  });
});

describe("verifySignature and readPrivateKey", () => {
  it("compares signatures of any length without throwing", () => {
    expect(verifySignature(SECRET, Buffer.from("x"), "sha256=short")).toBe(false);
    expect(verifySignature(SECRET, Buffer.from("x"), sign("x"))).toBe(true);
  });

  it("reads a PEM with escaped newlines or as base64, and explains a bad value", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n";
    expect(readPrivateKey(pem.replace(/\n/g, "\\n"))).toBe(pem);
    expect(readPrivateKey(Buffer.from(pem).toString("base64"))).toBe(pem);
    expect(() => readPrivateKey("nonsense")).toThrow(/neither a PEM key nor base64/);
    expect(() => readPrivateKey(undefined)).toThrow(/PRIVATE_KEY is not set/);
  });
});

describe("the Lambda entry: secrets from Secrets Manager at cold start", () => {
  const ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:hallpass/github-app-AbC123";
  const pem = generateKeyPairSync("rsa", {
    modulusLength: 1024,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  }).privateKey;
  const secretString = JSON.stringify({
    PRIVATE_KEY: Buffer.from(pem).toString("base64"),
    WEBHOOK_SECRET: SECRET,
  });
  const env = {
    APP_ID: "1",
    HALLPASS_ACCESS_REPOSITORY: "acme/access",
    HALLPASS_SECRET_ARN: ARN,
    LOG_LEVEL: "fatal" as const,
  };
  const ping = (id: string) => {
    const text = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    return {
      headers: {
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": id,
        "X-Hub-Signature-256": sign(text),
      },
      body: text,
    };
  };

  it("reads the secret once per cold start, by its ARN, and serves every event with it", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const entry = createLambdaEntry({ env, secrets: new SecretsManagerClient({}) });

    const results = [await entry(ping("d-1")), await entry(ping("d-2"))];

    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const calls = secrets.commandCalls(GetSecretValueCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ SecretId: ARN }]);
    // A delivery signed with another secret is still refused.
    const forged = { ...ping("d-3"), headers: { ...ping("d-3").headers } };
    forged.headers["X-Hub-Signature-256"] = sign(forged.body, "other");
    expect((await entry(forged)).statusCode).toBe(401);
    secrets.restore();
  });

  it("tries again on the next event when the cold start failed, rather than keeping the failure", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error("connect ETIMEDOUT"))
      .resolves({ SecretString: secretString });
    const entry = createLambdaEntry({ env, secrets: new SecretsManagerClient({}) });

    await expect(entry(ping("d-1"))).rejects.toThrow(/ETIMEDOUT/);
    expect((await entry(ping("d-2"))).statusCode).toBe(200);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    secrets.restore();
  });

  it("refuses to start without HALLPASS_SECRET_ARN, and never reads PRIVATE_KEY from the environment", async () => {
    const secrets = mockClient(SecretsManagerClient);
    const { HALLPASS_SECRET_ARN: _, ...without } = env;
    const entry = createLambdaEntry({
      env: { ...without, PRIVATE_KEY: pem, WEBHOOK_SECRET: SECRET },
      secrets: new SecretsManagerClient({}),
    });
    await expect(entry(ping("d-1"))).rejects.toThrow(/HALLPASS_SECRET_ARN is not set/);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    secrets.restore();
  });

  it.each([
    ["text that is not JSON", "PRIVATE_KEY=-----BEGIN hush", /is not JSON/],
    ["a JSON array", JSON.stringify(["hush"]), /is not a JSON object of strings/],
    ["no private key", JSON.stringify({ WEBHOOK_SECRET: "hush" }), /has no PRIVATE_KEY/],
    ["no webhook secret", JSON.stringify({ PRIVATE_KEY: "hush" }), /has no WEBHOOK_SECRET/],
    [
      "a value that is not a string",
      JSON.stringify({ PRIVATE_KEY: 1 }),
      /PRIVATE_KEY is not a string/,
    ],
  ])("explains a secret with %s, naming it and quoting no value", async (_case, text, message) => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: text });
    const error = await readAppSecrets(new SecretsManagerClient({}), ARN).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(ARN);
    expect((error as Error).message).not.toContain("hush");
    secrets.restore();
  });

  it.each([
    [
      { LOG_LEVEL: "info", LOG_FORMAT: "json" },
      { logLevel: "info", logFormat: "json" },
    ],
    [
      { LOG_LEVEL: "debug", LOG_FORMAT: "pretty" },
      { logLevel: "debug", logFormat: "pretty" },
    ],
    [{ LOG_LEVEL: "warn" }, { logLevel: "warn", logFormat: "pretty" }],
    [{ LOG_LEVEL: "" }, { logLevel: "info", logFormat: "pretty" }],
    [
      { LOG_LEVEL: "error", NODE_ENV: "production" },
      { logLevel: "error", logFormat: "json" },
    ],
  ])("logs as LOG_LEVEL and LOG_FORMAT say, as npm start does: %j", async (vars, logging) => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const entry = createLambdaEntry({
      env: { ...env, ...(vars as Record<string, string>) } as NodeJS.ProcessEnv,
      secrets: new SecretsManagerClient({}),
    });
    probotOptions.length = 0;
    expect((await entry(ping("d-1"))).statusCode).toBe(200);
    expect(probotOptions).toEqual([expect.objectContaining(logging)]);
    secrets.restore();
  });

  it("refuses to start with a LOG_LEVEL the logger does not know, naming it", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: secretString });
    const entry = createLambdaEntry({
      env: { ...env, LOG_LEVEL: "verbose" as string } as NodeJS.ProcessEnv,
      secrets: new SecretsManagerClient({}),
    });
    await expect(entry(ping("d-1"))).rejects.toThrow(
      'LOG_LEVEL is "verbose": set it to trace, debug, info, warn, error, fatal or silent.',
    );
    secrets.restore();
  });

  it("offers the secret's other keys (a Slack webhook) as variables, apart from the key", async () => {
    const secrets = mockClient(SecretsManagerClient);
    const slack = "https://hooks.slack.example/services/T0/B0/x";
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        PRIVATE_KEY: "k",
        WEBHOOK_SECRET: "w",
        HALLPASS_SLACK_WEBHOOK: slack,
      }),
    });
    expect(await readAppSecrets(new SecretsManagerClient({}), ARN)).toEqual({
      PRIVATE_KEY: "k",
      WEBHOOK_SECRET: "w",
      others: { HALLPASS_SLACK_WEBHOOK: slack },
    });
    secrets.restore();
  });
});

describe("the time limits of a merge's handling", () => {
  // biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template read as data
  const template: any = parseYaml(
    readFileSync(new URL("../../deploy/lambda.yaml", import.meta.url), "utf8"),
  );
  const fn = template.Resources.HallpassApp.Properties;

  it("tells the app the function's own Timeout, from one parameter", () => {
    expect(fn.Timeout).toEqual({ Ref: "FunctionTimeout" });
    expect(fn.Environment.Variables.HALLPASS_TIME_LIMIT_SECONDS).toEqual({
      Ref: "FunctionTimeout",
    });
    const parameter = template.Parameters.FunctionTimeout;
    // Every value the template accepts gives deadlines inside it.
    for (const seconds of [parameter.MinValue, parameter.Default, parameter.MaxValue]) {
      const { workMs, tellMs } = mergeDeadlines(seconds);
      expect(workMs).toBeGreaterThanOrEqual(10_000);
      expect(workMs).toBeLessThan(tellMs);
      expect(tellMs).toBeLessThan(seconds * 1000);
    }
  });

  it("stops the grant at 40 s and telling at 55 s of the default 60 s", () => {
    expect(mergeDeadlines(60)).toEqual({ workMs: 40_000, tellMs: 55_000 });
    expect(defaultDeps({}).mergeDeadlines).toEqual({ workMs: 40_000, tellMs: 55_000 });
    expect(defaultDeps({ HALLPASS_TIME_LIMIT_SECONDS: "300" }).mergeDeadlines).toEqual({
      workMs: 280_000,
      tellMs: 295_000,
    });
  });

  it("refuses a limit too short to grant and still tell, or not a number", () => {
    expect(() => defaultDeps({ HALLPASS_TIME_LIMIT_SECONDS: "20" })).toThrow(
      `HALLPASS_TIME_LIMIT_SECONDS is "20": set it to the host's time limit in seconds`,
    );
    expect(() => defaultDeps({ HALLPASS_TIME_LIMIT_SECONDS: "a minute" })).toThrow(
      'HALLPASS_TIME_LIMIT_SECONDS is "a minute"',
    );
  });
});

import { createHmac, generateKeyPairSync } from "node:crypto";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { createLambdaHandler, readPrivateKey, verifySignature } from "../../src/app/lambda.ts";
import { examplePayload } from "./harness.ts";

const SECRET = "webhook-secret";

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

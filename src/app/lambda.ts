/**
 * The app as an AWS Lambda function behind a Function URL or an API Gateway HTTP API. Our
 * own small handler rather than a published adapter (those pull in probot 13): verify the
 * webhook signature, then hand the event to Probot.
 *
 * Environment: APP_ID, PRIVATE_KEY (PEM, or base64 of it), WEBHOOK_SECRET.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import hallpass from "./index.ts";

/** The parts of a Lambda HTTP event (payload format 2.0 and 1.0) this handler reads. */
export interface LambdaHttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface LambdaHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function reply(statusCode: number, message: string): LambdaHttpResult {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message }),
  };
}

/** True when `signature` (the X-Hub-Signature-256 header) is the HMAC of `body` with `secret`. */
export function verifySignature(
  secret: string,
  body: Buffer,
  signature: string | undefined,
): boolean {
  if (!signature?.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  // Constant time, so the signature cannot be guessed byte by byte from response times.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the PEM from PRIVATE_KEY, accepting escaped newlines or base64 (env vars are one line). */
export function readPrivateKey(value: string | undefined): string {
  if (!value)
    throw new Error(
      "PRIVATE_KEY is not set: put the GitHub App's private key (PEM or base64 of it) in it.",
    );
  if (value.includes("-----BEGIN")) return value.replace(/\\n/g, "\n");
  const decoded = Buffer.from(value, "base64").toString("utf8");
  if (!decoded.includes("-----BEGIN")) {
    throw new Error(
      "PRIVATE_KEY is neither a PEM key nor base64 of one: copy the .pem file GitHub gave you.",
    );
  }
  return decoded;
}

/** Builds a handler around a loaded Probot instance (injected by tests). */
export function createLambdaHandler(options: { probot: Promise<Probot>; secret: string }) {
  return async (event: LambdaHttpEvent): Promise<LambdaHttpResult> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {}))
      if (v !== undefined) headers[k.toLowerCase()] = v;
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    if (!verifySignature(options.secret, body, headers["x-hub-signature-256"])) {
      return reply(
        401,
        "invalid or missing X-Hub-Signature-256: check that WEBHOOK_SECRET matches the app's webhook secret",
      );
    }
    const name = headers["x-github-event"];
    const id = headers["x-github-delivery"];
    if (!name || !id) return reply(400, "missing X-GitHub-Event or X-GitHub-Delivery header");
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return reply(400, "the body is not JSON: set the webhook content type to application/json");
    }
    const probot = await options.probot;
    try {
      // Handlers run to completion before we answer: a Lambda is frozen once it returns.
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
    } catch (error) {
      // Probot has logged the handler's error; GitHub shows the delivery as failed, and
      // "Redeliver" in the app's settings re-runs it (every handler is idempotent).
      const message = error instanceof Error ? error.message : String(error);
      return reply(500, `delivery ${id} failed: ${message}`);
    }
    return reply(200, "ok");
  };
}

let handlerInstance: ReturnType<typeof createLambdaHandler> | undefined;

/** The Lambda entry point (`handler` in deploy/lambda.yaml). One Probot per container. */
export async function handler(event: LambdaHttpEvent): Promise<LambdaHttpResult> {
  if (!handlerInstance) {
    const secret = process.env.WEBHOOK_SECRET;
    if (!secret)
      throw new Error("WEBHOOK_SECRET is not set: it must match the app's webhook secret.");
    const probot = new Probot({
      appId: process.env.APP_ID,
      privateKey: readPrivateKey(process.env.PRIVATE_KEY),
      secret,
      Octokit: ProbotOctokit,
    });
    handlerInstance = createLambdaHandler({
      probot: probot.load(hallpass).then(() => probot),
      secret,
    });
  }
  return handlerInstance(event);
}

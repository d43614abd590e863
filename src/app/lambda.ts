/**
 * The app as an AWS Lambda function behind a Function URL or an API Gateway HTTP API. Our
 * own small handler rather than a published adapter (those pull in probot 13): verify the
 * webhook signature, then hand the event to Probot.
 *
 * Environment: APP_ID, HALLPASS_ACCESS_REPOSITORY, and HALLPASS_SECRET_ARN, the Secrets Manager
 * secret holding PRIVATE_KEY and WEBHOOK_SECRET (and any Slack webhook the policies name). The
 * secrets are read once per cold start and never sit in the function's configuration, which
 * `lambda:GetFunctionConfiguration` (part of AWS's ReadOnlyAccess) returns to anyone who may
 * read the account.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Probot } from "probot";
import { awsRequestHandler } from "../adapters/network-timeouts.ts";
import { appOctokit, createApp, defaultDeps } from "./index.ts";

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

/** The keys of the app's secret (a JSON object in the secret's SecretString). */
export interface AppSecrets {
  /** The GitHub App's private key: PEM, or base64 of it. */
  PRIVATE_KEY: string;
  /** The app's webhook secret. */
  WEBHOOK_SECRET: string;
  /** Every other key (a Slack webhook URL the policies name), as the app reads variables. */
  others: Record<string, string>;
}

/** What the handler needs of Secrets Manager (a `SecretsManagerClient`, or a mock of it). */
export type SecretsReader = Pick<SecretsManagerClient, "send">;

/**
 * Reads the app's secret. Errors name the secret and the key, never a value: a JSON parse
 * error would quote the text it choked on, so it is not passed on.
 */
export async function readAppSecrets(
  client: SecretsReader,
  secretArn: string,
): Promise<AppSecrets> {
  const { SecretString: text } = await client.send(
    new GetSecretValueCommand({ SecretId: secretArn }),
  );
  const shape = `a JSON object of strings with PRIVATE_KEY (base64 of the .pem) and WEBHOOK_SECRET`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? "");
  } catch {
    throw new Error(`secret ${secretArn} is not JSON: store ${shape}.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`secret ${secretArn} is not ${shape}.`);
  }
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") throw new Error(`secret ${secretArn}: ${key} is not a string.`);
    values[key] = value;
  }
  const { PRIVATE_KEY, WEBHOOK_SECRET, ...others } = values;
  for (const [key, value] of Object.entries({ PRIVATE_KEY, WEBHOOK_SECRET })) {
    if (!value) throw new Error(`secret ${secretArn} has no ${key}: store ${shape}.`);
  }
  return { PRIVATE_KEY: PRIVATE_KEY!, WEBHOOK_SECRET: WEBHOOK_SECRET!, others };
}

/** Builds Probot and the handler from the function's environment and its secret. */
async function coldStart(
  env: NodeJS.ProcessEnv,
  secrets: SecretsReader,
): Promise<ReturnType<typeof createLambdaHandler>> {
  const secretArn = env.HALLPASS_SECRET_ARN;
  if (!secretArn) {
    throw new Error(
      "HALLPASS_SECRET_ARN is not set: name the Secrets Manager secret that holds PRIVATE_KEY and WEBHOOK_SECRET (deploy/lambda.yaml sets it).",
    );
  }
  const secret = await readAppSecrets(secrets, secretArn);
  const probot = new Probot({
    appId: env.APP_ID,
    privateKey: readPrivateKey(secret.PRIVATE_KEY),
    secret: secret.WEBHOOK_SECRET,
    Octokit: appOctokit(),
    ...logOptions(env),
  });
  // The secret's other keys (the Slack webhook) are read as variables are, from memory only;
  // the key and the webhook secret are not offered, whatever variable the policies name.
  const deps = defaultDeps({ ...env, ...secret.others });
  await probot.load(createApp(deps));
  return createLambdaHandler({ probot: Promise.resolve(probot), secret: secret.WEBHOOK_SECRET });
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/**
 * The logger's level and format from LOG_LEVEL and LOG_FORMAT, read as `npm start` (Probot's
 * `run`) reads them: `new Probot` reads no variable, so without this the function ignored what
 * deploy/lambda.yaml sets and logged readable lines at warn. The level defaults to info, as
 * there; an unknown one is refused here, by name, rather than by pino inside Probot's start.
 */
function logOptions(env: NodeJS.ProcessEnv): {
  logLevel: Exclude<(typeof LOG_LEVELS)[number], "silent">;
  logFormat: "json" | "pretty";
} {
  const level: string | undefined = env.LOG_LEVEL;
  if (level !== undefined && level !== "" && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(
      `LOG_LEVEL is "${level}": set it to ${LOG_LEVELS.slice(0, -1).join(", ")} or silent.`,
    );
  }
  const format = env.LOG_FORMAT
    ? env.LOG_FORMAT === "pretty"
      ? "pretty"
      : "json"
    : env.NODE_ENV === "production"
      ? "json"
      : "pretty";
  // Probot's type leaves out "silent", which pino (its logger) takes.
  const logLevel = (level || "info") as Exclude<(typeof LOG_LEVELS)[number], "silent">;
  return { logLevel, logFormat: format };
}

/**
 * The Lambda entry for an environment and a Secrets Manager client (tests inject a mock). The
 * secret is read once per container; a cold start that failed (Secrets Manager unreachable, a
 * bad secret) is tried again on the next event rather than kept.
 */
export function createLambdaEntry(options: {
  env: NodeJS.ProcessEnv;
  secrets: SecretsReader;
}): (event: LambdaHttpEvent) => Promise<LambdaHttpResult> {
  let started: Promise<ReturnType<typeof createLambdaHandler>> | undefined;
  return async (event) => {
    started ??= coldStart(options.env, options.secrets).catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return (await started)(event);
  };
}

let entry: ReturnType<typeof createLambdaEntry> | undefined;

/** The Lambda entry point (`handler` in deploy/lambda.yaml). One Probot per container. */
export async function handler(event: LambdaHttpEvent): Promise<LambdaHttpResult> {
  entry ??= createLambdaEntry({
    env: process.env,
    secrets: new SecretsManagerClient({ requestHandler: awsRequestHandler() }),
  });
  return entry(event);
}

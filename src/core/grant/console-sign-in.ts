import { formatDuration } from "../request/duration.ts";
import type { GrantRecord } from "./records.ts";

/** AWS's federation endpoint, which turns role credentials into a console sign-in link. */
export const AWS_FEDERATION_ENDPOINT = "https://signin.aws.amazon.com/federation";
/** Where the console opens when no destination is given. */
export const AWS_CONSOLE_HOME = "https://console.aws.amazon.com/";

/** Temporary credentials of the grant role, as the federation endpoint wants them. */
export interface ConsoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Whether the grant can be used for the console at `now`, and how many seconds are left. */
export type ConsoleEligibility = { ok: true; secondsLeft: number } | { ok: false; reason: string };

/**
 * Decides whether a grant may be turned into a console session now. Fails closed: a revoked
 * grant, a window not yet open or already over is refused with the reason (AWS would refuse
 * too, but later and with a bare AccessDenied).
 */
export function consoleEligibility(
  grant: Pick<GrantRecord, "requestPath" | "window">,
  revoked: boolean,
  now: Date,
): ConsoleEligibility {
  const start = Date.parse(grant.window.start);
  const end = Date.parse(grant.window.end);
  if (revoked) {
    return { ok: false, reason: `${grant.requestPath}: the grant has been revoked.` };
  }
  if (now.getTime() < start) {
    const wait = formatDuration(Math.ceil((start - now.getTime()) / 1000));
    return { ok: false, reason: `${grant.requestPath}: the access starts in ${wait}.` };
  }
  const left = Math.floor((end - now.getTime()) / 1000);
  if (left <= 0) {
    return { ok: false, reason: `${grant.requestPath}: the access ended at ${grant.window.end}.` };
  }
  return { ok: true, secondsLeft: left };
}

/**
 * The federation endpoint must be AWS's over HTTPS or a loopback stand-in: the request carries
 * the role's secret key, so an endpoint read from the environment must not send it elsewhere.
 * Returns the parsed URL, or a message saying what to fix.
 */
export function checkFederationEndpoint(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `federation endpoint "${text}" is not a URL.`;
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol === "https:" && (url.hostname.endsWith(".aws.amazon.com") || loopback)) {
    return url;
  }
  if (url.protocol === "http:" && loopback) return url;
  return `federation endpoint "${text}" is neither AWS's sign-in endpoint (https://signin.aws.amazon.com/federation or a regional https://*.signin.aws.amazon.com/federation) nor a loopback stand-in: it would receive the role's secret key.`;
}

/** The getSigninToken request: the role session's credentials, as AWS documents the call. */
export function signinTokenUrl(endpoint: URL, credentials: ConsoleCredentials): string {
  const url = new URL(endpoint);
  url.searchParams.set("Action", "getSigninToken");
  url.searchParams.set(
    "Session",
    JSON.stringify({
      sessionId: credentials.accessKeyId,
      sessionKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    }),
  );
  return url.toString();
}

/** The SigninToken from getSigninToken's JSON answer, or an error message. */
export function readSigninToken(body: string): { token: string } | { error: string } {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (
      typeof parsed === "object" &&
      parsed !== null &&
      typeof (parsed as { SigninToken?: unknown }).SigninToken === "string" &&
      (parsed as { SigninToken: string }).SigninToken !== ""
    ) {
      return { token: (parsed as { SigninToken: string }).SigninToken };
    }
  } catch {
    // fall through: the answer is not JSON
  }
  return { error: "the federation endpoint answered without a SigninToken." };
}

/**
 * The console sign-in link. It works once, for 15 minutes, and signs in whoever opens it as the
 * grant's role session, with the grant's source identity: treat it as a password.
 */
export function consoleLoginUrl(
  endpoint: URL,
  token: string,
  issuer: string,
  destination: string = AWS_CONSOLE_HOME,
): string {
  const url = new URL(endpoint);
  url.searchParams.set("Action", "login");
  url.searchParams.set("Issuer", issuer);
  url.searchParams.set("Destination", destination);
  url.searchParams.set("SigninToken", token);
  return url.toString();
}

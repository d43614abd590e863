import { describe, expect, it } from "vitest";
import {
  checkFederationEndpoint,
  consoleEligibility,
  consoleLoginUrl,
  readSigninToken,
  signinTokenUrl,
} from "../../../src/core/grant/console-sign-in.ts";

const grant = {
  requestPath: "access-requests/alice/db.yaml",
  window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" },
};

describe("consoleEligibility", () => {
  it.each([
    ["at the start of the window", "2026-11-26T10:00:00Z", 7_200],
    ["near expiry", "2026-11-26T11:58:00Z", 120],
  ])("accepts a live grant %s, with the seconds left", (_name, at, seconds) => {
    expect(consoleEligibility(grant, false, new Date(at))).toEqual({
      ok: true,
      secondsLeft: seconds,
    });
  });

  it.each([
    ["a revoked grant", "2026-11-26T11:00:00Z", true, "the grant has been revoked"],
    ["before the window", "2026-11-26T09:00:00Z", false, "the access starts in 1h"],
    [
      "at the expiry second",
      "2026-11-26T12:00:00Z",
      false,
      "the access ended at 2026-11-26T12:00:00Z",
    ],
    ["after expiry", "2026-11-27T12:00:00Z", false, "the access ended"],
  ])("refuses %s, saying why", (_name, at, revoked, reason) => {
    const decided = consoleEligibility(grant, revoked, new Date(at));
    expect(decided.ok).toBe(false);
    expect(!decided.ok && decided.reason).toContain(reason);
    expect(!decided.ok && decided.reason).toContain("access-requests/alice/db.yaml");
  });
});

describe("checkFederationEndpoint", () => {
  it.each([
    "https://signin.aws.amazon.com/federation",
    "https://eu-west-1.signin.aws.amazon.com/federation",
    "http://127.0.0.1:4567/federation",
    "http://localhost:4567/federation",
  ])("accepts %s", (endpoint) => {
    expect(checkFederationEndpoint(endpoint)).toBeInstanceOf(URL);
  });

  it.each([
    "http://signin.aws.amazon.com/federation",
    "https://signin.aws.amazon.com.evil.example/federation",
    "https://evil.example/federation?x=.aws.amazon.com",
    "http://10.0.0.5/federation",
    "not a url",
  ])("refuses %s: it would receive the role's secret key", (endpoint) => {
    expect(typeof checkFederationEndpoint(endpoint)).toBe("string");
  });
});

describe("the federation requests", () => {
  const endpoint = new URL("https://signin.aws.amazon.com/federation");

  it("asks getSigninToken with the session credentials as AWS documents them", () => {
    const url = new URL(
      signinTokenUrl(endpoint, {
        accessKeyId: "ASIAEXAMPLE",
        secretAccessKey: "secret+/=",
        sessionToken: "token&x=1",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://signin.aws.amazon.com/federation");
    expect(url.searchParams.get("Action")).toBe("getSigninToken");
    expect(JSON.parse(url.searchParams.get("Session")!)).toEqual({
      sessionId: "ASIAEXAMPLE",
      sessionKey: "secret+/=",
      sessionToken: "token&x=1",
    });
    expect([...url.searchParams.keys()]).toEqual(["Action", "Session"]);
  });

  it("reads the SigninToken, and refuses any other answer", () => {
    expect(readSigninToken('{"SigninToken":"abc"}')).toEqual({ token: "abc" });
    for (const body of ["", "<html>", "{}", '{"SigninToken":""}', '{"SigninToken":3}', "null"]) {
      expect(readSigninToken(body)).toHaveProperty("error");
    }
  });

  it("builds the login link with the token, issuer and an encoded destination", () => {
    const url = new URL(
      consoleLoginUrl(endpoint, "tok&en", "hallpass", "https://console.aws.amazon.com/s3/?a=b&c"),
    );
    expect(url.searchParams.get("Action")).toBe("login");
    expect(url.searchParams.get("Issuer")).toBe("hallpass");
    expect(url.searchParams.get("SigninToken")).toBe("tok&en");
    expect(url.searchParams.get("Destination")).toBe("https://console.aws.amazon.com/s3/?a=b&c");
  });
});

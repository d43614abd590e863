import { createServer, type Server } from "node:http";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GrantRecord } from "../../src/core/grant/records.ts";
import { makeRepo, run, validRequest } from "./cli-harness.ts";

const REQUEST = "access-requests/alice/db.yaml";
const grant: GrantRecord = {
  version: 1,
  requestPath: REQUEST,
  pullRequest: {
    number: 7,
    url: "https://github.com/acme/access/pull/7",
    mergeCommit: "a".repeat(40),
    mergedAt: "2026-11-26T10:00:00Z",
    mergedBy: "bob",
  },
  requester: "alice",
  role: "db-admin",
  account: { name: "production", id: "123456789012" },
  emergency: false,
  approvals: [],
  roleArn: "arn:aws:iam::123456789012:role/hallpass/hallpass-alice-0123456789",
  roleName: "hallpass-alice-0123456789",
  sessionName: "alice-0123456789",
  sourceIdentity: "alice",
  window: { start: "2026-11-26T10:00:00Z", end: "2026-11-26T12:00:00Z" },
  grantedAt: "2026-11-26T10:00:05Z",
};

const sts = mockClient(STSClient);
let cleanup: (() => void) | undefined;
let server: Server | undefined;
/** What the federation stand-in was asked, in order. */
let asked: URL[] = [];

beforeEach(() => {
  sts.reset();
  asked = [];
});
afterEach(async () => {
  cleanup?.();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  nock.enableNetConnect();
});

function repo(files: Record<string, string>): string {
  const made = makeRepo({ [REQUEST]: validRequest, ...files });
  cleanup = made.cleanup;
  return made.root;
}

/** A local stand-in of https://signin.aws.amazon.com/federation. */
async function federationStandIn(answer: (url: URL) => [number, string]): Promise<string> {
  server = createServer((request, response) => {
    const url = new URL(request.url!, "http://127.0.0.1");
    asked.push(url);
    const [status, body] = answer(url);
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  const port = await new Promise<number>((resolve) =>
    server!.listen(0, "127.0.0.1", () => resolve((server!.address() as { port: number }).port)),
  );
  nock.disableNetConnect();
  nock.enableNetConnect(`127.0.0.1:${port}`);
  return `http://127.0.0.1:${port}/federation`;
}

function credentialsAnswer() {
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: "ASIAGRANT",
      SecretAccessKey: "grant-secret",
      SessionToken: "grant-token",
      Expiration: new Date("2026-11-26T12:00:00Z"),
    },
  });
}

describe("hallpass console", () => {
  it("assumes the grant role with its session name and source identity, and prints the sign-in link", async () => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    credentialsAnswer();
    const endpoint = await federationStandIn(() => [200, '{"SigninToken":"tok-123"}']);
    const result = await run(["console", REQUEST], {
      cwd: root,
      env: { HALLPASS_FEDERATION_ENDPOINT: endpoint },
      now: new Date("2026-11-26T11:00:00Z"),
    });
    expect(result.stderr).toContain("works once, for 15 minutes");
    expect(result.stderr).toContain("The access ends in 1h.");
    expect(result.code).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: grant.roleArn,
        RoleSessionName: "alice-0123456789",
        SourceIdentity: "alice",
      },
    ]);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.searchParams.get("Action")).toBe("getSigninToken");
    expect(JSON.parse(asked[0]!.searchParams.get("Session")!)).toEqual({
      sessionId: "ASIAGRANT",
      sessionKey: "grant-secret",
      sessionToken: "grant-token",
    });
    const link = new URL(result.stdout.trim());
    expect(`${link.origin}${link.pathname}`).toBe(endpoint);
    expect(Object.fromEntries(link.searchParams)).toEqual({
      Action: "login",
      Issuer: "hallpass",
      Destination: "https://console.aws.amazon.com/",
      SigninToken: "tok-123",
    });
  });

  it("opens the link instead of printing it with --open, at the chosen console page", async () => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    credentialsAnswer();
    const endpoint = await federationStandIn(() => [200, '{"SigninToken":"tok-9"}']);
    const opened: string[] = [];
    const result = await run(
      [
        "console",
        REQUEST,
        "--open",
        "--destination",
        "https://eu-west-1.console.aws.amazon.com/rds/home",
      ],
      {
        cwd: root,
        env: { HALLPASS_FEDERATION_ENDPOINT: endpoint },
        now: new Date("2026-11-26T11:50:00Z"),
        openUrl: async (url) => {
          opened.push(url);
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(opened).toHaveLength(1);
    expect(new URL(opened[0]!).searchParams.get("Destination")).toBe(
      "https://eu-west-1.console.aws.amazon.com/rds/home",
    );
    // No DurationSeconds: the federation endpoint would refuse it to role-session callers.
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.DurationSeconds).toBeUndefined();
  });

  it("never shows the link when the browser cannot be started: it signs in whoever has it", async () => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    credentialsAnswer();
    const endpoint = await federationStandIn(() => [200, '{"SigninToken":"tok-secret"}']);
    const result = await run(["console", REQUEST, "--open"], {
      cwd: root,
      env: { HALLPASS_FEDERATION_ENDPOINT: endpoint },
      now: new Date("2026-11-26T11:50:00Z"),
      // What Node's execFile rejects with when xdg-open exits non-zero: the command line.
      openUrl: async (url) => {
        throw new Error(`Command failed: xdg-open ${url}`);
      },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toContain("tok-secret");
    expect(result.stderr).toContain("could not open a browser");
    expect(result.stderr).toContain("without --open");
  });

  it.each([
    ["no grant record", {}, "2026-11-26T11:00:00Z", "no grant record"],
    [
      "a revoked grant",
      { "access-requests/alice/db.revocation.json": "{}" },
      "2026-11-26T11:00:00Z",
      "revoked",
    ],
    ["an expired grant", {}, "2026-11-26T13:00:00Z", "the access ended"],
  ])("refuses %s without calling AWS", async (name, files, at, message) => {
    const withGrant: Record<string, string> =
      name === "no grant record"
        ? {}
        : { "access-requests/alice/db.grant.json": JSON.stringify(grant) };
    const root = repo({ ...withGrant, ...(files as Record<string, string>) });
    nock.disableNetConnect();
    const result = await run(["console", REQUEST], { cwd: root, now: new Date(at) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("names a request file that is not there as such, not as a grant yet to come", async () => {
    const root = repo({});
    nock.disableNetConnect();
    const result = await run(["console", "access-requests/alice/bd.yaml"], {
      cwd: root,
      now: new Date("2026-11-26T11:00:00Z"),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^hallpass console: access-requests\/alice\/bd\.yaml: no such request file \(a typo, or your checkout is behind: git pull\)\.$/m,
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("refuses a grant record that names another request", async () => {
    const root = repo({
      "access-requests/alice/db.grant.json": JSON.stringify({
        ...grant,
        requestPath: "access-requests/bob/x.yaml",
      }),
    });
    const result = await run(["console", REQUEST], {
      cwd: root,
      now: new Date("2026-11-26T11:00:00Z"),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("records access-requests/bob/x.yaml");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("says what AWS refused, and prints no link", async () => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    sts
      .on(AssumeRoleCommand)
      .rejects(new Error("User is not authorized to perform: sts:AssumeRole"));
    const result = await run(["console", REQUEST], {
      cwd: root,
      now: new Date("2026-11-26T11:00:00Z"),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${REQUEST}: User is not authorized to perform: sts:AssumeRole\n`,
    );
    expect(result.stdout).toBe("");
  });

  it("prints no link when the federation endpoint refuses or answers without a token", async () => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    credentialsAnswer();
    const answers: [number, string][] = [
      [400, "bad"],
      [200, "<html>sign in</html>"],
    ];
    const endpoint = await federationStandIn(() => answers.shift()!);
    for (const expected of ["answered 400", "without a SigninToken"]) {
      const result = await run(["console", REQUEST], {
        cwd: root,
        env: { HALLPASS_FEDERATION_ENDPOINT: endpoint },
        now: new Date("2026-11-26T11:00:00Z"),
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(expected);
      expect(result.stdout).toBe("");
    }
  });

  it.each([
    [["console"], {}, "give exactly one request file"],
    [
      ["console", REQUEST, "--destination", "https://evil.example/"],
      {},
      "--destination must be an AWS console page",
    ],
    [
      ["console", REQUEST],
      { HALLPASS_FEDERATION_ENDPOINT: "https://evil.example/federation" },
      "would receive the role's secret key",
    ],
  ])("usage error for %j", async (argv, env, message) => {
    const root = repo({ "access-requests/alice/db.grant.json": JSON.stringify(grant) });
    const result = await run(argv, { cwd: root, env, now: new Date("2026-11-26T11:00:00Z") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });
});

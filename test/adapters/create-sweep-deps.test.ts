import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSweepDeps, parseAppId } from "../../src/adapters/create-sweep-deps.ts";

const API = "https://api.github.com";

function deps() {
  return createSweepDeps({ ...baseEnvironment(), token: "t0ken", githubRetries: 0 });
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  vi.restoreAllMocks();
});

describe("createSweepDeps: the Octokit the action and `hallpass sweep` build", () => {
  it("talks to the repository with the token and hallpass's user agent", async () => {
    const scope = nock(API, {
      reqheaders: {
        authorization: "token t0ken",
        "user-agent": (value) => value?.startsWith("hallpass-sweep ") === true,
      },
    })
      .get("/repos/acme/access")
      .reply(200, { default_branch: "main" });
    await expect(deps().github.getDefaultBranch()).resolves.toBe("main");
    expect(scope.isDone()).toBe(true);
  });

  it("prints nothing for a request GitHub refuses: the sweep reports failures itself", async () => {
    // Octokit binds its default logger to the console when its module loads, so the check runs
    // in a process of its own and reads what that process prints.
    const server = createServer((_, response) => response.writeHead(404).end("{}"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const script = `
      import { createSweepDeps } from ${JSON.stringify(new URL("../../src/adapters/create-sweep-deps.ts", import.meta.url).href)};
      const deps = createSweepDeps({ token: "t", repository: "acme/access", env: {}, actor: "a",
        appId: 1, githubRetries: 0, apiUrl: "http://127.0.0.1:${port}" });
      console.log(await deps.github.getFile("main", "missing.yaml") === undefined ? "absent" : "?");`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    await new Promise((resolve) => child.on("close", resolve));
    server.close();
    expect(output).toBe("absent\n");
  });

  it("refuses a repository that is not owner/repo, naming where it is set", () => {
    expect(() => createSweepDeps({ ...baseEnvironment(), repository: "access" })).toThrow(
      /GITHUB_REPOSITORY, or --repository/,
    );
  });

  it("reads the app id or says where to find it", () => {
    expect(parseAppId(" 77 ", "app-id")).toBe(77);
    expect(() => parseAppId("", "app-id")).toThrow(/app-id must be .* it is empty/);
  });
});

function baseEnvironment() {
  return {
    token: "t",
    repository: "acme/access",
    apiUrl: undefined,
    env: {},
    actor: "a",
    appId: 1,
  };
}

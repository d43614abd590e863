import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { run } from "./cli-harness.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const copies: string[] = [];
afterEach(() => {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** This repository's files as a template copy has them (no git history), in a new folder. */
function copyOfTemplate(): string {
  const copy = mkdtempSync(join(tmpdir(), "hallpass-init-"));
  copies.push(copy);
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((path) => path !== "" && existsSync(join(root, path)));
  for (const path of files) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    cpSync(join(root, path), join(copy, path));
  }
  return copy;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });
}

const ownOptions = [
  "init",
  "--org",
  "example-co",
  "--account",
  "production=111122223333",
  "--account",
  "sandbox=444455556666",
  "--region",
  "eu-west-1",
  "--identity",
  "jane-doe=arn:aws:iam::777788889999:user/jane",
];

const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

describe("hallpass init (make it your own)", () => {
  it("turns a copy of the template into a repository that validates and has no history findings", async () => {
    const copy = copyOfTemplate();
    const init = await run(ownOptions, { cwd: copy });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);

    // The examples and the tool's release workflow are gone; the schema stays.
    expect(
      execFileSync("find", ["access-requests", "-type", "f"], { cwd: copy, encoding: "utf8" }),
    ).toBe("access-requests/schema.json\n");
    expect(existsSync(join(copy, ".github/workflows/release.yml"))).toBe(false);
    // Nothing of the example organisation is left where approvals and grants are decided.
    for (const path of [
      "policies/accounts.yaml",
      "policies/identities.yaml",
      "policies/roles.yaml",
      ".github/CODEOWNERS",
    ]) {
      expect(read(copy, path), path).not.toMatch(/acme/);
    }
    expect(read(copy, ".github/CODEOWNERS")).toContain(
      "/access-requests/ @example-co/sre @example-co/dba @example-co/security",
    );
    const roles = parse(read(copy, "policies/roles.yaml")).roles;
    for (const role of Object.values(roles) as { accounts: string[] }[]) {
      expect(role.accounts).toEqual(["production"]);
    }
    const matrix = parse(read(copy, ".github/workflows/hallpass-sweep.yml")).jobs.sweep.strategy
      .matrix.include;
    expect(matrix).toEqual([
      { account: "production", role: "arn:aws:iam::111122223333:role/hallpass-action" },
      { account: "sandbox", role: "arn:aws:iam::444455556666:role/hallpass-action" },
    ]);
    // The issue form offers the organisation's own accounts, and `hallpass form --check` agrees.
    expect(init.stdout).toContain("Wrote .github/ISSUE_TEMPLATE/access-request.yml again");
    const form = parse(read(copy, ".github/ISSUE_TEMPLATE/access-request.yml"));
    const accounts = form.body.find((item: { id?: string }) => item.id === "account");
    expect(accounts.attributes.options).toEqual(["production", "sandbox"]);
    expect((await run(["form", "--check"], { cwd: copy })).code).toBe(0);

    // The organisation's first commit, then the commands its people will run.
    git(copy, "init", "-q", "-b", "main");
    git(copy, "add", "-A");
    git(copy, "commit", "-qm", "Access repository from the hallpass template");
    const validate = await run(["validate"], { cwd: copy });
    expect(validate.stderr).toBe("");
    expect(validate.code).toBe(0);
    expect(validate.stdout).toBe("0 requests and 4 policy files valid.\n");
    const history = await run(["history"], { cwd: copy });
    expect(history.stderr).toBe("");
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^0 requests at [0-9a-f]{12}; no findings\.\n$/);
    const request = await run(
      [
        "new",
        "--requester",
        "jane-doe",
        "--role",
        "prod-readonly",
        "--account",
        "production",
        "--duration",
        "1h",
        "--reason",
        "Investigate the failing nightly export job",
      ],
      { cwd: copy },
    );
    expect(request.stderr).toBe("");
    expect(request.code).toBe(0);
  });

  it("warns when the examples are already in git history, where history would report them", async () => {
    const copy = copyOfTemplate();
    git(copy, "init", "-q", "-b", "main");
    git(copy, "add", "-A");
    git(copy, "commit", "-qm", "template");
    const init = await run(ownOptions, { cwd: copy });
    expect(init.code).toBe(0);
    expect(init.stderr).toContain(
      "warning: the example requests are in this repository's git history",
    );
  });

  it("gives a role whose example accounts you do not have every account, and says so", async () => {
    const copy = copyOfTemplate();
    const init = await run(
      ["init", "--org", "example-co", "--account", "prod=111122223333", "--dry-run"],
      {
        cwd: copy,
      },
    );
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("  break-glass-admin: prod\n");
    expect(init.stdout).toContain("Would delete");
    expect(read(copy, ".github/CODEOWNERS")).toBe(read(root, ".github/CODEOWNERS"));
  });

  it("says to deploy the app before the accounts, whose broker trusts the app's AWS principal", async () => {
    // deploy/account-setup.yaml names AppPrincipalArn in the broker's trust policy, and IAM
    // refuses a trust policy whose principal does not exist yet: the app's stack comes first.
    const init = await run([...ownOptions, "--dry-run"], { cwd: copyOfTemplate() });
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(
      /^ {2}5\. Deploy, in this order: docs\/app\.md \(the app\), docs\/aws\.md \(each account, trusting the app's principal\), docs\/action\.md \(the sweep\)\.$/m,
    );
  });

  it("says to name the app's bot in settings.recordWriters, since the default is hallpass's own", async () => {
    // GitHub App names are unique across GitHub: an organisation's app is never "hallpass", and
    // with the default hallpass[bot] every record is a verify finding and every form's pull
    // request a red check.
    const init = await run([...ownOptions, "--dry-run"], { cwd: copyOfTemplate() });
    expect(init.stdout).toMatch(
      /^ {2}6\. Once the app is registered, name its bot \(its slug and "\[bot\]"\) as settings\.recordWriters\.app and \.action in policies\/settings\.yaml \(docs\/app\.md\)\.$/m,
    );
  });

  it("says to create the issue form's label, without which GitHub files the form's issues bare", async () => {
    // GitHub adds a form's `labels:` only when the repository has them, and the app turns only
    // labelled issues into pull requests: without the label a form does nothing, silently.
    const init = await run([...ownOptions, "--dry-run"], { cwd: copyOfTemplate() });
    expect(init.stdout).toMatch(
      /^ {2}\d\. Create the label access-request in the repository: GitHub adds it to issues from the access-request form only when it exists, and the app reads only the issues that carry it\.$/m,
    );
  });

  it("writes nothing when the new policies would be invalid, and points at the problem", async () => {
    const copy = copyOfTemplate();
    const init = await run(
      [
        "init",
        "--org",
        "example-co",
        "--account",
        "production=111122223333",
        "--identity",
        "jane=arn:aws:iam::7777:user/jane",
      ],
      { cwd: copy },
    );
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(
      /^policies\/identities\.yaml:\d+:\d+: error: .*\(identities\.jane\.awsPrincipal\)$/m,
    );
    expect(init.stderr).toContain("nothing was changed");
    for (const path of [
      "policies/identities.yaml",
      ".github/CODEOWNERS",
      "access-requests/bob-acme/db-admin-failover.yaml",
    ]) {
      expect(read(copy, path), path).toBe(read(root, path));
    }
  });

  it("runs once: a repository that is already its own is refused", async () => {
    const copy = copyOfTemplate();
    expect((await run(ownOptions, { cwd: copy })).code).toBe(0);
    const again = await run(ownOptions, { cwd: copy });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("this repository is already your own");
  });

  it.each([
    [["init", "--account", "production=111122223333"], "--org is required"],
    [["init", "--org", "example-co"], "--account NAME=ID is required"],
    [
      ["init", "--org", "example-co", "--account", "production=1234"],
      "the id must be the 12-digit AWS account id",
    ],
    [["init", "--org", "example-co", "--account", "production"], "write it as NAME=ID"],
  ])("refuses %j as a usage error", async (args, message) => {
    const result = await run(args, { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

import { mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.ts";
import { makeRepo, run, validRequest } from "./cli-harness.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});
function repo(files: Record<string, string | Uint8Array> = {}) {
  const made = makeRepo(files);
  cleanups.push(made.cleanup);
  return made.root;
}

describe("hallpass validate", () => {
  it("exits 0 and says what it checked when everything is valid", async () => {
    const root = repo({ "access-requests/alice/db.yaml": validRequest });
    const result = await run(["validate"], { cwd: root });
    expect(result).toEqual({
      code: 0,
      stdout: "1 request and 4 policy files valid.\n",
      stderr: "",
    });
  });

  it("takes a named .yml file as it takes a .yaml one, as its usage error says", async () => {
    const root = repo({ "access-requests/alice/db.yml": validRequest });
    const result = await run(["validate", "access-requests/alice/db.yml"], { cwd: root });
    expect(result).toEqual({
      code: 0,
      stdout: "1 request and 4 policy files valid.\n",
      stderr: "",
    });
  });

  it("finds the repository root from a subfolder", async () => {
    const root = repo({ "access-requests/alice/db.yaml": validRequest });
    const result = await run(["validate"], { cwd: join(root, "access-requests", "alice") });
    expect(result.code).toBe(0);
  });

  it("exits 1 with every problem located on stderr", async () => {
    const root = repo({
      "access-requests/alice/db.yaml": validRequest.replace("2h", "9h").replace("CHG-4821", "x"),
    });
    const result = await run(["validate"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        'access-requests/alice/db.yaml:5:11: error: 9h is longer than the 4h role "db-admin" allows; ask for at most 4h and extend later if needed. (duration)',
        'access-requests/alice/db.yaml:7:9: error: ticket "x" does not match the pattern ^(INC|CHG)-[0-9]+$ that role "db-admin" requires. (ticket)',
        "",
        "2 errors in 1 request and 4 policy files.",
        "",
      ].join("\n"),
    );
  });

  it("prints one JSON object with --format json", async () => {
    const root = repo({
      "access-requests/alice/db.yaml": validRequest.replace("alice", "mallory"),
    });
    const result = await run(["validate", "--format", "json"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      requests: ["access-requests/alice/db.yaml"],
      policies: [
        "policies/accounts.yaml",
        "policies/identities.yaml",
        "policies/roles.yaml",
        "policies/settings.yaml",
      ],
      problems: [
        {
          file: "access-requests/alice/db.yaml",
          line: 2,
          column: 12,
          field: "requester",
          severity: "error",
          message: expect.stringContaining('"mallory" has no identity'),
        },
      ],
    });
  });

  it("checks only the named files and folders, relative to the working directory", async () => {
    const root = repo({
      "access-requests/alice/db.yaml": validRequest,
      "access-requests/bob/bad.yaml": "role: 5\n",
    });
    const one = await run(["validate", "db.yaml"], { cwd: join(root, "access-requests/alice") });
    expect(one).toMatchObject({ code: 0, stdout: "1 request and 4 policy files valid.\n" });
    const folder = await run(["validate", "access-requests/bob"], { cwd: root });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain("access-requests/bob/bad.yaml:1:7: error:");
    const policies = await run(["validate", "policies"], { cwd: root });
    expect(policies).toMatchObject({ code: 0, stdout: "0 requests and 4 policy files valid.\n" });
  });

  it("reports broken policies, and still checks requests' syntax and schema", async () => {
    const root = repo({
      "policies/zz.yaml": "roles:\n  x: 1\n",
      "access-requests/alice/db.yaml": `${validRequest}colour: red\n`,
    });
    const result = await run(["validate"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'access-requests/alice/db.yaml:8:1: error: unknown field "colour"',
    );
    expect(result.stderr).toContain("policies/zz.yaml:2:6: error:");
  });

  it("exits 0 with warnings, and counts them", async () => {
    const arns = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`).join(", ");
    const root = repo({
      "policies/zz.yaml": `roles:\n  many:\n    description: d\n    accounts: [staging]\n    maxDuration: 1h\n    permissions:\n      managedPolicies: [${arns}]\n    approval:\n      rules: [{ count: 1 }]\n`,
    });
    const result = await run(["validate"], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("0 requests and 5 policy files valid (1 warning).\n");
    expect(result.stderr).toMatch(/^policies\/zz.yaml:7:24: warning: 11 managed policies/);
  });

  it("refuses hostile files with a located error instead of crashing", async () => {
    const root = repo({
      "access-requests/a/binary.yaml": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]),
      "access-requests/a/huge.yaml": `reason: ${"x".repeat(100_000)}\n`,
      "access-requests/a/two.yaml": `${validRequest}---\n${validRequest}`,
    });
    const result = await run(["validate"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "access-requests/a/binary.yaml:1:1: error: the request file is not valid UTF-8",
    );
    expect(result.stderr).toContain(
      "access-requests/a/huge.yaml:1:1: error: the request file is 65537 bytes",
    );
    expect(result.stderr).toContain(
      "access-requests/a/two.yaml:8:1: error: the request file holds 2 YAML documents",
    );
  });

  it.each([{ args: ["validate", "access-requests/link.yaml"] }, { args: ["validate"] }])(
    "refuses a symbolic link: $args",
    async ({ args }) => {
      const root = repo({ "access-requests/alice/db.yaml": validRequest });
      symlinkSync("/etc/passwd", join(root, "access-requests/link.yaml"));
      const result = await run(args, { cwd: root });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("access-requests/link.yaml:1:1: error: is a symbolic link");
    },
  );

  it.each([
    { args: ["validate", "missing.yaml"], message: /missing.yaml: no such file or folder/ },
    {
      args: ["validate", "README.md"],
      message:
        /README.md is not a request or policy file: those are .yaml or .yml files under access-requests\/ or policies\/\./,
    },
    { args: ["validate", "empty"], message: /holds no request or policy files/ },
    { args: ["validate", "--format", "xml"], message: /--format must be text or json/ },
    {
      args: ["validate", "--colour"],
      message: /unknown option --colour. Known options: --format, --help./,
    },
  ])("exits 2 on a usage error: $args", async ({ args, message }) => {
    const root = repo({ "README.md": "# hi\n" });
    mkdirSync(join(root, "empty"));
    const result = await run(args, { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("Run `hallpass validate --help` for usage.");
  });

  it("exits 2 outside an access repository", async () => {
    const result = await run(["validate"], { cwd: "/" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no access repository found from \/ upwards/);
  });
});

describe("the README's example of validate's output", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const start = readme.indexOf("Each problem names the file, line and column");
  const section = readme.slice(start, readme.indexOf("Policies fail closed", start));
  const blocks = [...section.matchAll(/```(yaml|text)\n([\s\S]*?)```/g)].map((m) => m[2]!);
  const policies = Object.fromEntries(
    readdirSync(join(root, "policies"))
      .filter((name) => name.endsWith(".yaml"))
      .map((name) => [`policies/${name}`, readFileSync(join(root, "policies", name), "utf8")]),
  );

  it("is what validate prints for the request it shows, with this repository's policies", async () => {
    expect(blocks).toHaveLength(3);
    const [request, output] = blocks;
    const cwd = repo({ ...policies, "access-requests/bob-acme/db.yaml": request! });
    expect(await run(["validate"], { cwd })).toEqual({ code: 1, stdout: "", stderr: output });
  });

  it("is what validate prints when a policy has an error too: the request is not judged", async () => {
    const [request, , output] = blocks;
    const accounts = policies["policies/accounts.yaml"]!;
    const broken = accounts.replace('id: "210987654321"', "id: 012345678901");
    expect(broken).not.toBe(accounts);
    const cwd = repo({
      ...policies,
      "policies/accounts.yaml": broken,
      "access-requests/bob-acme/db.yaml": request!,
    });
    expect(await run(["validate"], { cwd })).toEqual({ code: 1, stdout: "", stderr: output });
  });
});

describe("hallpass dispatcher", () => {
  it.each(["validate", "new"])(
    "prints help with examples for %s --help and help %s",
    async (name) => {
      const cwd = repo();
      const flag = await run([name, "--help"], { cwd });
      expect(flag.code).toBe(0);
      expect(flag.stdout).toMatch(new RegExp(`^Usage: hallpass ${name}`));
      expect(flag.stdout).toContain("Examples:");
      expect(await run(["help", name], { cwd })).toEqual(flag);
    },
  );

  it("lists the commands with --help", async () => {
    const result = await run(["--help"], { cwd: repo() });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/validate {2}check request and policy files/);
    expect(result.stdout).toMatch(/new {7}write a new access-request file/);
  });

  it("exits 2 without a command, and on an unknown one with a suggestion", async () => {
    const cwd = repo();
    expect((await run([], { cwd })).code).toBe(2);
    const unknown = await run(["valdate"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^hallpass: unknown command "valdate". Did you mean "validate"\?/,
    );
  });

  it("turns an unexpected failure into one line on stderr and exit 1", async () => {
    let stderr = "";
    const failing = {
      name: "boom",
      summary: "fails",
      help: "Usage: hallpass boom",
      run: async () => {
        throw new Error("EIO: i/o error, read");
      },
    };
    const code = await runCli(
      ["boom"],
      {
        cwd: "/",
        stdout: () => {},
        stderr: (text) => {
          stderr += text;
        },
        now: () => new Date(),
        env: {},
        gitConfig: async () => undefined,
      },
      [failing],
    );
    expect(code).toBe(1);
    expect(stderr).toBe("hallpass boom: failed: EIO: i/o error, read\n");
  });
});

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * How the action is published (.github/workflows/release.yml) and what it promises
 * (action.yml), read as GitHub reads them; the release scripts are run for real, with git and
 * a stand-in for the gh CLI.
 */

type Step = { name?: string; uses?: string; run?: string; env?: Record<string, string> };
type Job = {
  needs?: string | string[];
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
};
type Workflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const release = (): Workflow => parse(read(".github/workflows/release.yml"));
const action = () =>
  parse(read("action.yml")) as { outputs: Record<string, { description: string }> };

const steps = (job: Job) => job.steps.map((s) => s.run ?? s.uses ?? "");
const stepNamed = (job: Job, name: RegExp): Step => {
  const step = job.steps.find((s) => name.test(s.name ?? ""));
  if (!step?.run) throw new Error(`no step ${name}`);
  return step;
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-release-"));
  dirs.push(dir);
  return dir;
}

describe("the release workflow", () => {
  it("starts only on a full version tag", () => {
    expect(release().on).toEqual({ push: { tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
  });

  it("tests the tagged commit, the committed bundle included, before anything is released", () => {
    const { jobs } = release();
    const releasing = Object.entries(jobs).filter(([, job]) =>
      steps(job).some((s) => s.includes("gh release create")),
    );
    expect(releasing).toHaveLength(1);
    const [, releaseJob] = releasing[0] as [string, Job];
    const needs = [releaseJob.needs ?? []].flat();
    const testJobs = needs.map((id) => jobs[id] as Job);
    const testRuns = testJobs.flatMap(steps);
    expect(testRuns).toContain("npm ci --no-audit --no-fund");
    expect(testRuns).toContain("npm test");
    expect(testRuns).toContain("npm run check:action");
  });

  it("lets only a job that runs no action and no npm code write to the repository", () => {
    const workflow = release();
    expect(workflow.permissions).toEqual({ contents: "read" });
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const writes = Object.values(job.permissions ?? {}).includes("write");
      if (!writes) continue;
      expect(
        job.steps.filter((s) => s.uses !== undefined),
        id,
      ).toEqual([]);
      expect(steps(job).join("\n"), id).not.toMatch(/\b(npm|npx|node)\b/);
    }
  });

  it("passes GitHub's values to scripts through the environment, never spliced into them", () => {
    for (const job of Object.values(release().jobs)) {
      for (const run of steps(job)) expect(run).not.toContain("${{");
    }
  });
});

describe("the release scripts", () => {
  /** A repository whose default branch `main` has package.json at `version`, cloned. */
  function clone(version: string): { dir: string; sha: string } {
    const origin = tempDir();
    const git = (cwd: string, ...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd,
        encoding: "utf8",
      }).trim();
    git(origin, "init", "-q", "-b", "main");
    writeFileSync(join(origin, "package.json"), JSON.stringify({ version }));
    git(origin, "add", ".");
    git(origin, "commit", "-qm", "release");
    const dir = join(tempDir(), "clone");
    git(origin, "clone", "-q", origin, dir);
    return { dir, sha: git(dir, "rev-parse", "HEAD") };
  }

  function checkTag(dir: string, tag: string, sha: string) {
    const step = stepNamed(release().jobs.test as Job, /^The tag is/);
    return spawnSync("bash", ["-c", step.run as string], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: process.env.PATH, TAG: tag, DEFAULT_BRANCH: "main", GITHUB_SHA: sha },
    });
  }

  it("accepts the tag of package.json's version on the default branch", () => {
    const { dir, sha } = clone("1.2.3");
    expect(checkTag(dir, "v1.2.3", sha).status).toBe(0);
  });

  it("refuses a tag that is not package.json's version, saying what to do", () => {
    const { dir, sha } = clone("1.2.3");
    const result = checkTag(dir, "v1.2.4", sha);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("the tag v1.2.4 is not package.json's version v1.2.3");
  });

  it("refuses a commit that is not on the default branch", () => {
    const { dir } = clone("1.2.3");
    execFileSync("git", ["switch", "-qc", "side"], { cwd: dir });
    execFileSync(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "x"],
      { cwd: dir },
    );
    const sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
    const result = checkTag(dir, "v1.2.3", sha);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("v1.2.3 is not on main");
  });

  /** Runs the release job's steps with a gh that logs its calls; `existing` refs answer 200. */
  function runReleaseJob(tag: string, existing: string[]): string[] {
    const bin = tempDir();
    const log = join(bin, "calls");
    writeFileSync(
      join(bin, "gh"),
      `#!/usr/bin/env bash
echo "$*" >> "${log}"
case "$*" in
  "release view "*) [[ " ${existing.join(" ")} " == *" release:$3 "* ]] ;;
  "api repos/acme/hallpass/commits/"*) echo 0123456789abcdef0123456789abcdef01234567 ;;
  "api repos/acme/hallpass/git/ref/tags/"*) [[ " ${existing.join(" ")} " == *" \${2##*/} "* ]] ;;
  *) exit 0 ;;
esac
`,
    );
    chmodSync(join(bin, "gh"), 0o755);
    writeFileSync(log, "");
    const job = release().jobs.release as Job;
    for (const step of job.steps) {
      const result = spawnSync("bash", ["-c", step.run as string], {
        encoding: "utf8",
        env: {
          PATH: `${bin}:${process.env.PATH}`,
          GH_TOKEN: "t",
          GH_REPO: "acme/hallpass",
          TAG: tag,
        },
      });
      expect(result.status, `${step.name}: ${result.stderr}`).toBe(0);
    }
    return readFileSync(log, "utf8").trim().split("\n");
  }

  it("creates the release and the major tag on the tagged commit", () => {
    const calls = runReleaseJob("v1.2.3", []);
    expect(calls).toContain("release create v1.2.3 --verify-tag --generate-notes --title v1.2.3");
    expect(calls).toContain(
      "api --method POST repos/acme/hallpass/git/refs -f ref=refs/tags/v1 -f sha=0123456789abcdef0123456789abcdef01234567",
    );
  });

  it("moves an existing major tag, and a re-run does not make the release twice", () => {
    const calls = runReleaseJob("v2.0.1", ["release:v2.0.1", "v2"]);
    expect(calls.filter((c) => c.startsWith("release create"))).toEqual([]);
    expect(calls).toContain(
      "api --method PATCH repos/acme/hallpass/git/refs/tags/v2 -f sha=0123456789abcdef0123456789abcdef01234567 -F force=true",
    );
  });
});

describe("action.yml's outputs", () => {
  const setByTheAction = [...read("action/main.ts").matchAll(/setOutput\("([^"]+)"/g)].map(
    (m) => m[1],
  );

  it("are exactly those the action sets", () => {
    expect(Object.keys(action().outputs).sort()).toEqual([...setByTheAction].sort());
  });

  it.each(["docs/action.md", "README.md"])("are each documented in %s", (doc) => {
    const text = read(doc);
    const table = text.slice(
      text.indexOf("<!-- outputs:start -->"),
      text.indexOf("<!-- outputs:end -->"),
    );
    for (const [name, output] of Object.entries(action().outputs)) {
      expect(table).toContain(
        `| \`${name}\` | ${output.description.trim().replace(/\s+/g, " ")} |`,
      );
    }
  });
});

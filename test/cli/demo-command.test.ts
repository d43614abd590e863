import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GrantRecord, RevocationRecord } from "../../src/core/grant/records.ts";
import type { AccessHistory } from "../../src/core/history/build-access-history.ts";
import { run } from "./cli-harness.ts";

/**
 * `hallpass demo` end to end, in-process: the real app and sweep against the loopback
 * stand-ins, then `hallpass history` on the repository it leaves. Nothing but 127.0.0.1 may be
 * reached: were an endpoint setting ignored, the SDK or Octokit would go to AWS or GitHub, and
 * nock would refuse it.
 */

const ROOT = join(import.meta.dirname, "../..");
const NOW = new Date("2026-11-26T12:00:00Z");
const REQUEST = "access-requests/bob-acme/db-admin-failover";
let parent: string;
let dir: string;
let demo: { code: number; stdout: string; stderr: string };
let ms: number;

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: dir, encoding: "utf8" });
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:\d+$/);
  parent = mkdtempSync(join(tmpdir(), "hallpass-demo-test-"));
  dir = join(parent, "access");
  const started = Date.now();
  demo = await run(["demo", "--dir", dir], { cwd: parent, now: NOW });
  ms = Date.now() - started;
}, 60_000);

afterAll(() => {
  nock.enableNetConnect();
  rmSync(parent, { recursive: true, force: true });
});

describe("hallpass demo", () => {
  it("runs the story to its end within a minute, saying it emulates GitHub and AWS locally", () => {
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    expect(ms).toBeLessThan(60_000);
    expect(demo.stdout).toContain("LOCAL EMULATION");
    // The check goes from red to green as the approvals arrive.
    const checks = [...demo.stdout.matchAll(/check hallpass\/approval: \S+ (\w+)/g)].map(
      (m) => m[1],
    );
    // Then the check of the extension bob-acme asks for with /hallpass extend, the one of the
    // pull request the app opened from alice-acme's issue form, and the one of her 30-minute
    // request, which prod-readonly's autoApproval turns green unreviewed.
    expect(checks).toEqual([
      "action_required",
      "action_required",
      "success",
      "action_required",
      "action_required",
      "success",
    ]);
    expect(demo.stdout).toContain(
      "pull request #3 by hallpass[bot], requester bob-acme, reviewers asked: dan-acme, carol-acme",
    );
    expect(demo.stdout).toContain(
      "check hallpass/approval: ✅ success — Approved without review: auto-approval up to 30m",
    );
    expect(demo.stdout).toContain("pull request #5 by hallpass[bot], requester alice-acme:");
    expect(demo.stdout).toContain("Opened pull request #5");
    expect(demo.stdout).toContain("alert delete (high) on #1");
    // The channel hears of each moment once, in the story's order.
    const notices = [
      ...demo.stdout.matchAll(/→ channel approvers would receive:\n\s+│ \S+ \*([^*]+)\*/g),
    ];
    expect(notices.map((m) => m[1])).toEqual([
      "Access request awaiting review",
      "Access request approved",
      "Access granted",
      "Access expiring soon",
      // The extension bob-acme asked for with /hallpass extend.
      "Access request awaiting review",
      "Access revoked",
      // alice-acme's request from the issue form, as any new request.
      "Access request awaiting review",
      // Her 30-minute request, approved without review by the role's autoApproval.
      "Access request approved",
    ]);
    expect(demo.stdout).toContain("This access expires in 50m");
    expect(demo.stdout).toMatch(/audit of #1: 5 events, \d+ risky/);
    // The hint names this checkout: a bare `npx hallpass` in DIR would ask the npm registry.
    expect(demo.stdout).toContain(
      `cd ${dir} && npx --prefix ${ROOT} node ${ROOT}/bin/hallpass.js history`,
    );
    // Its last step is `hallpass history` itself.
    expect(demo.stdout).toContain("2 requests at ");
    expect(demo.stdout).toContain("1 finding (1 unrecorded-role)");
  });

  it("leaves the records committed as the app and the action commit them", () => {
    const log = git("log", "--first-parent", "--reverse", "--format=%an|%s", "main")
      .trim()
      .split("\n");
    expect(log.map((l) => l.split("|")[0])).toEqual([
      "carol-acme",
      "bob-acme",
      "hallpass[bot]",
      "hallpass[bot]",
      "hallpass[bot]",
      "hallpass[bot]",
      "hallpass[bot]",
    ]);
    const files = git("ls-tree", "-r", "--name-only", "main", "access-requests/")
      .trim()
      .split("\n");
    expect(files).toEqual([
      `${REQUEST}.alerts.json`,
      `${REQUEST}.audit.json`,
      `${REQUEST}.audit.md`,
      `${REQUEST}.grant.json`,
      `${REQUEST}.revocation.json`,
      `${REQUEST}.yaml`,
      "access-requests/schema.json",
      "access-requests/unrecorded/123456789012/keep-db-access.revocation.json",
    ]);
    // The working folder shows the branch as it ends.
    const grant = JSON.parse(
      readFileSync(join(dir, `${REQUEST}.grant.json`), "utf8"),
    ) as GrantRecord;
    expect(grant.approvals.map((a) => a.reviewer)).toEqual(["dan-acme", "carol-acme"]);
    const revocation = JSON.parse(
      readFileSync(join(dir, `${REQUEST}.revocation.json`), "utf8"),
    ) as RevocationRecord;
    expect(revocation).toMatchObject({ roleArn: grant.roleArn, reason: "expired" });
    expect(git("status", "--porcelain")).toBe("");
  });

  it("leaves a history that shows grant, approvals, revocation and audit, and only the hand-made role as a finding", async () => {
    const { code, stdout } = await run(["history", "--format", "json"], { cwd: dir, now: NOW });
    const history = JSON.parse(stdout) as AccessHistory;
    expect(history.entries.map((e) => [e.requestPath, e.state])).toEqual([
      [`${REQUEST}.yaml`, "ended"],
      ["access-requests/unrecorded/123456789012/keep-db-access.yaml", "unrecorded-role"],
    ]);
    const [entry] = history.entries;
    expect(entry?.grant?.approvals.map((a) => a.reviewer)).toEqual(["dan-acme", "carol-acme"]);
    expect(entry?.revocation).toMatchObject({ reason: "expired", revokedBy: "hallpass-action" });
    expect(entry?.alerts.map((a) => a.rule)).toEqual(["delete"]);
    expect(entry?.audit).toMatchObject({ events: 5, reads: 2, writes: 3, failed: 1 });
    expect(history.findings.map((f) => f.kind)).toEqual(["unrecorded-role"]);
    expect(code).toBe(1);
  });

  it("refuses a folder that is not empty, before doing anything", async () => {
    const full = mkdtempSync(join(tmpdir(), "hallpass-demo-full-"));
    writeFileSync(join(full, "keep.txt"), "mine");
    const { code, stderr } = await run(["demo", "--dir", full], { cwd: parent });
    rmSync(full, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(stderr).toContain("is not empty");
  });

  it("says that git is needed when it cannot be run", async () => {
    const path = process.env.PATH;
    process.env.PATH = "";
    try {
      const { code, stderr } = await run(["demo", "--dir", join(parent, "no-git")], {
        cwd: parent,
      });
      expect(code).toBe(1);
      expect(stderr).toContain("git is needed");
    } finally {
      process.env.PATH = path;
    }
  });

  it("explains itself with --help", async () => {
    const { code, stdout } = await run(["demo", "--help"], { cwd: parent });
    expect(code).toBe(0);
    expect(stdout).toContain("LOCAL EMULATION");
    expect(stdout).toContain("--dir DIR");
  });
});

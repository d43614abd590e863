import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GrantRecord } from "../../src/core/grant/records.ts";
import type { TrailVerification } from "../../src/core/history/verify-trail.ts";
import { run } from "./cli-harness.ts";
import { DEMO_LATER, type DemoRepository, makeDemoRepository } from "./demo-repository.ts";
import { BOT, person, TamperRepo } from "./tamper-repo.ts";

/**
 * `hallpass verify` on the repository `hallpass demo` leaves, and on copies of it tampered in
 * each way an auditor worries about: every tampering is named at its file, the untouched
 * history verifies clean.
 */

const STEM = "access-requests/bob-acme/db-admin-failover";
const GRANT = `${STEM}.grant.json`;
let made: DemoRepository;
let demo: string;
const copies: TamperRepo[] = [];

beforeAll(async () => {
  made = await makeDemoRepository("verify-test");
  demo = made.root;
}, 60_000);

afterAll(() => {
  for (const copy of copies) copy.cleanup();
  made?.remove();
});

function copy(): TamperRepo {
  const repo = new TamperRepo(demo);
  copies.push(repo);
  return repo;
}

async function verify(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  const text = await run(["verify", ...args], { cwd, now: DEMO_LATER, env });
  const json = await run(["verify", ...args, "--format", "json"], { cwd, now: DEMO_LATER, env });
  return { ...text, v: JSON.parse(json.stdout) as TrailVerification };
}

function grantOf(repo: TamperRepo): GrantRecord {
  return JSON.parse(repo.read(GRANT)) as GrantRecord;
}

const kinds = (v: TrailVerification) => v.findings.map((f) => [f.kind, f.file]);

describe("hallpass verify on the demo repository", () => {
  it("holds: the grant re-decided under the rules at its base, every record written by the app", async () => {
    const { code, stdout, v } = await verify(demo);
    expect(v.findings).toEqual([]);
    expect(v.checked).toEqual({ grants: 1, reDecided: 1, recordCommits: 5 });
    // The hand-made role the sweep removed is an event the trail records, not a break in it.
    expect(v.notices.map((n) => n.kind)).toEqual(["unrecorded-role"]);
    expect(stdout).toContain("the trail holds at");
    expect(code).toBe(0);
  });

  it("names a grant whose recorded approver was no owner at the base of its merge", async () => {
    const repo = copy();
    const grant = grantOf(repo);
    grant.approvals[0] = { ...grant.approvals[0]!, reviewer: "mallory", eligibleVia: ["@mallory"] };
    repo.rewrite(repo.commitOf("hallpass: grant"), { [GRANT]: `${JSON.stringify(grant)}\n` });
    const { code, stdout, v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["not-approved", GRANT]]);
    expect(v.findings[0]!.message).toContain("a database administrator: needs 1 more approval");
    expect(v.findings[0]!.message).toContain("mallory is not a code owner");
    expect(stdout).toMatch(new RegExp(`^${GRANT}: not-approved: re-decided under CODEOWNERS`));
    expect(code).toBe(1);
  });

  it("names a grant that claims a team its approver was not in, where the rule asks for that team", async () => {
    const repo = copy();
    const grant = grantOf(repo);
    // Still owners through another team, but not in @acme/dba, which the first rule needs.
    grant.approvals[0] = { ...grant.approvals[0]!, eligibleVia: ["@acme/sre"] };
    repo.rewrite(repo.commitOf("hallpass: grant"), { [GRANT]: `${JSON.stringify(grant)}\n` });
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["not-approved", GRANT]]);
    expect(v.findings[0]!.message).toContain("a database administrator");
  });

  it("names a record committed by a person", async () => {
    const repo = copy();
    const path = `${STEM}.revocation.json`;
    repo.commit({ [path]: repo.read(path).replace('"expired"', '"early-release"') });
    const { code, v } = await verify(repo.root);
    expect(kinds(v)).toEqual([
      ["record-author", path],
      ["record-changed", path],
    ]);
    expect(v.findings[0]!.message).toContain("by mallory <mallory@users.noreply.github.com>");
    expect(v.findings[0]!.message).toContain("records are written only by hallpass[bot]");
    expect(code).toBe(1);
  });

  it("names an emptied alerts record, even when the commit claims to be the app's", async () => {
    const repo = copy();
    const path = `${STEM}.alerts.json`;
    const alerts = JSON.parse(repo.read(path)) as { alerts: unknown[] };
    repo.commit({ [path]: JSON.stringify({ ...alerts, alerts: [] }) }, BOT);
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["record-shrunk", path]]);
    expect(v.findings[0]!.message).toContain("1 alert recorded in");
    expect(v.findings[0]!.message).toContain("delete:demo-event-4");
  });

  it("names a lowered risky count in an audit summary", async () => {
    const repo = copy();
    const path = `${STEM}.audit.json`;
    const audit = JSON.parse(repo.read(path)) as { riskyEventsTotal: number };
    repo.commit({ [path]: JSON.stringify({ ...audit, riskyEventsTotal: 0 }, null, 2) }, BOT);
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["record-rewritten", path]]);
    expect(v.findings[0]!.message).toContain(`riskyEventsTotal ${audit.riskyEventsTotal} -> 0`);
  });

  it("names a revocation moved earlier than the sweep recorded it", async () => {
    const repo = copy();
    const path = `${STEM}.revocation.json`;
    const revocation = JSON.parse(repo.read(path)) as { revokedAt: string };
    const earlier = new Date(Date.parse(revocation.revokedAt) - 3_600_000).toISOString();
    repo.commit({ [path]: JSON.stringify({ ...revocation, revokedAt: earlier }) }, BOT);
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([
      ["record-changed", path],
      ["revocation-moved", path],
    ]);
  });

  it("names a request edited after merge", async () => {
    const repo = copy();
    const path = `${STEM}.yaml`;
    repo.commit({ [path]: repo.read(path).replace("duration: PT90M", "duration: PT4H") });
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["request-modified", path]]);
  });

  it("names a window longer than the role allowed at the merge", async () => {
    const repo = copy();
    const roles = repo.read("policies/roles.yaml");
    expect(roles).toContain("maxDuration: 4h");
    // Rewritten from the first commit on: the role allowed 1h when the request was merged,
    // and 4h again today, which must not matter.
    repo.rewrite(repo.commitOf("Access repository"), {
      "policies/roles.yaml": roles.replace("maxDuration: 4h", "maxDuration: 1h"),
    });
    repo.commit({ "policies/roles.yaml": roles });
    expect(grantOf(repo).pullRequest.mergeCommit).toBe(repo.commitOf("Merge pull request #1"));
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["window-exceeds-role", GRANT]]);
    expect(v.findings[0]!.message).toContain("the window lasts 1h30m, longer than the 1h");
  });

  it("reports an old grant record without eligibility data as not re-decidable", async () => {
    const repo = copy();
    const { approvalBasis: _, ...grant } = grantOf(repo);
    const old = {
      ...grant,
      approvals: grant.approvals.map(({ eligibleVia: _e, ...a }) => a),
    };
    repo.rewrite(repo.commitOf("hallpass: grant"), { [GRANT]: `${JSON.stringify(old)}\n` });
    const { code, v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["not-re-decidable", GRANT]]);
    expect(v.checked).toMatchObject({ grants: 1, reDecided: 0 });
    expect(code).toBe(1);
  });

  it("names a grant whose merge commit is not on the branch", async () => {
    const repo = copy();
    const grant = grantOf(repo);
    grant.pullRequest.mergeCommit = "0".repeat(40);
    repo.rewrite(repo.commitOf("hallpass: grant"), { [GRANT]: `${JSON.stringify(grant)}\n` });
    const { v } = await verify(repo.root);
    expect(kinds(v)).toEqual([["merge-not-on-branch", GRANT]]);
  });

  it("is a usage error outside a repository or with a bad option", async () => {
    const bad = await run(["verify", "--format", "xml"], { cwd: demo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format must be text or json");
    const nowhere = await run(["verify"], { cwd: tmpdir() });
    expect(nowhere.code).toBe(2);
  });
});

const gpg = (() => {
  try {
    execFileSync("gpg", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!gpg)("hallpass verify --require-signatures (with a locally made gpg key)", () => {
  let home: string;
  let empty: string;
  let key: string;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), "hallpass-gnupg-"));
    empty = mkdtempSync(join(tmpdir(), "hallpass-gnupg-empty-"));
    const env = { ...process.env, GNUPGHOME: home };
    execFileSync(
      "gpg",
      ["--batch", "--passphrase", "", "--quick-gen-key", "Web Flow <noreply@github.com>"],
      { env, stdio: "ignore" },
    );
    key = execFileSync("gpg", ["--list-keys", "--with-colons"], { env, encoding: "utf8" })
      .split("\n")
      .find((l) => l.startsWith("fpr:"))!
      .split(":")[9]!;
  }, 30_000);

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it("names every unsigned record commit", async () => {
    const { code, v } = await verify(demo, ["--require-signatures"], { GNUPGHOME: home });
    expect(v.signaturesChecked).toBe(true);
    expect(new Set(v.findings.map((f) => f.kind))).toEqual(new Set(["record-signature"]));
    expect(v.findings).toHaveLength(6);
    expect(v.findings[0]!.message).toContain("the commit is not signed");
    expect(code).toBe(1);
  });

  it("holds when every record commit is signed by a key in the keyring, not with another keyring", async () => {
    const repo = copy();
    repo.rewrite(repo.commitOf("hallpass: grant"), {}, { key, gnupgHome: home });
    const signed = await verify(repo.root, ["--require-signatures"], { GNUPGHOME: home });
    expect(signed.v.findings).toEqual([]);
    expect(signed.code).toBe(0);
    const other = await verify(repo.root, ["--require-signatures"], { GNUPGHOME: empty });
    expect(other.v.findings.map((f) => f.kind)).toContain("record-signature");
    expect(other.v.findings[0]!.message).toContain("not in the keyring");
  });

  it("names a record commit signed with a key of the keyring but by a person", async () => {
    const repo = copy();
    repo.rewrite(repo.commitOf("hallpass: grant"), {}, { key, gnupgHome: home });
    const path = `${STEM}.alerts.json`;
    repo.commit({ [path]: `${repo.read(path)} ` }, person("mallory"), { key, gnupgHome: home });
    const { v } = await verify(repo.root, ["--require-signatures"], { GNUPGHOME: home });
    expect(kinds(v)).toEqual([["record-author", path]]);
  });
});

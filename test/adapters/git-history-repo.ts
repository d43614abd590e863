import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  alertsRecord,
  auditFiles,
  grantRecord,
  json,
  requestYaml,
  revocationRecord,
} from "../core/history/access-history-fixtures.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";

/** A throwaway git repository for history tests: real commits, fixed identities and dates. */
export class GitRepo {
  readonly root: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), "hallpass-history-"));
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.name", "Test Setup");
    this.git("config", "user.email", "setup@example.com");
    this.git("config", "commit.gpgsign", "false");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
    }).trim();
  }

  write(files: Record<string, string>): void {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.root, path)), { recursive: true });
      writeFileSync(join(this.root, path), content);
    }
  }

  /** Stages everything and commits as `who` at `date`; returns the commit. */
  commit(message: string, who: string, date: string): string {
    this.git("add", "-A");
    return this.commitStaged(message, who, date);
  }

  commitStaged(message: string, who: string, date: string, ...extra: string[]): string {
    execFileSync("git", ["commit", "-q", "--allow-empty", "-m", message, ...extra], {
      cwd: this.root,
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: who,
        GIT_AUTHOR_EMAIL: `${who}@example.com`,
        GIT_COMMITTER_NAME: who,
        GIT_COMMITTER_EMAIL: `${who}@example.com`,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
    return this.git("rev-parse", "HEAD");
  }

  /** Merges `branch` into the current branch with a merge commit, as GitHub's merge button. */
  merge(branch: string, who: string, date: string): string {
    this.git("merge", "-q", "--no-ff", "--no-commit", branch);
    return this.commitStaged(`Merge branch ${branch}`, who, date);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const ALICE = "access-requests/payments/alice-db.yaml";
export const BOB = "access-requests/infra/bob-net.yaml";
export const CAROL = "access-requests/infra/carol-old.yaml";
export const UNRECORDED = "access-requests/unrecorded/123456789012/hp-by-hand.revocation.json";

const bobRequest = `requester: bob
role: prod-readonly
account: production
duration: 1h
reason: Check the load balancer logs of the failed deploy.
`;

/**
 * The history the tests read, in the order it happened:
 * 1. policies and the schema;
 * 2. alice's request on a branch, edited once during review, merged with a merge commit by bob;
 * 3. the app's grant record, the action's alerts, revocation and audit summary;
 * 4. bob's request (a squash merge), later changed on main: a finding;
 * 5. carol's request, later deleted; tag `before-tamper` is set before 4's change and 5's deletion;
 * 6. a grant record of bob that is not JSON, and a role made by hand, revoked by the sweep.
 */
export function buildStory(repo: GitRepo) {
  repo.write({
    ...examplePolicyFiles,
    "policies/settings.yaml": `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  reasonMinLength: 20
  auditDelay: 2h
`,
    "access-requests/schema.json": "{}\n",
  });
  repo.commit("policies", "admin", "2026-11-20T09:00:00Z");

  repo.git("checkout", "-q", "-b", "alice-db");
  repo.write({ [ALICE]: requestYaml.replace("2h", "4h") });
  repo.commit("request db access", "alice", "2026-11-26T08:00:00Z");
  repo.write({ [ALICE]: requestYaml });
  repo.commit("shorter, as asked in review", "alice", "2026-11-26T08:30:00Z");
  repo.git("checkout", "-q", "main");
  const aliceMerge = repo.merge("alice-db", "bob", "2026-11-26T09:00:00Z");

  const grant = grantRecord({
    pullRequest: { ...grantRecord().pullRequest, mergeCommit: aliceMerge },
  });
  repo.write({ "access-requests/payments/alice-db.grant.json": json(grant) });
  repo.commit("hallpass: grant", "hallpass-app", "2026-11-26T09:00:20Z");
  repo.write({ "access-requests/payments/alice-db.alerts.json": json(alertsRecord()) });
  repo.commit("hallpass: alert", "hallpass-action", "2026-11-26T09:35:00Z");
  repo.write({ "access-requests/payments/alice-db.revocation.json": json(revocationRecord()) });
  const aliceRevoked = repo.commit("hallpass: revoke", "hallpass-action", "2026-11-26T11:04:00Z");
  const audit = auditFiles(grant);
  repo.write({
    "access-requests/payments/alice-db.audit.json": audit.json,
    "access-requests/payments/alice-db.audit.md": audit.md,
  });
  repo.commit("hallpass: audit", "hallpass-action", "2026-11-26T13:10:00Z");

  repo.write({ [BOB]: bobRequest });
  const bobSquash = repo.commit("bob-net (#43)", "bob", "2026-11-26T14:00:00Z");
  repo.write({ [CAROL]: bobRequest.replace("bob", "carol").replace("prod-readonly", "db-admin") });
  const carolAdded = repo.commit("carol-old (#44)", "carol", "2026-11-26T15:00:00Z");
  repo.git("tag", "before-tamper");

  repo.write({ [BOB]: bobRequest.replace("1h", "12h") });
  const bobChanged = repo.commit("longer", "mallory", "2026-11-27T08:00:00Z");
  repo.git("rm", "-q", CAROL);
  const carolDeleted = repo.commitStaged("tidy up", "mallory", "2026-11-27T08:05:00Z");
  repo.write({
    "access-requests/infra/bob-net.grant.json": "{ not json\n",
    [UNRECORDED]: json({
      version: 1,
      requestPath: "access-requests/unrecorded/123456789012/hp-by-hand.yaml",
      roleArn: "arn:aws:iam::123456789012:role/hallpass/hp-by-hand",
      revokedAt: "2026-11-27T09:00:00Z",
      reason: "unrecorded-role",
      revokedBy: "hallpass-action",
      detail: "role has no grant record and no hallpass:request tag: made by hand",
    }),
  });
  const last = repo.commit("records", "hallpass-action", "2026-11-27T09:00:00Z");
  return { aliceMerge, aliceRevoked, bobSquash, carolAdded, bobChanged, carolDeleted, last, grant };
}

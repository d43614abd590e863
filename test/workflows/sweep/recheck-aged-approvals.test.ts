import { describe, expect, it } from "vitest";
import { staleCheckMarker } from "../../../src/core/approval/approval-expiry.ts";
import { recheckAgedApprovals } from "../../../src/workflows/sweep/recheck-aged-approvals.ts";
import { sweep } from "../../../src/workflows/sweep/run-sweep.ts";
import { listOpenPullRequestsOnce } from "../../../src/workflows/sweep/types.ts";
import { openPull, STEP_NOW, STEP_SETTINGS, stepWorld } from "./sweep-step-fixtures.ts";

/** Settings whose approvals count for a day. */
const AGING = STEP_SETTINGS.replace(
  "  auditDelay: 30m\n",
  "  auditDelay: 30m\n  approvalMaxAge: 1d\n",
);

const PAST = "hallpass:approved-until:2026-11-26T11:59:59.000Z";
const LATER = "hallpass:approved-until:2026-11-26T12:00:01.000Z";

/** A world whose policies age approvals, with open pull requests and their checks. */
function aging(checks: [number, { conclusion: string | null; externalId?: string }][]) {
  const w = stepWorld();
  w.github.files.set("policies/settings.yaml", AGING);
  for (const [number, check] of checks) {
    const p = openPull(number);
    w.github.openPulls.push(p);
    w.github.checkRuns.set(p.headSha, { title: "t", id: 1000 + number, ...check });
  }
  return w;
}

/** An error as Octokit throws it for an HTTP answer. */
function httpError(status: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status });
}

describe("the sweep re-requests green checks whose approvals aged out (step 5c)", () => {
  it("re-requests only a green check past the time its approvals count until", async () => {
    const w = aging([
      [1, { conclusion: "success", externalId: PAST }],
      [2, { conclusion: "success", externalId: LATER }],
      [3, { conclusion: "action_required", externalId: PAST }],
      [4, { conclusion: "success", externalId: "" }],
      [5, { conclusion: "success", externalId: "hallpass:approved-until:not a time" }],
    ]);
    const report = await sweep(w.deps, { now: STEP_NOW, dryRun: false });
    expect(report.issues).toEqual([]);
    expect(w.github.rerequested).toEqual([1001]);
    expect(w.github.count("upsertComment")).toBe(0);
  });

  it("is done by one shard of a matrix, the one sweeping policies/' first account", async () => {
    // Every shard re-requesting (or, refused, racing to comment) would do it once per shard.
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    w.github.fail("rerequestCheckRun", httpError(403), 2);
    await sweep(w.deps, { now: STEP_NOW, dryRun: false, accounts: ["production"] });
    expect(w.github.count("readCheckRun")).toBe(0);
    expect(w.github.count("upsertComment")).toBe(0);
    await sweep(w.deps, { now: STEP_NOW, dryRun: false, accounts: ["staging"] });
    expect(w.github.count("readCheckRun")).toBe(1);
    expect(w.github.count("upsertComment")).toBe(1);
    // A run of every account (no matrix) is that shard.
    const all = aging([[1, { conclusion: "success", externalId: PAST }]]);
    await sweep(all.deps, { now: STEP_NOW, dryRun: false });
    expect(all.github.rerequested).toEqual([1001]);
  });

  it("shares one listing of the open pull requests with the reminders (step 5b)", async () => {
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    w.github.files.set(
      "policies/settings.yaml",
      AGING.replace("  notifications:\n", "  notifications:\n    remindAfter: 1d\n"),
    );
    await sweep(w.deps, { now: STEP_NOW, dryRun: false });
    expect(w.github.rerequested).toEqual([1001]);
    // Steps 5b and 5c once; the dashboard once more, after 5b may have closed some.
    expect(w.github.count("listOpenPullRequests")).toBe(2);
  });

  it("passes over a pull request step 5b closed since it was listed", async () => {
    const w = aging([
      [1, { conclusion: "success", externalId: PAST }],
      [2, { conclusion: "success", externalId: PAST }],
    ]);
    const { state, run } = await w.start();
    const out = await recheckAgedApprovals(run, {
      policies: state.policies,
      openPullRequests: listOpenPullRequestsOnce(w.github, []),
      closed: [1],
    });
    expect(out.rerequested).toEqual([2]);
    expect(w.github.count("readCheckRun")).toBe(1);
  });

  it("reads no check when no policy lets approvals age out", async () => {
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    w.github.files.set("policies/settings.yaml", STEP_SETTINGS);
    await sweep(w.deps, { now: STEP_NOW, dryRun: false });
    // The dashboard lists the open pull requests; this step adds no listing of its own.
    expect(w.github.count("listOpenPullRequests")).toBe(1);
    expect(w.github.count("readCheckRun")).toBe(0);
    expect(w.github.rerequested).toEqual([]);
  });

  it("asks nothing in a dry run", async () => {
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    await sweep(w.deps, { now: STEP_NOW, dryRun: true });
    expect(w.github.count("readCheckRun")).toBe(0);
  });

  for (const status of [403, 404, 422]) {
    it(`tells the pull request once per head that its check is stale when GitHub refuses (${status})`, async () => {
      const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
      w.github.fail("rerequestCheckRun", httpError(status), 3);
      const first = await sweep(w.deps, { now: STEP_NOW, dryRun: false });
      expect(first.issues).toEqual([]);
      const marker = staleCheckMarker(w.github.openPulls[0]!.headSha);
      const comment = w.github.comments.get(`1 ${marker}`);
      expect(comment).toContain(
        "The approval of this request aged out at 2026-11-26T11:59:59.000Z, so the green `hallpass/approval` check on `ddddddd` is stale",
      );
      expect(comment).toContain("GitHub refused");
      // The comments are listed once: the write posts what the lookup did not find.
      expect(w.github.commentLists).toBe(1);
      // The next run is refused again and says nothing twice on the same head.
      const second = await sweep(w.deps, { now: STEP_NOW, dryRun: false });
      expect(second.issues).toEqual([]);
      expect(w.github.count("upsertComment")).toBe(1);
      // A new head (still green and past, as no event re-evaluated it) is told again.
      w.github.openPulls[0] = openPull(1, { headSha: "f".repeat(40) });
      w.github.checkRuns.set("f".repeat(40), {
        title: "t",
        id: 7,
        conclusion: "success",
        externalId: PAST,
      });
      await sweep(w.deps, { now: STEP_NOW, dryRun: false });
      expect(w.github.count("upsertComment")).toBe(2);
      expect(w.github.commentLists).toBe(3);
    });
  }

  it("keeps re-requesting a check still green past its time, and comments nothing while GitHub takes it", async () => {
    // The first run to see the check may come hours after it aged (runs late or skipped, the
    // first account's shard failing, a workflow given `checks: read` since): nothing was asked
    // before, so nothing went unanswered. A lost answer is asked again by the next re-request.
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    for (const hours of [3, 3, 30]) {
      const now = new Date(STEP_NOW.getTime() + hours * 3600_000);
      expect((await sweep(w.deps, { now, dryRun: false })).issues).toEqual([]);
    }
    expect(w.github.rerequested).toEqual([1001, 1001, 1001]);
    expect(w.github.count("upsertComment")).toBe(0);
  });

  it("makes any other failure an issue of the run and goes on with the next pull request", async () => {
    const w = aging([
      [1, { conclusion: "success", externalId: PAST }],
      [2, { conclusion: "success", externalId: PAST }],
    ]);
    w.github.fail("rerequestCheckRun", httpError(502));
    const report = await sweep(w.deps, { now: STEP_NOW, dryRun: false });
    expect(report.issues).toEqual([
      { step: "notify", subject: "pull request #1", message: "HTTP 502" },
    ]);
    expect(w.github.rerequested).toEqual([1002]);
    expect(w.github.count("upsertComment")).toBe(0);
  });

  it("logs, and fails nothing, when the token may not read the checks (no checks: read)", async () => {
    const w = aging([
      [1, { conclusion: "success", externalId: PAST }],
      [2, { conclusion: "success", externalId: PAST }],
    ]);
    w.github.fail("readCheckRun", httpError(403));
    const log: string[] = [];
    const report = await sweep(
      { ...w.deps, log: (line) => log.push(line) },
      { now: STEP_NOW, dryRun: false },
    );
    expect(report.issues).toEqual([]);
    expect(w.github.count("readCheckRun")).toBe(1);
    expect(log).toContain("approvals aged out: cannot read the checks (HTTP 403); skipped");
  });

  it("makes a failed listing of the open pull requests an issue, and the run goes on", async () => {
    const w = aging([[1, { conclusion: "success", externalId: PAST }]]);
    w.github.fail("listOpenPullRequests", new Error("listing failed"));
    const report = await sweep(w.deps, { now: STEP_NOW, dryRun: false });
    expect(report.issues).toContainEqual({
      step: "notify",
      subject: "open pull requests",
      message: "listing failed",
    });
    expect(w.github.count("readCheckRun")).toBe(0);
    expect(report.dashboard).toBeDefined();
  });
});

import { describe, expect, it } from "vitest";
import { planRun } from "../../../src/workflows/sweep/plan-run.ts";
import { slackTeller, tellMissingGrants } from "../../../src/workflows/sweep/tell.ts";
import type { SweepIssue } from "../../../src/workflows/sweep/types.ts";
import { LIVE, STEP_NOW, stepWorld } from "./sweep-step-fixtures.ts";

const REFUSED = "access-requests/payments/refused.yaml";
const MERGED = {
  number: 77,
  url: "https://github.com/acme/access/pull/77",
  mergedAt: "2026-11-26T10:00:00Z",
  mergeCommitSha: "c".repeat(40),
};

describe("tellMissingGrants (step 5 of the sweep)", () => {
  it("tells the PR of a grant git records but AWS lacks", async () => {
    const w = stepWorld();
    w.record(LIVE, false);
    const { state, run } = await w.start();
    const issues = await tellMissingGrants(run, planRun(state, STEP_NOW).plan);
    expect(issues).toEqual([]);
    const comment = w.github.comments.get(
      `${LIVE.pullRequest.number} <!-- hallpass:missing-grant ${LIVE.requestPath} -->`,
    );
    expect(comment).toBeDefined();
  });

  it("tells the PR of a merged request never granted, then records that it did", async () => {
    const w = stepWorld();
    w.github.files.set(REFUSED, "requester: alice\naccount: production\n");
    w.github.mergedPulls.set(REFUSED, MERGED);
    const { state, run } = await w.start();
    const issues = await tellMissingGrants(run, planRun(state, STEP_NOW).plan);
    expect(issues).toEqual([]);
    expect(w.github.comments.get(`77 <!-- hallpass:ungranted ${REFUSED} -->`)).toContain(
      "merged in #77 at 2026-11-26T10:00:00Z",
    );
    const record = JSON.parse(
      w.github.files.get("access-requests/payments/refused.ungranted.json") ?? "{}",
    );
    expect(record).toMatchObject({
      requestPath: REFUSED,
      reportedAt: STEP_NOW.toISOString(),
      source: "sweep",
    });
    expect(w.github.commits.at(-1)?.message).toMatch(
      /^hallpass: 1 merged request without a grant, told on the PR/,
    );
  });

  it("leaves a request merged within the creation grace (the app may still be granting it)", async () => {
    const w = stepWorld();
    w.github.files.set(REFUSED, "requester: alice\naccount: production\n");
    w.github.mergedPulls.set(REFUSED, { ...MERGED, mergedAt: "2026-11-26T11:55:00Z" });
    const { state, run } = await w.start();
    expect(await tellMissingGrants(run, planRun(state, STEP_NOW).plan)).toEqual([]);
    expect(w.github.count("upsertComment")).toBe(0);
    expect(w.github.count("commitFiles")).toBe(0);
  });

  it("marks a request no merged PR added, for the dashboard, and comments nowhere", async () => {
    const w = stepWorld();
    w.github.files.set(REFUSED, "requester: alice\naccount: production\n");
    const { state, run } = await w.start();
    const { plan } = planRun(state, STEP_NOW);
    expect(await tellMissingGrants(run, plan)).toEqual([]);
    expect(plan.missingGrants[0]).toMatchObject({ requestPath: REFUSED, withoutPullRequest: true });
    expect(plan.missingGrants[0]?.detail).toMatch(/no merged pull request added this file/);
    expect(w.github.count("upsertComment")).toBe(0);
  });

  it("reports a comment that failed, and records nothing for it (the next run tells again)", async () => {
    const w = stepWorld();
    w.github.files.set(REFUSED, "requester: alice\naccount: production\n");
    w.github.mergedPulls.set(REFUSED, MERGED);
    w.github.fail("upsertComment", new Error("502 Bad Gateway"));
    const { state, run } = await w.start();
    const issues = await tellMissingGrants(run, planRun(state, STEP_NOW).plan);
    expect(issues).toEqual([
      {
        step: "notify",
        subject: REFUSED,
        message: "telling the PR of a merged request without a grant failed: 502 Bad Gateway",
      },
    ]);
    expect(w.github.count("commitFiles")).toBe(0);
  });
});

describe("slackTeller", () => {
  it("sends through the notifier policies name, reports its failure, and is silent in a dry run", async () => {
    const w = stepWorld();
    const { state } = await w.start();
    const sent: string[] = [];
    let fail = false;
    const deps = {
      ...w.deps,
      notifierFor: (env: string) =>
        env === "HALLPASS_SLACK_WEBHOOK"
          ? async (text: string) => {
              if (fail) throw new Error("Slack answered 500");
              sent.push(text);
            }
          : undefined,
    };
    const issues: SweepIssue[] = [];
    await slackTeller(deps, state.policies, false)("a.yaml", "hello", issues);
    await slackTeller(deps, state.policies, true)("a.yaml", "not sent", issues);
    fail = true;
    await slackTeller(deps, state.policies, false)("b.yaml", "lost", issues);
    expect(sent).toEqual(["hello"]);
    expect(issues).toEqual([{ step: "notify", subject: "b.yaml", message: "Slack answered 500" }]);
  });
});

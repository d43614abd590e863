import { appendFileSync } from "node:fs";
import * as core from "@actions/core";
import type { Timing } from "../src/adapters/aws-cloudtrail.ts";
import { createSweepDeps, parseAppId } from "../src/adapters/create-sweep-deps.ts";
import type { NetworkTimeouts } from "../src/adapters/network-timeouts.ts";
import { renderSweepSummary } from "../src/core/sweep/render-sweep-summary.ts";
import { sweep } from "../src/workflows/sweep/run-sweep.ts";

/**
 * The action's runner: reads the inputs GitHub gives it (`INPUT_*`) and the environment
 * (GITHUB_REPOSITORY, GITHUB_API_URL, AWS credentials), runs one sweep, and reports it: outputs,
 * an error annotation per problem, the job summary. A sweep that met problems fails the job,
 * after doing everything else it could, so someone looks.
 */
export async function run(
  overrides: { timing?: Timing; now?: () => Date; timeouts?: NetworkTimeouts } = {},
): Promise<void> {
  try {
    const token = core.getInput("github-token", { required: true });
    core.setSecret(token);
    const appId = parseAppId(core.getInput("app-id"), "the input app-id");
    const dryRun = core.getInput("dry-run") !== "" && core.getBooleanInput("dry-run");
    const accounts = core
      .getInput("accounts")
      .split(/[\s,]+/)
      .filter((a) => a !== "");
    const auditDelay = core.getInput("audit-delay");
    const repository = process.env.GITHUB_REPOSITORY;
    if (!repository) {
      throw new Error("GITHUB_REPOSITORY is not set: run this as a GitHub Action step.");
    }
    const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
    const runId = process.env.GITHUB_RUN_ID;

    const deps = createSweepDeps({
      token,
      repository,
      appId,
      apiUrl: process.env.GITHUB_API_URL,
      env: process.env,
      actor: "hallpass-action",
      log: (line) => core.info(line),
      ...(overrides.timing ? { timing: overrides.timing } : {}),
      ...(overrides.timeouts ? { timeouts: overrides.timeouts } : {}),
    });
    const report = await sweep(deps, {
      now: (overrides.now ?? (() => new Date()))(),
      dryRun,
      ...(accounts.length > 0 ? { accounts } : {}),
      ...(auditDelay ? { auditDelay } : {}),
      ...(runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
    });

    core.setOutput("revoked", report.revoked.length);
    core.setOutput("alerts", report.alerts.length);
    core.setOutput("audits", report.audits.length);
    core.setOutput("dashboard-url", report.dashboard?.url ?? "");
    const summary = renderSweepSummary(report);
    // Appended directly: core.summary caches the file path of its first use in the process.
    const summaryFile = process.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) appendFileSync(summaryFile, `${summary}\n`);
    else core.info(summary);
    for (const issue of report.issues) {
      core.error(`${issue.subject}: ${issue.message}`, { title: `hallpass sweep: ${issue.step}` });
    }
    if (report.issues.length > 0) {
      core.setFailed(
        `the sweep met ${report.issues.length} problem${report.issues.length === 1 ? "" : "s"} (listed above and in the job summary); everything else was done.`,
      );
    }
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

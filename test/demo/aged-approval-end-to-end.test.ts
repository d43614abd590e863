import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSweepDeps } from "../../src/adapters/create-sweep-deps.ts";
import { CHECK_NAME } from "../../src/core/approval/render-check.ts";
import { Narrator } from "../../src/demo/narrator.ts";
import {
  approve,
  openRequest,
  openWorld,
  seedRepository,
  type World,
} from "../../src/demo/run-demo.ts";
import { sweep } from "../../src/workflows/sweep/run-sweep.ts";

/**
 * End to end through the demo's stand-ins: the real app (Probot) writes a green check that says
 * until when its approvals count; the real sweep, past that time, re-requests it through the
 * REST API; GitHub's `check_run.rerequested` webhook reaches the app, which turns the check back
 * to waiting for approval.
 */

const START = new Date("2026-11-26T09:00:00Z");
const silent = new Narrator({ stdout: () => {}, stderr: () => {}, interactive: false }, 1);
const TOKEN = "ghs_end_to_end_sweep";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function world(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-aged-approval-"));
  const { world, close } = await openWorld(dir, silent, START);
  cleanup = async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  };
  seedRepository(world);
  // Approvals count for an hour, committed on main before the request is opened.
  const { store } = world;
  const main = store.resolve("refs/heads/main")!;
  const settings = store.readFile(main, "policies/settings.yaml")!;
  const aged = settings.replace("  auditDelay: 30m\n", "  auditDelay: 30m\n  approvalMaxAge: 1h\n");
  expect(aged).toContain("approvalMaxAge: 1h");
  const tree = store.writeTree(store.treeOf(main), [
    { path: "policies/settings.yaml", content: aged },
  ]);
  const by = { name: "carol-acme", email: "carol-acme@users.noreply.github.com", date: START };
  store.updateBranch("main", store.writeCommit(tree, [main], "Approvals count for 1h", by), main);
  // The scheduled workflow's token is the app's installation token.
  world.github.addToken(TOKEN, world.github.appBot);
  return world;
}

async function runSweep(world: World) {
  const deps = createSweepDeps({
    token: TOKEN,
    repository: `${world.github.owner}/${world.github.repo}`,
    apiUrl: world.served.githubApiUrl,
    env: {},
    actor: "hallpass-action",
    appId: world.github.appBot.app!.id,
    log: () => {},
  });
  return sweep(deps, { now: world.clock.now(), dryRun: false });
}

describe("an approval that ages out, end to end", () => {
  it("turns the green check back to waiting once the sweep re-requests it", async () => {
    const w = await world();
    const pullRequest = await openRequest(w);
    await approve(w, pullRequest, "dan-acme", "a database administrator", "action_required");
    await approve(w, pullRequest, "carol-acme", "security", "success");
    const head = w.github.pulls.get(pullRequest)!.headSha;
    const green = w.github.checkRun(head, CHECK_NAME)!;
    // dan-acme approved first (09:04), so the approval holds until his ages out.
    expect(green.title).toMatch(/; the approvals count until 2026-11-26T10:04:00\.000Z$/);
    expect(green.externalId).toBe("hallpass:approved-until:2026-11-26T10:04:00.000Z");

    // Before that time the sweep asks nothing.
    w.clock.advance(30);
    expect((await runSweep(w)).issues).toEqual([]);
    expect(w.github.outbox).toEqual([]);

    // Past it (carol-acme's approval still counts), the sweep re-requests the check and GitHub
    // tells the app.
    w.clock.advance(29);
    expect((await runSweep(w)).issues).toEqual([]);
    const events = w.github.outbox.splice(0);
    expect(events.map((e) => [e.name, e.payload.action])).toEqual([["check_run", "rerequested"]]);
    expect(w.github.checkRun(head, CHECK_NAME)!.conclusion).toBe("success");
    // biome-ignore lint/suspicious/noExplicitAny: the stand-in builds payloads of the event's shape
    await w.probot.receive(events[0] as any);
    const after = w.github.checkRun(head, CHECK_NAME)!;
    expect(after.conclusion).toBe("action_required");
    expect(after.title).toBe(
      "Waiting for approval: 1 approval expired (approvals count for 1h): @dan-acme's at 2026-11-26T10:04:00.000Z; a database administrator: needs 1 more approval",
    );
  });
});

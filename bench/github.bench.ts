/**
 * The GitHub requests of one review event (cold: a new app, as the first event after a Lambda
 * start; warm: the next event) and of a merge, counted at the demo's GitHub stand-in served on
 * loopback with the real app in Probot; and the time to handle the merge with Octokit's write
 * spacing on (1 s between writes, as in production), min and median of RUNS merges, each in a
 * new world. Requests for the installation token are counted apart; comment writes are named
 * apart for review events, as the aims allow them on top.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Narrator } from "../src/demo/narrator.ts";
import {
  approve,
  mergeAndGrant,
  openRequest,
  openWorld,
  seedRepository,
  startApp,
  type World,
  type WorldOptions,
} from "../src/demo/run-demo.ts";
import { RUNS } from "./figures.ts";
import { spread, timeRuns } from "./measure.ts";
import type { FigureRow } from "./table.ts";

const START = new Date("2026-11-26T09:00:00Z");

/** Requests the app sent to the stand-in since the last `take`. */
export interface Tally {
  token: number;
  comments: number;
  other: string[];
}

/** Counts every request the stand-in answers, by wrapping its two entry points. */
function countRequests(world: World): { take: () => Tally } {
  let tally: Tally = { token: 0, comments: 0, other: [] };
  const github = world.github;
  const handle = github.handle.bind(github);
  const graphql = github.graphql.bind(github);
  github.handle = (method, path, query, body, authorization) => {
    if (/^\/app\/installations\/\d+\/access_tokens$/.test(path)) tally.token++;
    else if (method !== "GET" && /\/issues\/(\d+\/)?comments/.test(path)) tally.comments++;
    else tally.other.push(`${method} ${path}`);
    return handle(method, path, query, body, authorization);
  };
  github.graphql = (body, authorization) => {
    tally.other.push("POST /graphql");
    return graphql(body, authorization);
  };
  return {
    take: () => {
      const taken = tally;
      tally = { token: 0, comments: 0, other: [] };
      return taken;
    },
  };
}

const silent = new Narrator({ stdout: () => {}, stderr: () => {}, interactive: false }, 1);

/** Runs `body` in a new world in a temporary folder, closing both after. */
async function inWorld<T>(options: WorldOptions, body: (world: World) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-github-bench-"));
  const { world, close } = await openWorld(dir, silent, START, options);
  try {
    return await body(world);
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The counts of a cold review event, a warm one, and the merge after them. */
export async function countEvents(): Promise<{ cold: Tally; warm: Tally; merge: Tally }> {
  return inWorld({}, async (world) => {
    seedRepository(world);
    const pullRequest = await openRequest(world);
    // A new app: no token, no cache, as the first event after a start.
    world.probot = await startApp(world.served.githubApiUrl, world.clock.now);
    const counter = countRequests(world);
    await approve(world, pullRequest, "dan-acme", "a database administrator", "action_required");
    const cold = counter.take();
    await approve(world, pullRequest, "carol-acme", "security", "success");
    const warm = counter.take();
    await mergeAndGrant(world, pullRequest);
    return { cold, warm, merge: counter.take() };
  });
}

/** Milliseconds to handle one merge (approved pull request) with the write spacing on. */
async function mergeTimes(): Promise<{ min: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await inWorld({ writeSpacing: true }, async (world) => {
      seedRepository(world);
      const pullRequest = await openRequest(world);
      await approve(world, pullRequest, "dan-acme", "a database administrator", "action_required");
      await approve(world, pullRequest, "carol-acme", "security", "success");
      const s = await timeRuns(1, () => mergeAndGrant(world, pullRequest));
      times.push(s.median);
    });
  }
  return spread(times);
}

const counted = (t: Tally) => t.other.length;

/** The rows of the table measured here. */
export async function githubFigures(): Promise<FigureRow[]> {
  const { cold, warm, merge } = await countEvents();
  const time = await mergeTimes();
  const count = (figure: string, value: number, aim: string, limit: number, note: string) => ({
    figure,
    value,
    unit: "requests",
    aim,
    met: value <= limit,
    note,
  });
  const apart = (t: Tally) =>
    `and ${t.token} token request, ${t.comments} comment writes (counted apart)`;
  return [
    count(
      "GitHub requests for one review event, cold (first event after start, as on Lambda)",
      counted(cold),
      "≤ 3 (plus the comment update)",
      3,
      apart(cold),
    ),
    count(
      "same, warm",
      counted(warm),
      "≤ 2 (plus one comment update when what is still missing changed)",
      2,
      apart(warm),
    ),
    count(
      "GitHub requests to handle a merge (re-check, record, role, comment)",
      counted(merge) + merge.comments,
      "≤ 8",
      8,
      `comment writes included; and ${merge.token} token request`,
    ),
    {
      figure: "time to handle a merge against loopback stand-ins, Octokit's write spacing on",
      value: time.median / 1000,
      min: time.min / 1000,
      unit: "s",
      aim: "< 2.5 s",
      met: time.median < 2500,
      runs: RUNS,
      note: "each merge in a new world; includes the demo step's read of the result (a few ms)",
    },
  ];
}

/** `npm run bench github`: the figures, and every request each event made. */
export async function run(): Promise<void> {
  const { cold, warm, merge } = await countEvents();
  for (const [name, t] of Object.entries({ cold, warm, merge })) {
    console.log(
      `${name}: ${t.other.length} requests + ${t.token} token + ${t.comments} comment writes`,
    );
    for (const r of t.other) console.log(`  ${r}`);
  }
}

import { afterAll, describe, expect, it, vi } from "vitest";
import {
  describeDocumentDrift,
  holdsPartOfPlan,
  holdsRevocationDeny,
  onlyDenies,
  type RoleDocuments,
} from "../../src/core/grant/digest-grant-plan.ts";
import { GRANT_TAGS, type GrantRole } from "../../src/ports/aws.ts";
import { countAssurance } from "../support/assurance-counts.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";
import { type FaultKind, LifecycleWorld, type Step } from "./lifecycle-world.ts";

vi.mock("../../src/core/policy/load-policies.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberLoadPolicies(original),
);
vi.mock("../../src/core/request/validate-request.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberParseRequest(original),
);
vi.mock("../../src/core/source/parse-yaml.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberParseYaml(original),
);

/**
 * Every call, every fault (issue 13): each port call that a fault-free run of the grant, the
 * `/hallpass revoke` command, and the sweep (watch, revoke, record, audit) makes is made in turn
 * to fail each way below, in the same in-process world as the generated lifecycles (the real
 * app and sweep against models of GitHub, IAM and CloudTrail). The list of calls is recorded from
 * the fault-free run, so a call added to any of these paths is covered without editing this file.
 *
 * For each (call, fault): run up to the process with no fault, run it with that call failing,
 * check the state is safe; redeliver the same webhook (or run the next sweep) with no fault,
 * check the state is safe and complete: the same roles and records as the fault-free run, or,
 * for a grant whose role could not be made, rolled back and recorded as failed.
 */

/** The faults tried on every call. */
const FAULTS: Record<FaultKind, string> = {
  throttled: "429 / ThrottlingException",
  "server-error": "502 from the service",
  "access-denied": "403 / AccessDenied",
  conflict: "409 / ConcurrentModificationException",
  reset: "ECONNRESET: the connection dropped",
  // The world kills the process at the call (the host's time limit): no timer is waited on.
  hang: "never answers: the process is killed there",
};

/** The account of the example policies' production grants. */
const PRODUCTION = {
  name: "production",
  id: "123456789012",
  brokerRole: "arn:aws:iam::123456789012:role/hallpass-broker",
};

/** A request by alice, approved by sam (sre), merged by alice: granted for an hour. */
const GRANTED: Step[] = [
  { kind: "open", author: "alice", requester: "alice", hours: 1 },
  { kind: "deliver", nth: 0 },
  { kind: "review", pr: 0, by: "sam", state: "APPROVED" },
  { kind: "deliver", nth: 0 },
  { kind: "merge", pr: 0, admin: false },
];

/** A step whose process is tested, and how the world completes it after a fault. */
interface Tested {
  path: string;
  /** Steps up to the process, run without a fault. */
  before: Step[];
  process: Step;
  /** Files put on main first (the sweep reads its policies there). */
  main?: Record<string, string>;
  /** CloudTrail answers the account-wide stream too. */
  accountStreams?: boolean;
}

/** Alice's approved request of an hour, its merge delivered (`extends` its nth latest). */
function approved(options: { extends?: number; deliverMerge?: boolean } = {}): Step {
  return { kind: "approved-request", requester: "alice", hours: 1, deliverMerge: true, ...options };
}

/** The example settings with an alert that revokes a grant whose session writes to IAM. */
const REVOKING_ALERT = {
  "policies/settings.yaml": `${examplePolicyFiles["policies/settings.yaml"]}  alerts:
    - name: iam-changes
      actions: ["iam:*"]
      writesOnly: true
      severity: critical
      revoke: true
`,
};

/**
 * The same alert without revoking: the watch reads CloudTrail only when there are alert rules,
 * so without one "watching" a grant made no CloudTrail call at all.
 */
const WATCHING_ALERT = {
  "policies/settings.yaml": REVOKING_ALERT["policies/settings.yaml"].replace(
    "revoke: true",
    "revoke: false",
  ),
};

const TESTED: Tested[] = [
  { path: "grant", before: GRANTED, process: { kind: "deliver", nth: 0 } },
  {
    path: "grant of a break-glass request",
    before: [{ kind: "approved-request", requester: "alice", hours: 1, emergency: true }],
    process: { kind: "deliver", nth: 0 },
  },
  {
    // The rules of variant 3: a request of an hour needs no review.
    path: "grant of an auto-approved request",
    before: [
      { kind: "policy", variant: 3 },
      { kind: "open", author: "alice", requester: "alice", hours: 1 },
      { kind: "deliver", nth: 0 },
      { kind: "merge", pr: 0, admin: false },
    ],
    process: { kind: "deliver", nth: 0 },
  },
  {
    // The new grant, then the live grant it extends revoked as replaced.
    path: "grant of an extension",
    before: [approved(), approved({ extends: 0, deliverMerge: false })],
    process: { kind: "deliver", nth: 0 },
  },
  {
    path: "revoke command",
    before: [
      ...GRANTED,
      { kind: "deliver", nth: 0 },
      { kind: "revoke-command", pr: 0, by: "alice" },
    ],
    process: { kind: "deliver", nth: 0 },
  },
  {
    path: "sweep: watch a live grant",
    main: WATCHING_ALERT,
    before: [
      ...GRANTED,
      { kind: "deliver", nth: 0 },
      { kind: "use", nth: 0 },
      { kind: "use", nth: 1 },
      { kind: "clock", minutes: 5 },
    ],
    process: { kind: "sweep" },
  },
  {
    path: "sweep: revoke a live grant on an alert",
    main: REVOKING_ALERT,
    before: [
      ...GRANTED,
      { kind: "deliver", nth: 0 },
      // nth 1: a write to IAM (iam:CreateUser), which the alert revokes on.
      { kind: "use", nth: 1 },
      { kind: "clock", minutes: 5 },
    ],
    process: { kind: "sweep" },
  },
  {
    // Four live grants in one account: the watch reads the account's whole stream (one
    // LookupEvents without an attribute per region) instead of a lookup per grant.
    path: "sweep: watch four grants through the account-wide stream",
    accountStreams: true,
    // Reads (even nth) raise no alert.
    main: WATCHING_ALERT,
    before: [
      approved(),
      approved(),
      approved(),
      approved(),
      { kind: "use", nth: 0 },
      { kind: "use", nth: 2 },
      { kind: "clock", minutes: 5 },
    ],
    process: { kind: "sweep" },
  },
  {
    // Ten minutes before the hour is out: within the world's expiryWarning (15m), so the sweep
    // comments on the grant's pull request and tells the channel.
    path: "sweep: warn of a grant's expiry",
    before: [...GRANTED, { kind: "deliver", nth: 0 }, { kind: "clock", minutes: 50 }],
    process: { kind: "sweep" },
  },
  {
    // Unreviewed past the world's remindAfter (2h): the sweep reminds the approvers.
    path: "sweep: remind the approvers of an unreviewed request",
    before: [
      { kind: "open", author: "alice", requester: "alice", hours: 1 },
      { kind: "deliver", nth: 0 },
      { kind: "clock", minutes: 180 },
    ],
    process: { kind: "sweep" },
  },
  {
    // Reminded, then unreviewed past closeAfter (1d): the sweep closes it with a comment.
    path: "sweep: close a stale request",
    before: [
      { kind: "open", author: "alice", requester: "alice", hours: 1 },
      { kind: "deliver", nth: 0 },
      { kind: "clock", minutes: 180 },
      { kind: "sweep" },
      { kind: "clock", minutes: 1320 },
    ],
    process: { kind: "sweep" },
  },
  {
    // The merge's webhook lost: past the creation grace, the sweep finds the merged pull request
    // (findMergedPullRequest), tells it, and records that it did (`<stem>.ungranted.json`).
    path: "sweep: tell a merge never granted",
    before: [
      { kind: "approved-request", requester: "alice", hours: 1 },
      { kind: "lose", nth: 0 },
      { kind: "clock", minutes: 20 },
    ],
    process: { kind: "sweep" },
  },
  {
    path: "sweep: revoke an expired grant",
    before: [
      ...GRANTED,
      { kind: "deliver", nth: 0 },
      { kind: "use", nth: 0 },
      { kind: "clock", minutes: 61 },
    ],
    process: { kind: "sweep" },
  },
  {
    path: "sweep: audit an ended grant",
    before: [
      ...GRANTED,
      { kind: "deliver", nth: 0 },
      { kind: "use", nth: 0 },
      { kind: "clock", minutes: 61 },
      { kind: "sweep" },
      { kind: "clock", minutes: 60 },
    ],
    process: { kind: "sweep" },
  },
];

/**
 * What git, IAM and the pull requests hold: the record files on main (path -> text; of the
 * ungranted records, the sweep's), the role names, and what the sweep told on pull requests (the expiry warning, reminder, stale-closing
 * and never-granted comments, by pull request and marker; which pull requests are closed).
 */
interface Held {
  records: Record<string, string>;
  roles: string[];
  moments: string[];
  closed: number[];
}

function held(world: LifecycleWorld): Held {
  const records: Record<string, string> = {};
  for (const [path, text] of world.github.trees.get("main")!) {
    if (/\.(grant|revocation|audit)\.json$/.test(path)) records[path] = text;
    // The sweep's record of a merge it told; the app's refusals stay out, as a grant's fault
    // may leave one that a redelivery's grant keeps beside it (record-refusal.ts).
    if (path.endsWith(".ungranted.json") && JSON.parse(text).source !== "app") {
      records[path] = text;
    }
  }
  const moments = [...world.github.comments.keys()].filter((key) =>
    /hallpass:(expiry-warning|reminder|stale-closed|ungranted)/.test(key),
  );
  const closed = [...world.github.pulls.values()]
    .filter((pull) => pull.state === "closed" && !pull.merged)
    .map((pull) => pull.number);
  return { records, roles: [...world.aws.roles.keys()].sort(), moments: moments.sort(), closed };
}

async function rolesWithDocuments(world: LifecycleWorld): Promise<GrantRole[]> {
  return world.aws.grantStore(PRODUCTION).listGrantRoles();
}

/** The role holds no managed policy and no inline policy that allows anything. */
function allowsNothing(documents: RoleDocuments): boolean {
  return (
    documents.managedPolicyArns.length === 0 &&
    Object.values(documents.inlinePolicies).every((text) => onlyDenies(text))
  );
}

/**
 * The safe state: every role has its grant record naming it; a role recorded as revoked denies
 * its sessions; any other role holds its recorded plan or part of it (never more), all of it when
 * `complete`; a role that disappeared since `before` has its revocation record.
 */
async function expectSafe(
  world: LifecycleWorld,
  before: Held,
  { complete, killed }: { complete: boolean; killed: boolean },
): Promise<void> {
  const records = world.grantRecords();
  for (const role of await rolesWithDocuments(world)) {
    const request = role.tags[GRANT_TAGS.request] ?? "";
    const record = records.get(request);
    expect(record?.roleArn, `role ${role.roleName} has no grant record on main`).toBe(role.roleArn);
    const documents = role.documents!;
    // A role that denies every session grants nothing. So does one that holds nothing that
    // allows: a revocation killed between removing its deny (IAM deletes only a role without
    // policies) and DeleteRole; one that failed there puts the deny back.
    if (holdsRevocationDeny(documents) || (killed && allowsNothing(documents))) continue;
    expect(
      world.recordOnMain(request, "revocation"),
      `${role.roleName} is recorded as revoked but lets its sessions act`,
    ).toBeUndefined();
    const digest = record!.planDigest!;
    if (complete) {
      expect(describeDocumentDrift(documents, digest), `${role.roleName} vs record`).toEqual([]);
    } else {
      expect(
        holdsPartOfPlan(documents, digest),
        `${role.roleName} holds more than its record`,
      ).toBe(true);
    }
  }
  for (const name of before.roles) {
    if (world.aws.roles.has(name)) continue;
    const record = [...records.values()].find((r) => r.roleName === name);
    expect(record, `removed role ${name} had no grant record`).toBeDefined();
    expect(
      world.recordOnMain(record!.requestPath, "revocation"),
      `role ${name} was removed without a revocation record`,
    ).toBeDefined();
  }
}

/**
 * The grant under test could not make its role: it was rolled back and recorded so (a new
 * request is needed), its role is gone, and every other role is as it was.
 */
function rolledBackGrant(end: Held): boolean {
  return Object.entries(end.records).some(([path, text]) => {
    if (!path.endsWith(".revocation.json")) return false;
    const record = JSON.parse(text) as { reason?: string; roleArn?: string };
    const name = record.roleArn?.split("/").at(-1) ?? "";
    return record.reason === "grant-failed" && !end.roles.includes(name);
  });
}

/** A world that has run `steps` with no fault. */
async function worldAfter(
  steps: Step[],
  main: Record<string, string> = {},
  accountStreams = false,
): Promise<LifecycleWorld> {
  const world = new LifecycleWorld({ accountStreams });
  world.github.setFiles("main", main);
  for (const step of steps) await world.apply(step);
  return world;
}

/** The step that completes `process` after a fault: the same webhook again, or the next sweep. */
function completion(world: LifecycleWorld, process: Step): Step {
  return process.kind === "sweep"
    ? { kind: "sweep" }
    : { kind: "redeliver", nth: world.delivered.length - 1 };
}

/** The fault-free run of each tested process: its calls, and what it leaves. */
const recorded = await Promise.all(
  TESTED.map(async (tested) => {
    const world = await worldAfter(tested.before, tested.main, tested.accountStreams);
    await world.apply(tested.process);
    return { ...tested, calls: [...world.lastCalls], after: held(world) };
  }),
);

it("tells a merge never granted, and records it, when nothing fails", () => {
  const told = recorded.find((r) => r.path === "sweep: tell a merge never granted")!;
  expect(told.calls).toContain("github.findMergedPullRequest");
  expect(Object.keys(told.after.records)).toEqual(["access-requests/alice-1.ungranted.json"]);
  expect(told.after.moments).toEqual([
    "1 <!-- hallpass:ungranted access-requests/alice-1.yaml -->",
  ]);
});

/** Outcomes by path and call, printed as the table of what was tried. */
const outcomes = new Map<string, Map<string, string[]>>();

afterAll(() => {
  const lines = ["faults tried (path, call: outcome by fault kind):"];
  for (const [path, calls] of outcomes) {
    for (const [call, tried] of calls) lines.push(`  ${path}, ${call}: ${tried.join(", ")}`);
  }
  console.log(lines.join("\n"));
});

describe.each(recorded)(
  "$path",
  ({ path, before, process, main, accountStreams, calls, after }) => {
    it("makes port calls when nothing fails (the table is not empty)", () => {
      expect(calls.length).toBeGreaterThan(0);
    });

    const cases = calls.flatMap((call, index) =>
      (Object.keys(FAULTS) as FaultKind[]).map((fault) => ({ call, index, fault })),
    );
    it.for(cases)(
      "call $index ($call) fails: $fault, then completes",
      async ({ index, fault, call }, { task }) => {
        const world = await worldAfter(before, main, accountStreams);
        const start = held(world);
        const [target] = call.split(".") as ["github" | "aws" | "cloudtrail"];
        await world.apply({ kind: "fault", target, call: index + 1, fault });
        await world.apply(process);
        expect(
          world.stats[
            fault === "hang" ? "processes killed (no answer)" : `calls failed (${target})`
          ],
        ).toBe(1);
        await expectSafe(world, start, { complete: false, killed: fault === "hang" });

        await world.apply(completion(world, process));
        world.log.push("completion");
        await expectSafe(world, start, { complete: true, killed: false });
        const end = held(world);
        const rolledBack = path.startsWith("grant") && rolledBackGrant(end);
        if (!rolledBack) expect(end).toEqual(after);
        const row = outcomes.get(path) ?? new Map<string, string[]>();
        const tried = row.get(`${index} ${call}`) ?? [];
        tried.push(`${fault} ${rolledBack ? "rolled back and recorded" : "completed"}`);
        row.set(`${index} ${call}`, tried);
        outcomes.set(path, row);
        countAssurance(task, { counts: { faults: 1 }, detail: `faults/${path}` });
      },
    );
  },
);

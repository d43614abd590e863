import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import fc from "fast-check";
import { expect, it, vi } from "vitest";
import { REVOKE_POLICY_NAME } from "../../src/core/grant/plan-revocation.ts";
import {
  type GrantRecord,
  revocationRecordSchema,
  ungrantedRecordSchema,
} from "../../src/core/grant/records.ts";
import type { TrailFinding, TrailVerification } from "../../src/core/history/verify-trail.ts";
import { recordPath } from "../../src/core/request/record-paths.ts";
import { ungrantedMarker } from "../../src/core/sweep/render-alerts.ts";
import { postIncidentMarker } from "../../src/core/sweep/render-post-incident-issue.ts";
import { GRANT_TAGS } from "../../src/ports/aws.ts";
import { run } from "../cli/cli-harness.ts";
import { countAssurance } from "../support/assurance-counts.ts";
import type { HeldRole } from "../support/fake-grant-store.ts";
import { type MainCommit, writeMirror } from "./git-mirror.ts";
import {
  APP_BOT,
  type FaultKind,
  LifecycleWorld,
  MAX_HOURS,
  type OpenedPull,
  PEOPLE,
  POLICY_VARIANTS,
  type Step,
  TEAM_CACHE_MS,
} from "./lifecycle-world.ts";

/**
 * Generated lifecycles (issue 13): long random sequences of what happens to access requests
 * and grants, run through the real app handlers and the real sweep against in-process models of
 * GitHub, IAM and CloudTrail, with the invariants checked after every step.
 *
 * Runs with a fixed seed by default; HALLPASS_LIFECYCLE_SEED=random explores new sequences.
 * Reproduce a failure with the seed (and path) it prints:
 *   HALLPASS_LIFECYCLE_SEED=<seed> HALLPASS_LIFECYCLE_PATH=<path> npx vitest run test/lifecycle
 * HALLPASS_LIFECYCLE_RUNS sets how many lifecycles run (default below).
 */

// Pure steps remembered by their arguments (see remember-pure-steps.ts); nothing else replaced.
vi.mock("../../src/core/policy/load-policies.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberLoadPolicies(original),
);
vi.mock("../../src/core/request/validate-request.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberParseRequest(original),
);
vi.mock("../../src/core/source/parse-yaml.ts", async (original) =>
  (await import("./remember-pure-steps.ts")).rememberParseYaml(original),
);

const RUNS = Number(process.env.HALLPASS_LIFECYCLE_RUNS ?? 10_000);
/** The IAM simulator is slow next to the model: it judges the roles on every n-th step. */
const SIMULATE_EVERY = 4;

const person = fc.constantFrom(...PEOPLE);
/** Reviewers lean towards the people who can approve, so that lifecycles reach grants. */
const reviewer = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("sam" as const, "sue" as const) },
  { weight: 2, arbitrary: person },
);
const small = fc.nat({ max: 3 });
const FAULTS: FaultKind[] = ["throttled", "server-error", "access-denied", "reset", "hang"];

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    // Mostly in the requester's own name; sometimes in someone else's (never valid); sometimes
    // opened by the app from the requester's issue form (valid while nobody else pushes).
    arbitrary: fc
      .record({
        author: fc.constantFrom("alice" as const, "bob" as const),
        inOwnName: fc.constantFrom(true, true, true, false),
        byForm: fc.constantFrom(false, false, false, true),
        hours: fc.constantFrom(1 as const, 2 as const, 8 as const),
        // Sometimes break-glass, sometimes an extension of an earlier request, rarely both.
        emergency: fc.constantFrom(false, false, false, true),
        extends: fc.oneof(
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: small },
        ),
      })
      .map(({ author, inOwnName, byForm, hours, emergency, extends: extended }) => ({
        kind: "open" as const,
        author: byForm ? APP_BOT : author,
        requester: inOwnName ? author : author === "alice" ? ("bob" as const) : ("alice" as const),
        hours,
        ...(emergency ? { emergency } : {}),
        ...(extended === null ? {} : { extends: extended }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        requester: fc.constantFrom("alice" as const, "bob" as const),
        hours: fc.constantFrom(1 as const, 1 as const, 2 as const, 8 as const),
        emergency: fc.constantFrom(false, false, true),
        extends: fc.oneof(
          { weight: 1, arbitrary: fc.constant(null) },
          { weight: 2, arbitrary: small },
        ),
        deliverMerge: fc.boolean(),
        // Sometimes merged long after the approvals: past the approvals' maxAge of a variant.
        waitMinutes: fc.constantFrom(0, 0, 0, 150),
      })
      .map(({ emergency, extends: extended, deliverMerge, waitMinutes, ...rest }) => ({
        kind: "approved-request" as const,
        ...rest,
        ...(waitMinutes > 0 ? { waitMinutes } : {}),
        ...(emergency ? { emergency } : {}),
        ...(deliverMerge ? { deliverMerge } : {}),
        ...(extended === null ? {} : { extends: extended }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("team" as const),
      team: fc.constantFrom("acme/sre" as const, "acme/dba" as const),
      who: person,
      join: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("push" as const), pr: small, by: person }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("retarget" as const),
      pr: small,
      to: fc.constantFrom("main" as const, "release" as const),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("review" as const),
      pr: small,
      by: reviewer,
      state: fc.constantFrom(
        "APPROVED" as const,
        "APPROVED" as const,
        "CHANGES_REQUESTED" as const,
        "COMMENTED" as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("dismiss" as const), pr: small, nth: small }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("policy" as const), variant: fc.nat({ max: 3 }) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("merge" as const),
      pr: small,
      admin: fc.constantFrom(false, false, true),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("revoke-command" as const), pr: small, by: person }),
  },
  {
    weight: 6,
    // `/hallpass extend`: mostly by the requester, sometimes by someone else (always refused);
    // often carried through at once, so that extensions (and extensions of them) get merged.
    arbitrary: fc
      .record({
        pr: small,
        hours: fc.constantFrom(1 as const, 1 as const, 2 as const, 8 as const),
        byOther: fc.constantFrom(false, false, false, false, true),
        other: person,
        flow: fc.constantFrom(undefined, "merge" as const, "approve" as const),
      })
      .map(({ pr, hours, byOther, other, flow }) => ({
        kind: "extend" as const,
        pr,
        hours,
        ...(byOther ? { by: other } : {}),
        ...(flow === undefined ? {} : { flow }),
      })),
  },
  { weight: 14, arbitrary: fc.record({ kind: fc.constant("deliver" as const), nth: small }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lose" as const), nth: small }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("redeliver" as const), nth: small }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("clock" as const),
      minutes: fc.constantFrom(1, 5, 30, 61, 240, 600),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("sweep" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("use" as const), nth: small }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("hand-role" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("hand-change" as const), nth: small }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("fault" as const),
      target: fc.constantFrom(
        "github" as const,
        "aws" as const,
        "cloudtrail" as const,
        "channel" as const,
      ),
      call: fc.integer({ min: 1, max: 30 }),
      fault: fc.constantFrom(...FAULTS),
    }),
  },
);

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
const simulated = new Map<string, Decision>();

/** The requesters' AWS principals (test/support/example-policies.ts). */
const PRINCIPALS: Record<string, string> = {
  alice: "arn:aws:iam::444455556666:user/alice",
  bob: "arn:aws:iam::444455556666:user/bob",
};
const allowEverything = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

/** One request to the simulator, remembered: many steps ask the same question. */
async function simulate(
  request: {
    principal: string;
    action: string;
    resource: string;
    contextVariables: Record<string, string>;
  },
  identityPolicies: { name: string; policy: unknown }[],
  resourcePolicy?: unknown,
): Promise<Decision> {
  const key = JSON.stringify([request, identityPolicies, resourcePolicy]);
  const known = simulated.get(key);
  if (known) return known;
  const result = await runSimulation(
    {
      request: {
        ...request,
        resource: { resource: request.resource, accountId: "123456789012" },
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  const decision = result.overallResult as Decision;
  simulated.set(key, decision);
  return decision;
}

/**
 * Whether a session of `role` may still call AWS at `at`, by the independent simulator: its
 * inline policies as IAM holds them, each attached managed policy taken as the worst case
 * (Allow everything), the session issued a minute before.
 */
function sessionUsableAt(role: HeldRole, at: Date): Promise<Decision> {
  const iso = at.toISOString().replace(".000Z", "Z");
  return simulate(
    {
      principal: `arn:aws:sts::123456789012:assumed-role/${role.roleName}/session`,
      action: "s3:GetObject",
      resource: "arn:aws:s3:::orders/report.csv",
      contextVariables: {
        "aws:CurrentTime": iso,
        "aws:TokenIssueTime": new Date(at.getTime() - 60_000).toISOString(),
      },
    },
    [
      ...[...role.inline.entries()].map(([name, text]) => ({
        name,
        policy: JSON.parse(text) as unknown,
      })),
      ...[...role.managed].map((arn, i) => ({
        name: `managed-${i}-${arn.split("/").at(-1)}`,
        policy: allowEverything,
      })),
    ],
  );
}

/** Whether the requester may assume `role` at `at` (its trust policy, the right session). */
function assumableAt(role: HeldRole, sessionName: string, at: Date): Promise<Decision> {
  const requester = role.tags[GRANT_TAGS.requester] ?? "";
  return simulate(
    {
      principal: PRINCIPALS[requester] ?? "arn:aws:iam::444455556666:user/nobody",
      action: "sts:AssumeRole",
      resource: role.roleArn,
      contextVariables: {
        "aws:CurrentTime": at.toISOString().replace(".000Z", "Z"),
        "sts:SourceIdentity": requester,
        "sts:RoleSessionName": sessionName,
      },
    },
    [{ name: "own", policy: allowEverything }],
    JSON.parse(role.trustPolicy) as unknown,
  );
}

interface Tally {
  steps: number;
  checks: number;
  simulations: number;
  /** What the lifecycles reached, so that a generator that never grants cannot pass unseen. */
  reached: Record<string, number>;
}

function reach(tally: Tally, what: string): void {
  tally.reached[what] = (tally.reached[what] ?? 0) + 1;
}

/**
 * The team members a check written now may have judged by: those of every moment within the
 * app's cache TTL (documented in docs/app.md: members are cached five minutes by base commit;
 * the merge re-check reads them afresh).
 */
function teamsTrusted(world: LifecycleWorld): Map<string, string[]>[] {
  const since = world.now.getTime() - TEAM_CACHE_MS;
  return [
    world.teamsAt(since),
    ...world.teamHistory.filter((entry) => entry.at > since).map((entry) => entry.teams),
  ];
}

/**
 * GitHub keeps no history of team members: the merge re-check reads them when it runs. A
 * grant of a pull request whose approvals did not hold at the merge is explained only when a
 * team changed between the merge and now and the approvals hold under today's members (the
 * limit docs/app.md states).
 */
function approvedOnTeamsReadLate(world: LifecycleWorld, pull: OpenedPull | undefined): boolean {
  if (pull?.mergedAtStep === undefined) return false;
  const changed = world.teamHistory.some((entry) => entry.step > pull.mergedAtStep!);
  const late = changed && world.approves(pull, world.github.teams);
  return late;
}

type Check = (ok: boolean, message: () => string) => void;

/**
 * The records of break-glass grants and extensions: a break-glass grant always has its
 * post-incident review issue; no grant's window is longer than the role allows (an extension is
 * a new window from its own merge, never the old one stretched); a grant ended as replaced by
 * an extension was replaced by a granted extension of the same requester and account.
 */
function checkRecords(
  world: LifecycleWorld,
  records: Map<string, GrantRecord>,
  check: Check,
): void {
  for (const [request, record] of records) {
    const hours = record.emergency ? MAX_HOURS.emergency : MAX_HOURS.normal;
    const length = Date.parse(record.window.end) - Date.parse(record.window.start);
    check(
      length <= hours * 3_600_000,
      () => `grant of ${request} lasts ${length / 60_000} min, longer than the role allows`,
    );
    if (record.autoApproval?.kind === "extension") {
      // Approved by no review: the extension rule at the merge admitted it (see freeExtension).
      const pull = world.pulls.find((p) => p.path === request);
      check(
        pull?.atMerge?.free === true &&
          record.extends === pull.extends &&
          record.autoApproval.extends === record.extends,
        () => `grant of ${request} is a free extension, which the rules at its merge do not allow`,
      );
    } else if (record.autoApproval) {
      // Approved by no review: the auto-approval rule of the base at the merge allowed it.
      const pull = world.pulls.find((p) => p.path === request);
      const variant =
        pull?.policyAtMerge === undefined ? undefined : POLICY_VARIANTS[pull.policyAtMerge];
      const limit = variant?.autoHours;
      check(
        limit !== undefined &&
          !record.emergency &&
          record.extends === undefined &&
          length <= limit * 3_600_000,
        () => `grant of ${request} was auto-approved, which the rules at its merge do not allow`,
      );
    }
    if (record.emergency) {
      check(
        world.github.issues.has(postIncidentMarker(record.pullRequest.number)),
        () => `break-glass grant of ${request} has no post-incident review issue`,
      );
    }
    const text = world.recordOnMain(request, "revocation");
    const revocation = text ? revocationRecordSchema.parse(JSON.parse(text)) : undefined;
    if (revocation?.reason !== "replaced-by-extension") continue;
    const by = [...records.values()].find(
      (r) =>
        r.extends === request &&
        r.requester === record.requester &&
        r.account.id === record.account.id &&
        Date.parse(r.window.start) <= Date.parse(revocation.revokedAt),
    );
    check(by !== undefined, () => `${request} was revoked as extended, by no extension of it`);
  }
}

/**
 * The latest time the approvals behind the grant of `request` allow access until: its merge
 * (where its window starts: no request of the world has a `start:`) plus the hours it asked
 * for; for an extension approved without review, also no later than the end of the grant it
 * extends plus the rule's limit. -Infinity when it was never merged.
 */
function allowedEnd(
  world: LifecycleWorld,
  records: Map<string, GrantRecord>,
  request: string,
): number {
  const pull = world.pulls.find((p) => p.path === request);
  const mergedAt = pull && world.github.pulls.get(pull.number)?.mergedAt;
  if (!pull || !mergedAt) return -Infinity;
  const own = Date.parse(mergedAt) + pull.hours * 3_600_000;
  const record = records.get(request);
  if (record?.autoApproval?.kind !== "extension") return own;
  const limit = POLICY_VARIANTS[pull.policyAtMerge ?? 0]!.extensionHours ?? 0;
  const extended = records.get(record.extends ?? "");
  return Math.min(own, extended ? Date.parse(extended.window.end) + limit * 3_600_000 : -Infinity);
}

/**
 * Extensions: no grant reaches past what its approvals allow (`allowedEnd`); at most one
 * extension without approval per grant, and at most one along any chain of `extends:`; an
 * extension pull request is opened only for the grant's requester, while the grant is live.
 */
function checkExtensions(
  world: LifecycleWorld,
  records: Map<string, GrantRecord>,
  check: Check,
  tally: Tally,
): void {
  const freeOf = new Map<string, string[]>();
  const extensionsOf = new Set<string>();
  for (const [request, record] of records) {
    if (record.extends !== undefined) {
      if (extensionsOf.has(record.extends))
        reach(tally, "two extension grants of one grant (steps)");
      extensionsOf.add(record.extends);
    }
    check(
      Date.parse(record.window.end) <= allowedEnd(world, records, request),
      () => `grant of ${request} lasts until ${record.window.end}, past what its approvals allow`,
    );
    if (record.autoApproval?.kind !== "extension") continue;
    reach(tally, "free extension grants (steps)");
    const extended = record.extends ?? "";
    freeOf.set(extended, [...(freeOf.get(extended) ?? []), request]);
    const seen = new Set([request]);
    for (let link = records.get(extended); link; link = records.get(link.extends ?? "")) {
      if (seen.has(link.requestPath)) break;
      seen.add(link.requestPath);
      if (link !== records.get(extended)) reach(tally, "free extensions of a chain (steps)");
      check(
        link.autoApproval?.kind !== "extension",
        () => `${request} and ${link!.requestPath} are both free extensions of one chain`,
      );
    }
  }
  for (const [extended, free] of freeOf) {
    check(
      free.length <= 1,
      () => `${extended} was extended without approval ${free.length} times: ${free.join(", ")}`,
    );
  }
  for (const opened of world.extensionsOpened) {
    if (opened.step !== world.steps) continue;
    const { record, command, pull } = opened;
    check(
      record !== undefined &&
        record.requester.toLowerCase() === command.by.toLowerCase() &&
        !opened.revoked &&
        opened.at < Date.parse(record.window.end),
      () =>
        `#${pull.number} was opened on /hallpass extend by ${command.by} on #${command.pull}, whose grant is not theirs or not live`,
    );
    check(
      record !== undefined &&
        pull.extends === record.requestPath &&
        pull.requester === record.requester,
      () => `#${pull.number} does not extend the grant of #${command.pull} for its requester`,
    );
  }
}

/**
 * What the notification channel heard: a grant and a revocation are told at most once, and only
 * once git records them (a channel never hears of access that was not granted or not ended).
 */
function checkNotices(
  world: LifecycleWorld,
  records: Map<string, GrantRecord>,
  check: Check,
  tally: Tally,
): void {
  const told = new Map<string, number>();
  for (const { event, pull } of world.notices) {
    if (event !== "hallpass.granted" && event !== "hallpass.revoked") continue;
    const key = `${event} #${pull}`;
    told.set(key, (told.get(key) ?? 0) + 1);
  }
  for (const [key, times] of told) {
    reach(tally, "grant and revocation notices (steps)");
    check(times === 1, () => `${key} was told ${times} times`);
    const [event, number] = key.split(" #") as [string, string];
    const request = world.pulls.find((p) => p.number === Number(number))?.path ?? "";
    const recorded =
      event === "hallpass.granted"
        ? records.has(request)
        : world.recordOnMain(request, "revocation") !== undefined;
    check(recorded, () => `${key} was told, but git records no such ${event.slice(9)} grant`);
  }
}

/**
 * A role hallpass just made: it expires by what its approvals allow (`allowedEnd`); and, for
 * an extension without review, the grant it extends still stood: the only revocation of it may
 * be its replacement by this very extension.
 */
function checkNewRole(
  world: LifecycleWorld,
  records: Map<string, GrantRecord>,
  role: HeldRole,
  check: Check,
  tally: Tally,
): void {
  const request = role.tags[GRANT_TAGS.request] ?? "";
  const record = records.get(request);
  const free = record?.autoApproval?.kind === "extension" ? record.extends : undefined;
  if (free !== undefined) {
    reach(tally, "free extension grants");
    const text = world.recordOnMain(free, "revocation");
    const revocation = text ? revocationRecordSchema.parse(JSON.parse(text)) : undefined;
    check(
      revocation === undefined ||
        (revocation.reason === "replaced-by-extension" &&
          revocation.detail?.startsWith(`replaced by ${request} `) === true),
      () => `${request} was granted without review after ${free} was revoked`,
    );
  }
  check(
    Date.parse(role.tags[GRANT_TAGS.expiresAt] ?? "") <= allowedEnd(world, records, request),
    () => `role ${role.roleName} of ${request} expires past what its approvals allow`,
  );
}

/** Every invariant, after one step. `previous` is IAM's roles before it. */
async function checkInvariants(
  world: LifecycleWorld,
  previous: Map<string, HeldRole>,
  index: number,
  tally: Tally,
): Promise<void> {
  const check = (ok: boolean, message: () => string) => {
    tally.checks += 1;
    if (!ok) throw new Error(`after step ${index}: ${message()}`);
  };
  const byHand = new Set(world.hand.map((h) => h.roleName));
  const records = world.grantRecords();
  const roles = [...world.aws.roles.values()];

  // New roles hallpass made: never a second one for a request.
  for (const role of roles) {
    if (previous.has(role.roleName) || byHand.has(role.roleName)) continue;
    const request = role.tags[GRANT_TAGS.request] ?? "";
    const names = world.created.get(request) ?? new Set<string>();
    names.add(role.roleName);
    world.created.set(request, names);
    reach(tally, "grants");
    if (records.get(role.tags[GRANT_TAGS.request] ?? "")?.autoApproval) {
      reach(tally, "auto-approved grants");
    }
    if (role.tags[GRANT_TAGS.emergency] === "true") reach(tally, "break-glass grants");
    if (role.tags[GRANT_TAGS.extends] !== undefined) reach(tally, "extension grants");
    check(names.size === 1, () => `two grant roles for ${request}: ${[...names].join(", ")}`);
    checkNewRole(world, records, role, check, tally);
    // A late or repeated delivery never brings a revoked grant back.
    check(
      !world.removed.has(role.roleName),
      () => `role ${role.roleName} of ${request} was made again after it was removed`,
    );
  }

  for (const role of roles) {
    if (byHand.has(role.roleName)) continue;
    const request = role.tags[GRANT_TAGS.request] ?? "";
    // No grant without a merged request whose approvals satisfied the policy at its base.
    const pull = world.pulls.find((p) => p.path === request);
    check(
      pull?.approvedAtMerge === true || approvedOnTeamsReadLate(world, pull),
      () => `role ${role.roleName} grants ${request}, which was not approved when merged`,
    );
    // A revoked grant's role, while its removal is unfinished, holds the deny of every session,
    // or holds no policy at all: IAM deletes only a role without policies, so a revocation killed
    // between removing its deny and DeleteRole leaves an empty role, which allows nothing (the
    // fault table accepts the same state; a failed DeleteRole puts the deny back).
    check(
      world.recordOnMain(request, "revocation") === undefined ||
        role.inline.has(REVOKE_POLICY_NAME) ||
        (role.inline.size === 0 && role.managed.size === 0),
      () => `role ${role.roleName} is recorded as revoked but does not deny its sessions`,
    );
    // Every grant has its git record, naming this role.
    check(
      records.get(request)?.roleArn === role.roleArn,
      () => `role ${role.roleName} has no grant record on main`,
    );
  }
  const granted = roles.filter((r) => !byHand.has(r.roleName));
  check(
    new Set(granted.map((r) => r.tags[GRANT_TAGS.request])).size === granted.length,
    () => "two live roles for one request",
  );

  // Every revocation has its record: a grant role that disappeared was recorded as revoked.
  for (const [name, role] of previous) {
    if (world.aws.roles.has(name) || byHand.has(name)) continue;
    world.removed.add(name);
    const request = role.tags[GRANT_TAGS.request];
    if (request === undefined || !records.has(request)) continue;
    const text = world.recordOnMain(request, "revocation");
    const revocation =
      text === undefined ? undefined : revocationRecordSchema.parse(JSON.parse(text));
    reach(tally, `revoked: ${revocation?.reason ?? "unrecorded"}`);
    check(
      revocation?.roleArn === role.roleArn,
      () => `role ${name} of ${request} was removed without a revocation record`,
    );
  }

  // The check is never green for a request the merge re-check would refuse.
  for (const { sha, conclusion } of world.written) {
    const pull = world.pulls.find((p) => world.github.pulls.get(p.number)?.headSha === sha);
    const info = pull && world.github.pulls.get(pull.number);
    if (!pull || !info || info.state !== "open" || conclusion !== "success") continue;
    reach(tally, "green checks");
    check(
      teamsTrusted(world).some((teams) => world.approves(pull, teams)),
      () => `green check on #${pull.number}, which is not approved`,
    );
  }

  checkRecords(world, records, check);
  checkExtensions(world, records, check, tally);
  checkNotices(world, records, check, tally);

  // After a sweep that ran to its end: every ended grant whose audit is due has its summary.
  if (world.completeSweep) {
    for (const [request, record] of records) {
      const revocation = world.recordOnMain(request, "revocation");
      const end = revocation
        ? Math.min(
            Date.parse(record.window.end),
            Date.parse(revocationRecordSchema.parse(JSON.parse(revocation)).revokedAt),
          )
        : Date.parse(record.window.end);
      if (world.now.getTime() < end + 30 * 60_000) continue;
      reach(tally, "audits due");
      check(
        world.recordOnMain(request, "audit") !== undefined,
        () => `grant of ${request} ended at ${new Date(end).toISOString()} has no audit summary`,
      );
    }
  }

  // No grant can be used after its expiry (the independent simulator, on a sample of steps):
  // neither a session's calls nor assuming the role. Assuming it inside the window is counted,
  // to show that the simulator's setup can say "Allowed" at all.
  if (index % SIMULATE_EVERY === 0 || world.completeSweep) {
    for (const role of world.aws.roles.values()) {
      if (byHand.has(role.roleName)) continue;
      const expiry = Date.parse(role.tags[GRANT_TAGS.expiresAt] ?? "");
      const at = new Date(Math.max(world.now.getTime(), expiry));
      const sessionName = records.get(role.tags[GRANT_TAGS.request] ?? "")?.sessionName ?? "";
      tally.simulations += 2;
      const call = await sessionUsableAt(role, at);
      check(call !== "Allowed", () => `role ${role.roleName} is usable at ${at.toISOString()}`);
      const assume = await assumableAt(role, sessionName, at);
      check(
        assume !== "Allowed",
        () => `role ${role.roleName} can be assumed at ${at.toISOString()}`,
      );
      if (world.now.getTime() < expiry) {
        tally.simulations += 1;
        if ((await assumableAt(role, sessionName, world.now)) === "Allowed") {
          reach(tally, "assumable in its window");
        }
      }
    }
  }
}

/** The sweep's commit of the ungranted records it writes (src/workflows/sweep/tell.ts). */
const SWEEP_TOLD = /^hallpass: \d+ merged requests? without a grant, told on the PR/;

/**
 * Merges never granted, once the world has settled and a sweep has run to its end: each request
 * merged into main with neither a grant nor a revocation record has an ungranted record naming
 * its pull request, merge commit and merge time: the app's refusal (always so when the app heard
 * the merge to the end), or the sweep's, said on that pull request. The sweep's are said on no
 * other pull request and committed once each, and the sweep asks GitHub only about requests
 * with no record (so it never tells a merge twice).
 */
function checkUngranted(world: LifecycleWorld, check: Check, tally: Tally): void {
  const main = world.github.trees.get("main")!;
  for (const pull of world.pulls) {
    const info = world.github.pulls.get(pull.number)!;
    const has = (kind: "grant" | "revocation") => main.has(recordPath(pull.path, kind));
    if (!info.merged || info.baseRef !== "main" || has("grant") || has("revocation")) continue;
    const text = main.get(recordPath(pull.path, "ungranted"));
    const record = text === undefined ? undefined : ungrantedRecordSchema.parse(JSON.parse(text));
    const by = record?.source === "app" ? "the app" : "the sweep";
    reach(tally, `merges never granted, recorded by ${record ? by : "nobody"}`);
    check(
      record?.requestPath === pull.path &&
        record.pullRequest.number === pull.number &&
        record.pullRequest.mergeCommit === info.mergeCommitSha &&
        record.pullRequest.mergedAt === info.mergedAt,
      () => `#${pull.number} merged ${pull.path}, never granted, and no record of it names it`,
    );
    if (world.mergesHeard.has(pull.number)) {
      check(by === "the app", () => `the app heard #${pull.number}'s merge and recorded nothing`);
    } else if (by === "the sweep") {
      check(
        world.github.comment(pull.number, ungrantedMarker(pull.path)) !== undefined,
        () => `the sweep recorded ${pull.path} as never granted without telling #${pull.number}`,
      );
    }
  }
  for (const key of world.github.comments.keys()) {
    const told = /^(\d+) <!-- hallpass:ungranted (.+) -->$/.exec(key);
    if (!told) continue;
    const pull = world.pulls.find((p) => p.path === told[2]);
    const info = pull && world.github.pulls.get(pull.number);
    check(
      pull?.number === Number(told[1]) && info?.merged === true && info.baseRef === "main",
      () => `#${told[1]} was told that ${told[2]} was merged without a grant; it did not merge it`,
    );
  }
  const written = new Map<string, number>();
  for (const commit of world.github.commits) {
    if (commit.branch !== "main" || !SWEEP_TOLD.test(commit.message)) continue;
    for (const { path } of commit.files) written.set(path, (written.get(path) ?? 0) + 1);
  }
  for (const [path, times] of written) {
    check(times === 1, () => `the sweep recorded ${path} ${times} times`);
  }
  for (const { path, tree } of world.github.lookups) {
    reach(tally, "merged pull requests looked up by the sweep");
    const kinds = ["grant", "revocation", "ungranted"] as const;
    const recorded = kinds.filter((kind) => tree.has(recordPath(path, kind)));
    check(
      recorded.length === 0,
      () => `the sweep asked GitHub about ${path}, which has ${recorded}`,
    );
  }
}

async function runLifecycle(
  steps: Step[],
  tally: Tally,
  world = new LifecycleWorld(),
): Promise<LifecycleWorld> {
  for (const [index, s] of steps.entries()) {
    const previous = new Map(
      [...world.aws.roles].map(([name, role]) => [name, { ...role, tags: { ...role.tags } }]),
    );
    await world.apply(s);
    tally.steps += 1;
    await checkInvariants(world, previous, index, tally);
  }
  // The end: the world settles (every delivery arrives, time passes, a sweep runs to its end).
  for (const s of settle(world)) {
    const previous = new Map([...world.aws.roles].map(([name, role]) => [name, role]));
    await world.apply(s);
    tally.steps += 1;
    await checkInvariants(world, previous, steps.length, tally);
  }
  checkUngranted(
    world,
    (ok, message) => {
      tally.checks += 1;
      if (!ok) throw new Error(`once settled: ${message()}`);
    },
    tally,
  );
  for (const [what, n] of Object.entries(world.stats))
    tally.reached[what] = (tally.reached[what] ?? 0) + n;
  for (const pull of world.pulls) {
    if (pull.approvedAtMerge !== undefined) reach(tally, "merges");
    if (pull.approvedAtMerge) reach(tally, "approved merges");
    if (pull.author === APP_BOT && pull.approvedAtMerge !== undefined) {
      reach(tally, `merges of form requests${pull.approvedAtMerge ? " (approved)" : ""}`);
    }
  }
  expect(world.completeSweep).toBe(true);
  expect(world.aws.roles.size, "no role outlives its window and the final sweep").toBe(0);
  return world;
}

/** Deliver what is pending, then move past every window and the audit delay, then sweep. */
function settle(world: LifecycleWorld): Step[] {
  return [
    ...world.pending.map(() => ({ kind: "deliver" as const, nth: 0 })),
    { kind: "clock", minutes: 9 * 60 },
    { kind: "sweep" },
    { kind: "clock", minutes: 60 },
    { kind: "sweep" },
  ];
}

/**
 * Shrunk sequences that once broke an invariant, each a regression test of the fix named.
 */
const REGRESSIONS: { name: string; steps: Step[] }[] = [
  {
    // The approval handler opened the issue; its failure did not stop the grant handler on the
    // same delivery. The grant now opens it before it records or creates anything.
    name: "a break-glass grant always has its post-incident review issue",
    steps: [
      { kind: "approved-request", requester: "alice", hours: 1, emergency: true },
      { kind: "fault", target: "github", call: 2, fault: "throttled" },
      { kind: "deliver", nth: 0 },
    ],
  },
];

it.each(REGRESSIONS)("regression: $name", async ({ steps }) => {
  await runLifecycle(steps, { steps: 0, checks: 0, simulations: 0, reached: {} });
});

/** Each lifecycle starts under one of the rule variants (auto-approval and ageing among them). */
const lifecycle = fc
  .tuple(
    fc.nat({ max: POLICY_VARIANTS.length - 1 }),
    fc.array(step, { minLength: 5, maxLength: 40, size: "max" }),
  )
  .map(([variant, steps]): Step[] => [{ kind: "policy", variant }, ...steps]);

/** The seed CI runs with (HALLPASS_LIFECYCLE_SEED overrides it; `random` picks a new one). */
const DEFAULT_SEED = 20261205;

it("no generated lifecycle grants without approval, outlives expiry, or loses a record", async ({
  task,
}) => {
  const tally: Tally = { steps: 0, checks: 0, simulations: 0, reached: {} };
  const seed = process.env.HALLPASS_LIFECYCLE_SEED;
  const path = process.env.HALLPASS_LIFECYCLE_PATH;
  let runs = 0;
  const cpuStart = process.cpuUsage();
  await fc.assert(
    fc.asyncProperty(lifecycle, async (steps) => {
      runs += 1;
      await runLifecycle(steps, tally);
    }),
    {
      numRuns: RUNS,
      // A fixed seed by default, so CI is repeatable and a landing never rests on luck;
      // HALLPASS_LIFECYCLE_SEED=random explores new sequences, a number replays one.
      ...(seed === "random" ? {} : { seed: seed ? Number(seed) : DEFAULT_SEED }),
      ...(path ? { path } : {}),
      endOnFailure: false,
    },
  );
  // CPU time, not wall time: on a shared machine the wall clock measures the neighbours.
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `lifecycles: ${runs} run in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU, ${tally.simulations} IAM simulations, reached ${JSON.stringify(tally.reached)}`,
  );
  // The simulator can say "Allowed": the expiry checks are not vacuous.
  if (RUNS >= 1000) expect(tally.reached["assumable in its window"]).toBeGreaterThan(0);
  // Requests the app opened from an issue form were merged both approved and not.
  if (RUNS >= 1000) expect(tally.reached["merges of form requests (approved)"]).toBeGreaterThan(0);
  if (RUNS >= 1000) expect(tally.reached["merges of form requests"]).toBeGreaterThan(0);
  // `/hallpass extend` reached each of its paths: not vacuous either.
  if (RUNS >= 1000) {
    for (const what of [
      "extend commands: opened",
      "extend commands: refused: not the requester",
      "extend commands: refused: revoked",
      "extend commands: refused: ended",
      "free extension grants",
      "free extensions of a chain (steps)",
      "two extension grants of one grant (steps)",
      // Merges whose webhook was lost or failed, told by the sweep: not vacuous either.
      "merges never granted, recorded by the sweep",
    ]) {
      expect(tally.reached[what], what).toBeGreaterThan(0);
    }
  }
  countAssurance(task, {
    counts: { lifecycles: runs, steps: tally.steps, invariantChecks: tally.checks },
    detail: "lifecycles/generated",
  });
}, 600_000);

/** How many generated lifecycles the verification test runs (those with a free extension verify). */
const VERIFY_RUNS = Number(process.env.HALLPASS_LIFECYCLE_VERIFY_RUNS ?? 400);

/**
 * `hallpass verify` on the git history of generated lifecycles (their default branch written to
 * a real repository, git-mirror.ts), for those that granted a free extension: the honest trail
 * holds (its only findings are merges that were refused, which the trail records as such), and
 * a second free extension of the same grant, added afterwards in the app's name (its request
 * merged, its grant record a copy of the first's), is named as not approved.
 */
it("hallpass verify finds nothing on honest generated histories and names a forged free extension", async () => {
  const tally: Tally = { steps: 0, checks: 0, simulations: 0, reached: {} };
  let verified = 0;
  const neverGranted = { app: 0, sweep: 0 };
  const cpuStart = process.cpuUsage();
  await fc.assert(
    fc.asyncProperty(lifecycle, async (steps) => {
      const world = await runLifecycle(steps, tally, new LifecycleWorld({ journal: true }));
      const free = [...world.grantRecords().values()].find(
        (r) => r.autoApproval?.kind === "extension",
      );
      if (!free) return;
      verified += 1;
      const found = await expectHonest(world);
      neverGranted.app += found.app;
      neverGranted.sweep += found.sweep;
      const forged = await verifyMirror(forgeSibling(world.mainLog, free, world.now), world.now);
      // Named once, for the rule it breaks: the first extension stands beside it.
      const named = forged.findings.filter((f) => f.kind === "not-approved");
      expect(named.map((f) => f.file)).toEqual([recordPath(FORGED(free.requester), "grant")]);
      expect(named[0]!.message).toContain(`is already extended by ${free.requestPath}`);
    }),
    {
      numRuns: VERIFY_RUNS,
      // Other lifecycles than the first ones of the test above (one seed further).
      ...(process.env.HALLPASS_LIFECYCLE_SEED === "random"
        ? {}
        : { seed: Number(process.env.HALLPASS_LIFECYCLE_SEED ?? DEFAULT_SEED) + 1 }),
      endOnFailure: true,
    },
  );
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `verify: ${verified} generated histories with a free extension, each verified and forged, in ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU; merges never granted found beside the app's refusal ${neverGranted.app}, beside the sweep's record ${neverGranted.sweep}`,
  );
  if (VERIFY_RUNS >= 400) expect(verified).toBeGreaterThan(0);
}, 600_000);

it("hallpass verify names a free extension forged in after its grant was revoked, while it was live", async () => {
  // Granted for 2h under rules with extension.withoutApproval, then ended early by its requester.
  const steps: Step[] = [
    { kind: "policy", variant: 1 },
    { kind: "approved-request", requester: "alice", hours: 2, deliverMerge: true },
    { kind: "revoke-command", pr: 0, by: "alice" },
    { kind: "deliver", nth: 0 },
  ];
  const tally: Tally = { steps: 0, checks: 0, simulations: 0, reached: {} };
  const world = await runLifecycle(steps, tally, new LifecycleWorld({ journal: true }));
  await expectHonest(world);
  const forged = forgeAfterRevocation(world.mainLog, world.grantRecords(), world.now);
  expect(forged).toBeDefined();
  const verified = await verifyMirror(forged!.log, world.now);
  const named = verified.findings.filter((f) => f.kind === "not-approved");
  expect(named.map((f) => f.file)).toEqual([recordPath(forged!.path, "grant")]);
  expect(named[0]!.message).toContain("revoked");
});

it("a merge whose webhook was lost is told by the sweep, and verify accepts it only beside that record", async () => {
  const steps: Step[] = [
    { kind: "approved-request", requester: "alice", hours: 1 },
    // The merge's webhook: the only delivery pending.
    { kind: "lose", nth: 0 },
  ];
  const tally: Tally = { steps: 0, checks: 0, simulations: 0, reached: {} };
  const world = await runLifecycle(steps, tally, new LifecycleWorld({ journal: true }));
  const { path, number } = world.pulls[0]!;
  const info = world.github.pulls.get(number)!;
  expect(world.grantRecords().size).toBe(0);
  const record = ungrantedRecordSchema.parse(JSON.parse(world.recordOnMain(path, "ungranted")!));
  expect(record).toMatchObject({
    requestPath: path,
    pullRequest: { number, mergeCommit: info.mergeCommitSha, mergedAt: info.mergedAt },
  });
  expect(record.source).toBe("sweep");
  expect(world.github.comment(number, ungrantedMarker(path))).toContain(`merged in #${number}`);
  expect(await expectHonest(world)).toEqual({ app: 0, sweep: 1 });
  // The same history without the sweep's record: the merge is a finding the filter keeps.
  const told = recordPath(path, "ungranted");
  world.github.trees.get("main")!.delete(told);
  for (const commit of world.mainLog) (commit.tree as Map<string, string>).delete(told);
  await expect(expectHonest(world)).rejects.toThrow(/not-granted/);
});

/**
 * `hallpass verify` on the lifecycle's history finds nothing but the merges that were never
 * granted, each beside the record of why, which the trail shows as it is: the app refused and
 * recorded why (an admin merged past a red check), or it never heard of the merge to the end
 * (its webhook was lost or its delivery failed) and the sweep found the merged pull request and
 * recorded that it told it. A merge with no such record is a finding, and so is the sweep's
 * record beside a merge the app heard of cleanly (the app records its own refusals). Every
 * grant is re-decided. Returns the merges never granted that it found, by who recorded them.
 */
async function expectHonest(world: LifecycleWorld): Promise<{ app: number; sweep: number }> {
  const records = world.grantRecords();
  const honest = await verifyMirror(world.mainLog, world.now);
  const heard = (path: string) =>
    world.pulls.some((p) => p.path === path && world.mergesHeard.has(p.number));
  // Who recorded the request as never granted (a record without `source` is the sweep's).
  const recordedBy = (path: string) => {
    const text = world.recordOnMain(path, "ungranted");
    if (text === undefined) return undefined;
    return ungrantedRecordSchema.parse(JSON.parse(text)).source ?? "sweep";
  };
  const refused = (f: TrailFinding) => {
    if (f.kind !== "not-granted") return false;
    const by = recordedBy(f.file);
    return by === "app" || (by !== undefined && !heard(f.file));
  };
  expect(honest.findings.filter((f) => !refused(f))).toEqual([]);
  expect(honest.checked.reDecided).toBe(records.size);
  const found = honest.findings.map((f) => recordedBy(f.file));
  return {
    app: found.filter((by) => by === "app").length,
    sweep: found.filter((by) => by === "sweep").length,
  };
}

/** Where the forged second extension sits: where `/hallpass extend` writes its requester's. */
const FORGED = (requester: string) => `access-requests/${requester}/extend-forged.yaml`;

/**
 * The lifecycle's history with a second extension of the grant `free` extends forged into it:
 * a copy of `free`'s request merged right after it (the extended grant still live and not yet
 * replaced, so only the first extension beside it stands in the way), and at the end its grant
 * record in the app's name, a copy of the first's naming the new request and merge.
 */
function forgeSibling(log: readonly MainCommit[], free: GrantRecord, end: Date): MainCommit[] {
  const at = log.findIndex((c) => c.stands === free.pullRequest.mergeCommit);
  const path = FORGED(free.requester);
  const request = log[at]!.tree.get(free.requestPath)!;
  const record = {
    ...free,
    requestPath: path,
    pullRequest: { ...free.pullRequest, number: 999, mergeCommit: `f0f9${"0".repeat(36)}` },
  };
  return spliceForgery(log, at, request, record, end);
}

/**
 * `log` with a forged request merged right after commit `at` (its pull request and merge commit
 * those `record` names), the request in every later commit, and at `end` `record` committed
 * beside it in the app's name.
 */
function spliceForgery(
  log: readonly MainCommit[],
  at: number,
  request: string,
  record: GrantRecord,
  end: Date,
): MainCommit[] {
  const path = record.requestPath;
  const withRequest = (c: MainCommit) => ({ ...c, tree: new Map(c.tree).set(path, request) });
  const last = withRequest(log.at(-1)!);
  const granted = new Map(last.tree).set(recordPath(path, "grant"), `${JSON.stringify(record)}\n`);
  const { number, mergeCommit } = record.pullRequest;
  return [
    ...log.slice(0, at + 1),
    { ...withRequest(log[at]!), message: `Merge pull request #${number}`, stands: mergeCommit },
    ...log.slice(at + 1).map(withRequest),
    { author: APP_BOT, at: end, message: `hallpass: grant ${path}`, tree: granted },
  ];
}

/**
 * The lifecycle's history with a free extension forged into it right after the commit that
 * recorded a grant's revocation for cause (not its replacement), while its window was still
 * open, under rules that had `extension.withoutApproval`: only the revocation stands in its
 * way (none of the grant's extensions exists yet, and the grant was no free extension). Its
 * grant record, in the app's name at the end, claims that rule. Undefined when the lifecycle
 * holds no such grant.
 */
function forgeAfterRevocation(
  log: readonly MainCommit[],
  records: Map<string, GrantRecord>,
  end: Date,
): { log: MainCommit[]; path: string } | undefined {
  for (const grant of records.values()) {
    const revocationPath = recordPath(grant.requestPath, "revocation");
    const at = log.findIndex((c) => c.tree.has(revocationPath));
    const commit = log[at];
    const text = commit?.tree.get(revocationPath);
    if (!commit || !text || grant.autoApproval || grant.emergency) continue;
    const revocation = revocationRecordSchema.parse(JSON.parse(text));
    const limit = /withoutApproval: (\d+h)/.exec(commit.tree.get("policies/roles.yaml") ?? "")?.[1];
    const extended = [...records.values()].some((r) => r.extends === grant.requestPath);
    if (
      revocation.reason === "replaced-by-extension" ||
      !(commit.at.getTime() < Date.parse(grant.window.end)) ||
      limit === undefined ||
      extended
    ) {
      continue;
    }
    const path = `access-requests/${grant.requester}/extend-forged-after-revocation.yaml`;
    const merge = `f0f8${"0".repeat(36)}`;
    const start = commit.at.toISOString().replace(".000Z", "Z");
    const request = `${commit.tree.get(grant.requestPath)}`
      .replace(/^duration: .*$/m, "duration: 1h")
      .replace(/^extends: .*\n/m, "")
      .concat(`extends: ${grant.requestPath}\n`);
    const record: GrantRecord = {
      ...grant,
      requestPath: path,
      pullRequest: { ...grant.pullRequest, number: 998, mergeCommit: merge, mergedAt: start },
      extends: grant.requestPath,
      approvals: [],
      autoApproval: {
        kind: "extension",
        rule: `one extension without approval up to ${limit}`,
        limit,
        extends: grant.requestPath,
      },
      window: {
        start,
        end: new Date(commit.at.getTime() + 3_600_000).toISOString().replace(".000Z", "Z"),
      },
      grantedAt: start,
    };
    return { path, log: spliceForgery(log, at, request, record, end) };
  }
  return undefined;
}

/** Writes `commits` to a new repository and runs `hallpass verify --format json` there at `now`. */
async function verifyMirror(commits: readonly MainCommit[], now: Date): Promise<TrailVerification> {
  const root = mkdtempSync(join(tmpdir(), "hallpass-mirror-"));
  try {
    writeMirror(root, commits);
    const { stdout } = await run(["verify", "--format", "json"], { cwd: root, now });
    return JSON.parse(stdout) as TrailVerification;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The approval decision for one access request: pure data in, pure data out.
 *
 * GitHub's own CODEOWNERS rule needs one owner's approval; a role's policy can ask for more
 * (a number of people, and groups that must each contribute). This function enforces that:
 *
 * - Eligible approvers are the code owners of the request file (users, and the active
 *   members of owner teams), never the requester, the PR author, or anyone who authored or
 *   committed a commit of the PR: they could approve their own access.
 * - A person's opinion is their latest APPROVED, CHANGES_REQUESTED or DISMISSED review.
 *   COMMENTED does not cancel an approval (GitHub's semantic). PENDING is a draft.
 * - An approval counts only on the current head SHA: a push after the approval changes what
 *   was approved. Nor does it count when the base branch was changed after it: the diff that
 *   merges is no longer the diff the reviewer saw.
 * - A change request from an eligible owner blocks until that owner changes it.
 * - One person's approval counts for one rule only. A policy asking for one DBA and one
 *   security engineer means two people: someone in both teams must not approve alone. The
 *   approvals are assigned to rules by a maximum bipartite matching (earliest approvals
 *   first), not greedily, so X (in both groups, approving first) and Y (in the first group
 *   only) satisfy both rules: Y for the first, X for the second.
 */

import type { ApprovalBasis, ApprovalRecord, AutoApprovalBasis } from "../grant/records.ts";
import type { Owner } from "../policy/codeowners.ts";
import { parseOwnerReference } from "../policy/owner-reference.ts";
import type { Approval, ApprovalRule } from "../policy/policy-format.ts";
import { countOf } from "../text/count-of.ts";

/**
 * Ordered from best to worst, as in palantir/policy-bot: combining two results keeps the
 * worse one, so an error anywhere can never be outvoted into a green check.
 */
export const DECISION_STATUSES = [
  "skipped",
  "pending",
  "approved",
  "disapproved",
  "error",
] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

/** The worse of two statuses (`error` > `disapproved` > `approved` > `pending` > `skipped`). */
export function worseStatus(a: DecisionStatus, b: DecisionStatus): DecisionStatus {
  return DECISION_STATUSES.indexOf(a) >= DECISION_STATUSES.indexOf(b) ? a : b;
}

/** A review as the decision needs it (the `Review` of the GitHub port fits). */
export interface ReviewInput {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commitId: string;
  submittedAt: string;
  /**
   * GitHub's `author_association` of the reviewer with the repository, when known. Only
   * OWNER, MEMBER and COLLABORATOR have access; anyone else (a login left in CODEOWNERS after
   * its owner left) cannot approve, as GitHub's own rule skips owners without write access.
   */
  authorAssociation?: string;
}

/** Associations of people who have access to the repository (see `authorAssociation`). */
const WITH_ACCESS = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export interface ApprovalInput {
  /** The request file's path, for messages. */
  requestPath: string;
  /** The PR's current head SHA: only approvals given on it count. */
  headSha: string;
  /** The requester named in the file. */
  requester: string;
  /** The PR's author. */
  author: string;
  /** Logins linked to the author or committer of any commit of the PR. */
  pushers: readonly string[];
  /** Every review of the PR, in any order. */
  reviews: readonly ReviewInput[];
  /** The code owners of the request file, as read from CODEOWNERS at the base commit. */
  owners: readonly Owner[];
  /** Active members of every team named in `owners` or in a rule's `from`, by `org/slug`. */
  teamMembers: Readonly<Record<string, readonly string[]>>;
  /** The role's approval (or its break-glass approval for an emergency request). */
  approval: Approval;
  /**
   * For a merged pull request, when it was merged (ISO-8601): reviews submitted later never
   * count. Otherwise an approval given after an admin merged past a red check would turn a
   * refused grant into a granted one on the next redelivery of the merge event.
   */
  reviewedBefore?: string;
  /**
   * Dismissals of the reviews (GitHub's `review_dismissed` events). With `reviewedBefore`, a
   * review dismissed after that time counts as what it was until then: a change request
   * dismissed after an admin merged past it still blocks the merge's grant.
   */
  dismissals?: readonly { reviewId: number; state: string; at: string }[];
  /**
   * When the pull request's base branch was changed (ISO-8601; GitHub's `base_ref_changed`
   * issue events), in any order. An approval submitted at or before the latest change is
   * stale: it approved a diff against another base. A time that cannot be read makes every
   * approval stale (fail closed), as it cannot be placed after the change.
   */
  baseChangedAt?: readonly string[];
  /**
   * How long an approval counts from its submission (the role's `approval.maxAge`, else
   * `settings.approvalMaxAge`): older at `decidedAt`, it is ignored.
   */
  maxApprovalAge?: { seconds: number; text: string };
  /**
   * The clock of the decision (ISO-8601): the evaluation's time, or the merge's for a merged
   * pull request. With `maxApprovalAge`, a missing or unreadable time counts no approval.
   */
  decidedAt?: string;
  /**
   * The policy rule that approves this request without review, when one applies (decided by
   * `findAutoApproval`). It does not outvote a change request from an eligible owner.
   */
  autoApproval?: AutoApprovalBasis;
}

/** How one approval rule stands. */
export interface RuleOutcome {
  /** The rule's name, or a description built from it. */
  label: string;
  rule: ApprovalRule;
  /**
   * The people whose approval on the head SHA is counted for this rule, in review order. Each
   * approver is counted for one rule only, so someone in this rule's group may be counted for
   * another rule instead.
   */
  approvedBy: string[];
  /** Eligible people in this rule's group who have not approved yet and could. */
  canStillApprove: string[];
  /** How many more approvals this rule needs (0 when satisfied). */
  missing: number;
  satisfied: boolean;
}

/** A review that did not count, and why (shown on the dashboard so nobody wonders). */
export interface IgnoredReview {
  reviewer: string;
  reviewId: number;
  reason: string;
}

export interface Decision {
  status: "pending" | "approved" | "disapproved";
  /** One line per reason the request is not approved yet; empty when approved. */
  reasons: string[];
  rules: RuleOutcome[];
  /**
   * Every valid approval (eligible code owner, on the head SHA), in review order, each with the
   * one rule it counted for; `rules` is empty for an approval the rules did not need (every rule
   * of its group had enough approvals from others).
   */
  approvals: ApprovalRecord[];
  /** Change requests from eligible owners that block the request. */
  blockedBy: IgnoredReview[];
  ignored: IgnoredReview[];
  /** Everyone who may approve (code owners minus the excluded people), sorted. */
  eligible: string[];
  /** Code owners who can never approve this PR, with the reason. */
  excluded: { login: string; reason: string }[];
  /** Owners that cannot be resolved to a login (emails), so they can never approve. */
  unresolvedOwners: string[];
  /**
   * The inputs read from GitHub that git does not hold (with each approval's `eligibleVia`):
   * the grant record keeps them so that `hallpass verify` can run this decision again offline.
   */
  basis: ApprovalBasis;
  /** Set when the request is approved by `autoApproval` rather than by the reviews. */
  autoApproved?: AutoApprovalBasis;
  /**
   * Until when the approval holds (ISO-8601), when approvals age out (`maxApprovalAge`): the
   * earliest time at which an approval that counts ages out and leaves the rules unmet. Set
   * only on an approval by the reviews of a pull request not yet merged; absent otherwise (no
   * limit, an approval without review, or a merge's decision, which is final).
   */
  countsUntil?: string;
}

/** Key of a team in `teamMembers`. */
export function teamKey(org: string, slug: string): string {
  return `${org.toLowerCase()}/${slug.toLowerCase()}`;
}

/** The label of a rule on the check: its name, or what it asks for. */
export function ruleLabel(rule: ApprovalRule, index: number): string {
  if (rule.name) return rule.name;
  const who = rule.from ? rule.from.join(" or ") : "code owners";
  return `rule ${index + 1}: ${rule.count} from ${who}`;
}

/** Resolves owner references (`@login`, `@org/team`) to the set of logins they stand for. */
function resolve(
  refs: readonly (Owner | string)[],
  teamMembers: Readonly<Record<string, readonly string[]>>,
): Set<string> {
  const logins = new Set<string>();
  for (const ref of refs) {
    // Logins compare in lower case: a policy's reference is in the case it was written in.
    // An e-mail owner names no login.
    const owner = typeof ref === "string" ? parseOwnerReference(ref) : ref;
    if (owner.kind === "user") logins.add(owner.login.toLowerCase());
    else if (owner.kind === "team")
      for (const m of teamMembers[teamKey(owner.org, owner.slug)] ?? [])
        logins.add(m.toLowerCase());
  }
  return logins;
}

const OPINION_STATES = new Set(["APPROVED", "CHANGES_REQUESTED", "DISMISSED"]);

/**
 * The time of the latest base change (ms), `-Infinity` when there was none, and `+Infinity`
 * when one cannot be read, so that no approval counts as given after it.
 */
function latestBaseChange(times: readonly string[]): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const time of times) {
    const at = Date.parse(time);
    latest = Math.max(latest, Number.isNaN(at) ? Number.POSITIVE_INFINITY : at);
  }
  return latest;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * The reviews as they were at `reviewedBefore`: a review dismissed after it gets back the state
 * it had (its dismissal says which). When either time cannot be read, each way fails closed: a
 * change request stands again, an approval stays dismissed.
 */
function asAtCutoff(input: ApprovalInput, cutoff: number): ReviewInput[] {
  if (input.reviewedBefore === undefined || !input.dismissals) return [...input.reviews];
  const before = new Map<number, ReviewInput["state"]>();
  for (const d of input.dismissals) {
    const at = Date.parse(d.at);
    const state = d.state.toUpperCase();
    const readable = Number.isFinite(at) && Number.isFinite(cutoff);
    if (state === "CHANGES_REQUESTED" && !(readable && at <= cutoff)) before.set(d.reviewId, state);
    if (state === "APPROVED" && readable && at > cutoff) before.set(d.reviewId, state);
  }
  return input.reviews.map((review) => {
    const state = review.state === "DISMISSED" ? before.get(review.id) : undefined;
    return state ? { ...review, state } : review;
  });
}

/** Decides whether the request is approved. Pure: same input, same decision. */
export function decideApproval(input: ApprovalInput): Decision {
  // 1. Who may approve: the owners and each rule's group, less those who can never approve.
  const groups = resolveGroups(input);
  // 2. Each person's latest opinion given before the merge.
  const { opinions, ignored } = latestOpinions(input);
  // 3. Which opinions count: approvals of the head by eligible owners after the base changed.
  const judged = judgeOpinions(input, groups, opinions, ignored);
  // 4. Who counts for which rule, and what each rule still misses.
  const counted = countForRules(input, groups, judged.valid);
  // 5. What is still missing, in words.
  const reasons = explainWhatIsMissing(input, groups, judged, counted);

  // 6. A rule of the policy may approve what the reviews did not, but never past a block.
  const blocked = judged.blockedBy.length > 0;
  const auto = !blocked && reasons.length > 0 ? input.autoApproval : undefined;

  const status = blocked ? "disapproved" : reasons.length === 0 || auto ? "approved" : "pending";
  // 7. Until when the reviews' approval holds, when approvals age out.
  const until =
    status === "approved" && !auto ? approvedUntil(input, groups, judged.valid) : undefined;
  return {
    status,
    reasons: auto ? [] : reasons,
    ...(auto ? { autoApproved: auto } : {}),
    ...(until ? { countsUntil: until } : {}),
    rules: counted.rules,
    approvals: counted.approvals,
    blockedBy: judged.blockedBy,
    ignored,
    eligible: [...groups.eligible].sort(),
    excluded: groups.excluded,
    unresolvedOwners: input.owners.filter((o) => o.kind === "email").map((o) => o.text),
    basis: {
      headSha: input.headSha,
      author: input.author,
      pushers: [...new Set(input.pushers.map(lower))].sort(),
      baseChangedAt: [...(input.baseChangedAt ?? [])],
    },
  };
}

/** The owners, who among them may approve, and each rule's group, as lower-case logins. */
interface Groups {
  owners: Set<string>;
  /** Why someone can never approve (pushed, authored, requested), by login. */
  exclusions: Map<string, string>;
  eligible: Set<string>;
  excluded: Decision["excluded"];
  ruleSets: Set<string>[];
  counts: number[];
  labels: string[];
}

function resolveGroups(input: ApprovalInput): Groups {
  const exclusions = new Map<string, string>();
  for (const p of input.pushers) exclusions.set(lower(p), "pushed a commit to this pull request");
  exclusions.set(lower(input.author), "is the author of the pull request");
  exclusions.set(lower(input.requester), "is the requester");

  const owners = resolve(input.owners, input.teamMembers);
  const eligible = new Set([...owners].filter((login) => !exclusions.has(login)));
  const excluded = [...owners]
    .filter((login) => exclusions.has(login))
    .sort()
    .map((login) => ({ login, reason: exclusions.get(login)! }));
  const ruleSets = input.approval.rules.map((rule) =>
    rule.from ? resolve(rule.from, input.teamMembers) : owners,
  );
  const counts = input.approval.rules.map((rule) => rule.count);
  const labels = input.approval.rules.map((rule, i) => ruleLabel(rule, i));
  return { owners, exclusions, eligible, excluded, ruleSets, counts, labels };
}

/**
 * Each person's latest opinion (APPROVED, CHANGES_REQUESTED, DISMISSED) given before the
 * merge, by lower-case login; approvals given after it, or at no readable time, are ignored.
 */
function latestOpinions(input: ApprovalInput): {
  opinions: Map<string, ReviewInput>;
  ignored: IgnoredReview[];
} {
  const ignored: IgnoredReview[] = [];
  const cutoff = mergeCutoff(input.reviewedBefore);
  // Fail closed: a review without a readable time cannot be placed in time. An approval is
  // ignored; any other opinion (a change request, a dismissal) stands as the reviewer's latest.
  // They are set apart before sorting, so that the comparison only ever sees readable times.
  const timed: ReviewInput[] = [];
  const untimed: ReviewInput[] = [];
  for (const review of asAtCutoff(input, cutoff)) {
    if (!OPINION_STATES.has(review.state)) continue;
    if (!Number.isNaN(Date.parse(review.submittedAt))) timed.push(review);
    else if (review.state !== "APPROVED") untimed.push(review);
    else
      ignored.push({
        reviewer: review.user,
        reviewId: review.id,
        reason: "has no submission time",
      });
  }
  // Latest opinion per person: the last one in time (ties by review id, as GitHub assigns them).
  timed.sort(oldestFirst);
  const opinions = new Map<string, ReviewInput>();
  for (const review of timed) {
    if (Date.parse(review.submittedAt) > cutoff) {
      if (review.state === "APPROVED") {
        const reason = `reviewed after the merge (${input.reviewedBefore})`;
        ignored.push({ reviewer: review.user, reviewId: review.id, reason });
      }
      continue;
    }
    opinions.set(lower(review.user), review);
  }
  for (const review of untimed) opinions.set(lower(review.user), review);
  return { opinions, ignored };
}

/**
 * The time after which a review came too late: none without a merge; for a merge time that
 * cannot be read, every review (fail closed: none can be placed before such a merge).
 */
function mergeCutoff(reviewedBefore: string | undefined): number {
  if (reviewedBefore === undefined) return Number.POSITIVE_INFINITY;
  const at = Date.parse(reviewedBefore);
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at;
}

/** The opinions sorted into those that count, those that block, and (in `ignored`) the rest. */
interface Judged {
  /** Approvals that count, oldest first. */
  valid: ReviewInput[];
  blockedBy: IgnoredReview[];
  /** How many approvals the last base change made stale, and when it was, in words. */
  staleByBase: number;
  baseChangeText: string;
  /** Approvals that aged out (`maxApprovalAge`), with when, oldest first. */
  expired: { reviewer: string; at: string }[];
}

function judgeOpinions(
  input: ApprovalInput,
  groups: Groups,
  opinions: ReadonlyMap<string, ReviewInput>,
  ignored: IgnoredReview[],
): Judged {
  const baseChange = latestBaseChange(input.baseChangedAt ?? []);
  const baseChangeText = Number.isFinite(baseChange)
    ? new Date(baseChange).toISOString()
    : "at a time GitHub does not show";
  let staleByBase = 0;
  const expired: Judged["expired"] = [];
  const blockedBy: IgnoredReview[] = [];
  const valid: ReviewInput[] = [];
  for (const [login, review] of opinions) {
    const note = (reason: string) =>
      ignored.push({ reviewer: review.user, reviewId: review.id, reason });
    if (review.state === "DISMISSED") continue;
    const exclusion = groups.exclusions.get(login);
    if (!groups.owners.has(login)) {
      note(`is not a code owner of ${input.requestPath}`);
    } else if (exclusion) {
      note(`${exclusion}, so cannot review their own access`);
    } else if (
      review.authorAssociation !== undefined &&
      !WITH_ACCESS.has(review.authorAssociation)
    ) {
      note(`has no access to the repository (GitHub says ${review.authorAssociation})`);
    } else if (review.state === "CHANGES_REQUESTED") {
      blockedBy.push({ reviewer: review.user, reviewId: review.id, reason: "requested changes" });
    } else if (review.commitId !== input.headSha) {
      note(`approved an earlier commit (${review.commitId.slice(0, 7)}); approve the latest one`);
    } else if (!(Date.parse(review.submittedAt) > baseChange)) {
      staleByBase++;
      note(
        `approved before the base branch was changed (${baseChangeText}); approve again against the new base`,
      );
    } else if (hasAgedOut(review, input)) {
      const age = input.maxApprovalAge!;
      const at = expiryText(review, age.seconds);
      expired.push({ reviewer: review.user, at });
      note(
        `approved at ${review.submittedAt}, which expired at ${at} (approvals count for ${age.text}); approve again`,
      );
    } else if (!groups.ruleSets.some((set) => set.has(login))) {
      note("is a code owner but in no approval rule's group");
    } else {
      valid.push(review);
    }
  }
  valid.sort(oldestFirst);
  return { valid, blockedBy, staleByBase, baseChangeText, expired };
}

/**
 * Oldest review first, by the time it was given (not its text: GitHub's times may differ in
 * form), ties by review id. Only reviews with a readable time are sorted (`latestOpinions` sets
 * the others apart), so the order is total.
 */
function oldestFirst(a: ReviewInput, b: ReviewInput): number {
  return Date.parse(a.submittedAt) - Date.parse(b.submittedAt) || a.id - b.id;
}

/**
 * True when `review` is older than `maxApprovalAge` at `decidedAt`. Fail closed: a decision at
 * no readable time cannot place an approval within its age (the review's own time was read).
 */
function hasAgedOut(review: ReviewInput, input: ApprovalInput): boolean {
  const age = input.maxApprovalAge;
  if (!age) return false;
  const now = input.decidedAt === undefined ? Number.NaN : Date.parse(input.decidedAt);
  return !(now < Date.parse(review.submittedAt) + age.seconds * 1000);
}

function expiryText(review: ReviewInput, seconds: number): string {
  return new Date(Date.parse(review.submittedAt) + seconds * 1000).toISOString();
}

/**
 * When the approval by `valid` (oldest first) stops holding as its approvals age out (ISO-8601), or undefined
 * when it never does (no age limit, a merge's decision, or a policy rule that would approve
 * without the reviews). Every approval counts for the same age, so they age out in the order
 * they were given; the rules fail at the first one whose loss leaves no full assignment of the
 * younger approvers to the rules (a surplus approval's loss changes nothing).
 */
function approvedUntil(
  input: ApprovalInput,
  groups: Groups,
  valid: readonly ReviewInput[],
): string | undefined {
  const age = input.maxApprovalAge;
  if (!age || input.reviewedBefore !== undefined || input.autoApproval) return undefined;
  const needed = groups.counts.reduce((a, b) => a + b, 0);
  const approvers = valid.map((r) => lower(r.user));
  for (let k = 0; k < valid.length; k++) {
    const younger = approvers.slice(k + 1);
    if (assignToRules(younger, groups.ruleSets, groups.counts).assignedCount < needed) {
      return expiryText(valid[k]!, age.seconds);
    }
  }
  return undefined;
}

/** The valid approvals assigned to rules (one rule per person), and each rule's outcome. */
interface Counted {
  /** The valid approvers, lower-case, oldest approval first. */
  approvers: string[];
  assigned: ReturnType<typeof assignToRules>;
  reviewOf: Map<string, ReviewInput>;
  rules: RuleOutcome[];
  approvals: ApprovalRecord[];
}

function countForRules(input: ApprovalInput, groups: Groups, valid: ReviewInput[]): Counted {
  const approvers = valid.map((r) => lower(r.user));
  const assigned = assignToRules(approvers, groups.ruleSets, groups.counts);
  const approvedLower = new Set(approvers);
  const reviewOf = new Map(valid.map((r) => [lower(r.user), r]));

  const rules: RuleOutcome[] = input.approval.rules.map((rule, i) => {
    const set = groups.ruleSets[i]!;
    const approvedBy = valid
      .filter((r) => assigned.ruleOf.get(lower(r.user)) === i)
      .map((r) => r.user);
    const canStillApprove = [...groups.eligible]
      .filter((login) => set.has(login) && !approvedLower.has(login))
      .sort();
    const missing = Math.max(0, rule.count - approvedBy.length);
    return {
      label: groups.labels[i]!,
      rule,
      approvedBy,
      canStillApprove,
      missing,
      satisfied: missing === 0,
    };
  });

  const approvals: ApprovalRecord[] = valid.map((review) => {
    const rule = assigned.ruleOf.get(lower(review.user));
    return {
      reviewer: review.user,
      reviewId: review.id,
      submittedAt: review.submittedAt,
      commitId: review.commitId,
      rules: rule === undefined ? [] : [groups.labels[rule]!],
      eligibleVia: eligibleVia(lower(review.user), input),
    };
  });
  return { approvers, assigned, reviewOf, rules, approvals };
}

/** Why the request is not approved yet: blocks, stale approvals, and each rule's shortfall. */
function explainWhatIsMissing(
  input: ApprovalInput,
  groups: Groups,
  judged: Judged,
  counted: Counted,
): string[] {
  const reasons: string[] = [];
  for (const block of judged.blockedBy) {
    reasons.push(
      `@${block.reviewer} requested changes; they must approve or have the review dismissed`,
    );
  }
  const { staleByBase } = judged;
  if (staleByBase > 0 && counted.rules.some((r) => !r.satisfied)) {
    reasons.push(
      `the base branch was changed (${judged.baseChangeText}) after ${countOf(staleByBase, "approval")}, which no longer count${staleByBase === 1 ? "s" : ""}`,
    );
  }
  const { expired } = judged;
  if (expired.length > 0 && counted.rules.some((r) => !r.satisfied)) {
    const which = expired.map((e) => `@${e.reviewer}'s at ${e.at}`).join(", ");
    reasons.push(
      `${countOf(expired.length, "approval")} expired (approvals count for ${input.maxApprovalAge?.text}): ${which}`,
    );
  }
  let toldToFix = false;
  counted.rules.forEach((outcome, i) => {
    if (outcome.satisfied) return;
    const shortfall = ruleShortfall(groups, counted, outcome, i);
    toldToFix ||= shortfall.toldToFix;
    reasons.push(shortfall.reason);
  });
  if (!toldToFix && counted.rules.some((r) => !r.satisfied)) {
    const impossible = rulesCannotAllBeMet(groups, counted.approvers);
    if (impossible) reasons.push(impossible);
  }
  return reasons;
}

/** What unsatisfied rule `i` needs, and whether the policy or CODEOWNERS must be fixed for it. */
function ruleShortfall(
  groups: Groups,
  counted: Counted,
  outcome: RuleOutcome,
  i: number,
): { reason: string; toldToFix: boolean } {
  const { assigned } = counted;
  const { labels } = groups;
  const one = outcome.missing === 1;
  const more = `${outcome.missing} more approval${one ? "" : "s"}`;
  // In a maximum matching, an approver of this group left out of an unsatisfied rule is
  // counted for another rule: the overlap of groups, not a missing approval, is the cause.
  const elsewhere = counted.approvers
    .filter((login) => groups.ruleSets[i]!.has(login) && assigned.ruleOf.get(login) !== i)
    .map(
      (login) =>
        `@${counted.reviewOf.get(login)!.user} counted for ${labels[assigned.ruleOf.get(login)!]}`,
    );
  const overlap =
    elsewhere.length > 0
      ? ` from ${one ? "a different person" : "different people"} than those counted for other rules (${elsewhere.join("; ")})`
      : "";
  const possible = outcome.canStillApprove.length;
  if (possible < outcome.missing) {
    return {
      toldToFix: true,
      reason: `${outcome.label}: needs ${more}${overlap} but only ${possible} eligible ${possible === 1 ? "person" : "people"} can still approve; fix CODEOWNERS or the policy`,
    };
  }
  return { toldToFix: false, reason: `${outcome.label}: needs ${more}${overlap}` };
}

/**
 * Each rule may have enough candidates while all rules together do not (two rules whose only
 * candidate is the same person): say so rather than wait for approvals that cannot come.
 */
function rulesCannotAllBeMet(groups: Groups, approvers: readonly string[]): string | undefined {
  const approved = new Set(approvers);
  const potential = [...groups.eligible].filter((login) => !approved.has(login)).sort();
  const best = assignToRules([...approvers, ...potential], groups.ruleSets, groups.counts);
  if (best.assignedCount >= groups.counts.reduce((a, b) => a + b, 0)) return undefined;
  return "the rules cannot all be met: too few different eligible people can still approve (one person's approval counts for one rule only); fix CODEOWNERS or the policy";
}

/**
 * The references (`@login`, `@org/team`) among the code owners and the rules' groups through
 * which `login` was eligible: team membership changes and is not in git, so the grant record
 * keeps it for an offline re-decision. Sorted, each once.
 */
function eligibleVia(login: string, input: ApprovalInput): string[] {
  const via = new Set<string>();
  const refs: (Owner | string)[] = [
    ...input.owners,
    ...input.approval.rules.flatMap((rule) => rule.from ?? []),
  ];
  for (const ref of refs) {
    const text = typeof ref === "string" ? ref : ref.kind === "email" ? undefined : ref.text;
    if (text === undefined) continue;
    if (resolve([ref], input.teamMembers).has(login)) via.add(text.toLowerCase());
  }
  return [...via].sort();
}

/**
 * Assigns people to rules, each person to at most one rule and rule `i` to at most
 * `counts[i]` people of `ruleSets[i]`, maximising how many are assigned: a maximum bipartite
 * matching between people and rule slots (Kuhn's augmenting paths, with a rule's slots as
 * one node of capacity `counts[i]`). People are added in the given order and an assigned
 * person stays assigned when later ones are added (only their rule may change), so the
 * earliest people are preferred; rules are tried in policy order. Deterministic.
 */
function assignToRules(
  people: readonly string[],
  ruleSets: readonly ReadonlySet<string>[],
  counts: readonly number[],
): { ruleOf: Map<string, number>; assignedCount: number } {
  const byRule: string[][] = counts.map(() => []);
  const ruleOf = new Map<string, number>();
  // Finds a rule for `login`: a free slot in the first rule that has one, else by moving
  // someone assigned to a full rule to another rule of theirs (recursively); each rule is
  // visited once per search, so a search is linear in the edges.
  const place = (login: string, seen: Set<number>): boolean => {
    const mine = ruleSets.flatMap((set, r) => (set.has(login) && !seen.has(r) ? [r] : []));
    const free = mine.find((r) => byRule[r]!.length < counts[r]!);
    if (free !== undefined) {
      byRule[free]!.push(login);
      ruleOf.set(login, free);
      return true;
    }
    for (const r of mine) seen.add(r);
    for (const r of mine) {
      const slots = byRule[r]!;
      for (let k = 0; k < slots.length; k++) {
        if (place(slots[k]!, seen)) {
          slots[k] = login;
          ruleOf.set(login, r);
          return true;
        }
      }
    }
    return false;
  };
  let assignedCount = 0;
  for (const login of people) {
    if (!ruleOf.has(login) && place(login, new Set())) assignedCount++;
  }
  return { ruleOf, assignedCount };
}

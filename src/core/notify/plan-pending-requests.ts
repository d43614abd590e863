/**
 * When an open request that nobody reviewed gets its approvers reminded, and when it is closed
 * as stale: a pure function of what the sweep read and the clock. Each step happens once per
 * pull request: the comment it writes is its record (`reminded`, `closed`), so a re-run, a
 * late run or a second shard finds it and does nothing.
 */

/** The reminder and closing times of `settings.notifications`, in seconds (undefined: never). */
export interface PendingTiming {
  remindAfterSeconds: number | undefined;
  closeAfterSeconds: number | undefined;
}

/** An open pull request as the planner sees it. */
export interface PendingPull {
  number: number;
  /** When it was opened (ISO-8601); undefined when GitHub did not say: never acted on. */
  createdAt: string | undefined;
  draft: boolean;
  /** Whether anyone other than its author has reviewed it (any review state). */
  reviewed: boolean;
  /** Whether hallpass's reminder comment is on it already. */
  reminded: boolean;
  /** Whether hallpass's closing comment is on it already (someone reopened it since). */
  closed: boolean;
}

export interface PendingStep {
  pull: number;
  step: "remind" | "close";
  /** How long it has waited, in seconds. */
  waitedSeconds: number;
}

/**
 * How long a pull request opened at `createdAt` has waited at `now`, in whole seconds; undefined
 * when GitHub did not say when it was opened, or said something that is no time.
 */
export function waitedSeconds(createdAt: string | undefined, now: Date): number | undefined {
  const opened = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
  return Number.isFinite(opened) ? Math.floor((now.getTime() - opened) / 1000) : undefined;
}

/**
 * Whether an open pull request may be due for a step, from the listing alone (age, draft), so
 * that the sweep reads reviews and comments only for those. Drafts are not awaiting review.
 */
export function mayBeDue(
  pull: { createdAt?: string | undefined; draft: boolean },
  now: Date,
  timing: PendingTiming,
): boolean {
  const seconds = waitedSeconds(pull.createdAt, now);
  if (pull.draft || seconds === undefined) return false;
  const first = Math.min(
    timing.remindAfterSeconds ?? Number.POSITIVE_INFINITY,
    timing.closeAfterSeconds ?? Number.POSITIVE_INFINITY,
  );
  return seconds >= first;
}

/**
 * The step due on one pull request, if any. Closing wins over reminding once its time has
 * come; a pull request someone reopened after hallpass closed it is never closed again, and a
 * reviewed one is never touched (it is not stale, whatever the review said).
 */
export function pendingStepFor(
  pull: PendingPull,
  now: Date,
  timing: PendingTiming,
): PendingStep | undefined {
  const seconds = waitedSeconds(pull.createdAt, now);
  if (pull.draft || pull.reviewed || seconds === undefined) return undefined;
  const { remindAfterSeconds: remind, closeAfterSeconds: close } = timing;
  if (close !== undefined && seconds >= close && !pull.closed) {
    return { pull: pull.number, step: "close", waitedSeconds: seconds };
  }
  if (remind !== undefined && seconds >= remind && !pull.reminded && !pull.closed) {
    return { pull: pull.number, step: "remind", waitedSeconds: seconds };
  }
  return undefined;
}

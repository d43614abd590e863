import { normalizeRoleArn } from "../../../core/audit/cloudtrail-event.ts";
import type { GrantRecord } from "../../../core/grant/records.ts";
import type { AlertRule } from "../../../core/policy/policy-format.ts";
import type { FiredAlert } from "../../../core/sweep/evaluate-alerts.ts";
import type { TellSlack } from "../tell.ts";
import type { StepOutcome, SweepAlert, SweepRun, WatchLookups } from "../types.ts";
import type { WatchState } from "./watch-state.ts";

/** What the watch step did, for the report and the dashboard. */
export interface WatchOutcome extends StepOutcome {
  alerts: SweepAlert[];
  /** Watched grants whose watch waits for a later run (the watch budget ran out). */
  watchDeferred: string[];
  /** Ended grants watched for late-delivered events until their audit is written. */
  watchedEnded: string[];
  lookups: WatchLookups;
  /** Every alert raised so far on each watched grant (from its record, plus this run's). */
  alertsOf: Map<string, { grant: GrantRecord; alerts: FiredAlert[] }>;
}

/**
 * The time the watch may spend on CloudTrail, measured on the injected clock from the moment
 * it is made. Every method reads the clock once.
 */
export class WatchBudget {
  readonly ms: number;
  readonly started: number;
  readonly #clock: () => number;

  constructor(clock: () => number, ms: number) {
    this.#clock = clock;
    this.ms = ms;
    this.started = clock();
  }

  now(): number {
    return this.#clock();
  }

  elapsed(): number {
    return this.#clock() - this.started;
  }

  over(): boolean {
    return this.elapsed() > this.ms;
  }
}

/** What every part of one run's watch shares. */
export interface WatchContext {
  run: SweepRun;
  rules: readonly AlertRule[];
  slack: TellSlack;
  budget: WatchBudget;
  /** Events one lookup (a person's sessions in one region) may read in a run. */
  maxLookupEvents: number;
  /** The watched grants by normalized role ARN, the key CloudTrail events name their issuer by. */
  states: Map<string, WatchState>;
  /** Grants whose lookups were cut or not started: they wait for a later run. */
  deferred: Set<WatchState>;
  out: WatchOutcome;
}

/** The watch state of a grant read into `ctx.states`. */
export function stateOf(ctx: WatchContext, grant: GrantRecord): WatchState {
  return ctx.states.get(normalizeRoleArn(grant.roleArn))!;
}

import type { CloudTrailEvent } from "../../../core/audit/cloudtrail-event.ts";
import type { GrantRecord } from "../../../core/grant/records.ts";
import type { AlertsRecord, FiredAlert } from "../../../core/sweep/evaluate-alerts.ts";
import type { LiveGrant } from "../../../core/sweep/plan-sweep.ts";
import { addSpan, type Span } from "../../../core/sweep/watch-coverage.ts";

/**
 * What the watch knows of one grant during a run: the events read of it, its alerts, and by
 * region the span of time whose events have been read and judged (from its alerts record, then
 * this run's reads). Judgements of one grant run one at a time, in the order asked.
 */
export class WatchState {
  readonly events = new Map<string, CloudTrailEvent>();
  readonly coverage = new Map<string, Span[]>();
  alerts: FiredAlert[];
  /** Alerts raised or a revocation recorded this run. */
  changed = false;
  /** A lookup was cut by the budget: the coverage must be recorded for the next run. */
  cut = false;
  /** A lookup failed: the coverage is not advanced. */
  unread = false;
  /** Telling an alert failed: nothing is recorded, so the next run reads and raises it again. */
  failed = false;
  revokeTried = false;
  #queue: Promise<void> = Promise.resolve();

  readonly grant: GrantRecord;
  readonly live: LiveGrant | undefined;
  readonly path: string;
  readonly record: AlertsRecord;
  readonly #judgeWith: (state: WatchState) => Promise<void>;

  constructor(
    grant: GrantRecord,
    live: LiveGrant | undefined,
    path: string,
    record: AlertsRecord,
    judgeWith: (state: WatchState) => Promise<void>,
  ) {
    this.grant = grant;
    this.live = live;
    this.path = path;
    this.record = record;
    this.#judgeWith = judgeWith;
    this.alerts = record.alerts;
    for (const [region, spans] of Object.entries(record.watched ?? {})) {
      const parsed = spans.map((s) => ({ from: Date.parse(s.from), to: Date.parse(s.to) }));
      this.coverage.set(region, addSpan(parsed, undefined));
    }
  }

  judge(): Promise<void> {
    const run = () => this.#judgeWith(this);
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  read(region: string, piece: Span | undefined): void {
    this.coverage.set(region, addSpan(this.coverage.get(region) ?? [], piece));
  }

  /** The record to commit, when there is something to record. */
  toRecord(): AlertsRecord | undefined {
    if (this.failed || !(this.changed || this.cut)) return undefined;
    const iso = (ms: number) => new Date(ms).toISOString();
    const watched = this.unread
      ? this.record.watched
      : Object.fromEntries(
          [...this.coverage]
            .filter(([, spans]) => spans.length > 0)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([region, spans]) => [
              region,
              spans.map((span) => ({ from: iso(span.from), to: iso(span.to) })),
            ]),
        );
    return {
      version: 1,
      requestPath: this.record.requestPath,
      roleArn: this.record.roleArn,
      alerts: this.alerts,
      ...(watched && Object.keys(watched).length > 0 ? { watched } : {}),
    };
  }
}

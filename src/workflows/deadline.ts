/**
 * An overall deadline for a workflow whose host kills it at a fixed limit (the Lambda's
 * Timeout): past the deadline the workflow stops waiting and no new call starts, so that the
 * time left is spent saying what happened instead of being cut off mid-way without a word.
 */

/** Thrown (as the rejection) when the work passed its deadline. */
export class DeadlineError extends Error {
  override name = "DeadlineError";
}

/**
 * A signal that aborts `ms` from now with a DeadlineError carrying `message` (what the PR is
 * told). For the shells, which own the clock; the timer never keeps the process alive.
 */
export function deadlineAfter(ms: number, message: string): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DeadlineError(message)), ms).unref();
  return controller.signal;
}

/**
 * Resolves like `work`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. The work left behind is not cancelled: its later outcome is ignored.
 */
export function raceDeadline<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * `port` (whose methods all return promises) with methods that refuse to start once `signal`
 * has aborted and stop waiting when it aborts: the work abandoned at a deadline then ends at
 * its next call instead of carrying on in the background.
 */
export function boundedByDeadline<T extends object>(port: T, signal: AbortSignal | undefined): T {
  if (!signal) return port;
  return new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (signal.aborted) return Promise.reject(signal.reason);
        return raceDeadline(Promise.resolve(value.apply(target, args)), signal);
      };
    },
  });
}

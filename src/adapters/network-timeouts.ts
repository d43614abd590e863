/**
 * Connect and request timeouts for every call hallpass makes to AWS, GitHub and Slack. A
 * dependency that accepts the connection and never answers would otherwise hold the merge
 * handler (a grant record committed, no role, nothing said on the PR) or the sweep for as long
 * as the host lets it run. A timeout is an ordinary error: the caller's failure path handles it.
 */

/** How long one call may take. */
export interface NetworkTimeouts {
  /** Milliseconds to open the connection (TCP and TLS). */
  connectMs: number;
  /**
   * Milliseconds for the whole request, connection included, until the answer is read. Each
   * retry of a call gets its own.
   */
  requestMs: number;
}

/**
 * Defaults: far above what a healthy GitHub, IAM, STS, CloudTrail or Slack takes (well under a
 * second a call), and short enough that one stalled call fits several times into the app's
 * merge deadline (docs/app.md, "Time limits").
 */
export const DEFAULT_NETWORK_TIMEOUTS: NetworkTimeouts = { connectMs: 5_000, requestMs: 15_000 };

/**
 * The AWS SDK's request handler settings (`requestHandler` of any v3 client, which builds its
 * Node HTTP handler from them). `throwOnRequestTimeout`: without it the SDK only logs a warning
 * when `requestTimeout` passes and keeps waiting.
 */
export function awsRequestHandler(timeouts: NetworkTimeouts = DEFAULT_NETWORK_TIMEOUTS): {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: true;
} {
  return {
    connectionTimeout: timeouts.connectMs,
    requestTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * `fetch` that gives up after `timeouts.requestMs` (the connection included; Node's fetch also
 * gives up connecting after 10 s on its own) with an error naming the host, never the full URL:
 * a Slack webhook's path is a secret. The caller's own abort signal still works.
 */
export function fetchWithTimeouts(
  timeouts: NetworkTimeouts = DEFAULT_NETWORK_TIMEOUTS,
  base?: typeof fetch,
): typeof fetch {
  return async (input, init) => {
    // The global is looked up per call, so a fetch installed later (a test's interceptor) counts.
    const send = base ?? globalThis.fetch;
    const timeout = AbortSignal.timeout(timeouts.requestMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await send(input, { ...init, signal });
    } catch (error) {
      if (!timeout.aborted || init?.signal?.aborted) throw error;
      throw new NetworkTimeoutError(
        `no answer from ${hostOf(input)} within ${timeouts.requestMs} ms`,
        error,
      );
    }
  };
}

/** A call that did not finish within its timeout. */
export class NetworkTimeoutError extends Error {
  override name = "TimeoutError";
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

function hostOf(input: Parameters<typeof fetch>[0]): string {
  try {
    const url =
      typeof input === "string"
        ? new URL(input)
        : input instanceof URL
          ? input
          : new URL(input.url);
    return url.host;
  } catch {
    return "the server";
  }
}

/**
 * Octokit constructor defaults (for `Octokit.defaults(...)`, Probot's `Octokit` option) that
 * send every request, the app's installation-token exchange included, through
 * `fetchWithTimeouts`. The function form keeps whatever `request` options the caller passes.
 */
export function octokitWithTimeouts(
  timeouts: NetworkTimeouts = DEFAULT_NETWORK_TIMEOUTS,
): <O extends { request?: { fetch?: typeof fetch } }>(options: O) => O {
  return (options) => ({
    ...options,
    request: {
      ...options.request,
      fetch: fetchWithTimeouts(timeouts, options.request?.fetch),
    },
  });
}

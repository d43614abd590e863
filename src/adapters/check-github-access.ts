import { errorMessage } from "../core/text/error-message.ts";
import {
  fetchWithTimeouts,
  NetworkTimeoutError,
  type NetworkTimeouts,
} from "./network-timeouts.ts";

/** GitHub could not be reached, or refused the token or the repository: the message says which. */
export class GitHubAccessError extends Error {
  override name = "GitHubAccessError";
}

/** What the check needs: the same settings the sweep's Octokit is built from. */
export interface GitHubAccess {
  /** REST API root; `https://api.github.com` when undefined. */
  apiUrl: string | undefined;
  /** `owner/repo`. */
  repository: string;
  token: string;
  /** Short by default: this runs before anything else, so a dead host fails in seconds. */
  timeouts?: NetworkTimeouts;
  fetch?: typeof fetch;
}

const PREFLIGHT_TIMEOUTS: NetworkTimeouts = { connectMs: 5_000, requestMs: 10_000 };

/**
 * One `GET /repos/{owner}/{repo}`, without retries, before a sweep starts. Without it a host
 * that refuses connections costs the retry plugin's back-off on every call (about 15 s) before
 * one message without the repository's name; with it the user learns at once whether the API
 * URL, the token or the repository is wrong. Throws a GitHubAccessError naming the API and
 * the repository.
 */
export async function checkGitHubAccess(access: GitHubAccess): Promise<void> {
  const api = (access.apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const send = fetchWithTimeouts(access.timeouts ?? PREFLIGHT_TIMEOUTS, access.fetch);
  let response: Response;
  try {
    response = await send(`${api}/repos/${access.repository}`, {
      headers: {
        authorization: `Bearer ${access.token}`,
        accept: "application/vnd.github+json",
        "user-agent": "hallpass-sweep",
      },
    });
  } catch (error) {
    throw new GitHubAccessError(
      `cannot reach the GitHub API at ${api} (${networkReason(error)}) to read repository ${access.repository}: check GITHUB_API_URL and the network.`,
    );
  }
  await response.body?.cancel();
  if (response.ok) return;
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (response.status === 401) {
    throw new GitHubAccessError(
      `GitHub at ${api} refused the token (${status}) for repository ${access.repository}: check GITHUB_TOKEN (for example GITHUB_TOKEN=$(gh auth token)).`,
    );
  }
  if (response.status === 403 || response.status === 404) {
    throw new GitHubAccessError(
      `GitHub at ${api} does not show repository ${access.repository} to this token (${status}): check --repository (or GITHUB_REPOSITORY) and that the token may read it.`,
    );
  }
  throw new GitHubAccessError(
    `GitHub at ${api} answered ${status} to GET /repos/${access.repository}; try again later.`,
  );
}

/**
 * A GitHub error met during the sweep, with the request and the repository it concerns:
 * Octokit's own message ("Not Found") names neither.
 */
export function describeGitHubError(error: unknown, repository: string): string | undefined {
  const { status, request } = (error ?? {}) as {
    status?: unknown;
    request?: { method?: unknown; url?: unknown };
  };
  if (typeof status !== "number" || typeof request?.url !== "string") return undefined;
  let path = request.url;
  try {
    path = decodeURIComponent(new URL(request.url).pathname);
  } catch {
    // Keep the URL as given.
  }
  const method = typeof request.method === "string" ? request.method : "GET";
  const reason = errorMessage(error).split("\n")[0];
  return `GitHub answered ${status} to ${method} ${path} (repository ${repository}): ${reason}`;
}

/** `ECONNREFUSED`, `ENOTFOUND`, a timeout: the innermost cause's code or message. */
function networkReason(error: unknown): string {
  if (error instanceof NetworkTimeoutError) return error.message;
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as { cause?: unknown } | null)?.cause;
    if (next === undefined || next === null) break;
    current = next;
  }
  const code = (current as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : errorMessage(current);
}

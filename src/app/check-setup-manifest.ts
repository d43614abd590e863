import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { getPrivateKey } from "@probot/get-private-key";
import { checkAppManifest, unsafeTextMessage } from "../core/setup/check-app-manifest.ts";
import type { Problem } from "../core/source/problem.ts";

/**
 * The problems that would break the manifest Probot's setup page posts to GitHub, when
 * `npm start` in `cwd` would serve that page; none when the app has credentials (the page is
 * not served, and app.yml is not read). Reads `cwd/.env` as Probot does (its values win over
 * the environment's), `cwd/app.yml`, and `WEBHOOK_PROXY_URL`, the other text that lands in the
 * manifest (as its webhook URL).
 */
export function setupManifestProblems(cwd: string, processEnv: NodeJS.ProcessEnv): Problem[] {
  const dotEnv = readOptional(join(cwd, ".env"), parseEnv) ?? {};
  const env = { ...processEnv, ...dotEnv };
  if (hasCredentials(env, cwd)) return [];
  const problems: Problem[] = [];
  const manifest = readOptional(join(cwd, "app.yml"), (content) => content);
  // Without app.yml Probot registers a bare app from package.json: nothing of ours to check.
  if (manifest !== undefined)
    problems.push(...checkAppManifest({ path: "app.yml", content: manifest }));
  const proxyMessage = unsafeTextMessage(env.WEBHOOK_PROXY_URL ?? "");
  if (proxyMessage !== undefined) {
    problems.push({
      file: "WEBHOOK_PROXY_URL" in dotEnv ? ".env" : "environment",
      line: 1,
      column: 1,
      field: "WEBHOOK_PROXY_URL",
      severity: "error",
      message: proxyMessage,
    });
  }
  return problems;
}

/** Probot's own test for leaving setup mode: a numeric APP_ID and a private key it can find. */
function hasCredentials(env: NodeJS.ProcessEnv, cwd: string): boolean {
  if (!Number(env.APP_ID)) return false;
  try {
    return getPrivateKey({ env, cwd }) !== null;
  } catch {
    // An unreadable key: Probot logs it and falls back to setup mode.
    return false;
  }
}

/** A file's text through `parse`, or undefined when the file does not exist. */
function readOptional<T>(path: string, parse: (content: string) => T): T | undefined {
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return parse(content);
}

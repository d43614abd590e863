import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { run } from "./cli-harness.ts";

/** When the demo ran: its grant is live then and has ended by LATER. */
export const DEMO_NOW = new Date("2026-11-26T12:00:00Z");
/** Two days on: the demo's grant has expired and its audit is due. */
export const DEMO_LATER = new Date("2026-11-28T12:00:00Z");
/** The request the demo approves, merges and grants. */
export const DEMO_REQUEST = "access-requests/bob-acme/db-admin-failover.yaml";

/**
 * The git repository `hallpass demo` leaves, made once for a test file: `parent` is a scratch
 * folder the tests may write beside it, `root` the repository. The demo's stand-ins listen on
 * loopback, so only 127.0.0.1 is let through nock's guard.
 */
export interface DemoRepository {
  parent: string;
  root: string;
  remove(): void;
}

/** Runs `hallpass demo --dir` into a fresh temporary folder named after `label`. */
export async function makeDemoRepository(label: string): Promise<DemoRepository> {
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1:\d+$/);
  const parent = mkdtempSync(join(tmpdir(), `hallpass-${label}-`));
  const root = join(parent, "access");
  const made = await run(["demo", "--dir", root], { cwd: parent, now: DEMO_NOW });
  if (made.code !== 0) throw new Error(made.stderr);
  return {
    parent,
    root,
    remove() {
      nock.enableNetConnect();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

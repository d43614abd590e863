import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, run, validRequest } from "../cli/cli-harness.ts";
import { cliTranscript, describeHostileCorpus } from "../support/hostile-corpus.ts";

/**
 * Hostile policy files through `hallpass validate`, added next to the example policies (the
 * app loads the base branch's policies the same way, and grants nothing when they have an
 * error). Every case is refused: policies with an error decide nothing.
 */

/** Policies that are valid, odd as they look: a role may be named "constructor". */
const ACCEPTED = new Set([
  "role-named-constructor.yaml",
  "size-at-cap.yaml",
  "settings-alert-glob-many-stars.yaml",
]);

describeHostileCorpus("policies", async (input, name) => {
  const repo = makeRepo({ "access-requests/alice/db.yaml": validRequest });
  try {
    const target = name.startsWith("settings-") ? "settings.yaml" : name;
    writeFileSync(join(repo.root, "policies", target), input);
    if (name.startsWith("ticket-pattern-")) {
      // 60 characters that almost match: a backtracking engine would try 2^60 ways.
      const ticket = `${"a".repeat(60)}!`;
      const request = validRequest
        .replace("role: db-admin", "role: hostile")
        .replace("ticket: CHG-4821", `ticket: "${ticket}"`);
      writeFileSync(join(repo.root, "access-requests/alice/hostile.yaml"), request);
    }
    const result = await run(["validate"], { cwd: repo.root });
    return { message: cliTranscript(result), granted: result.code === 0 && !ACCEPTED.has(name) };
  } finally {
    repo.cleanup();
  }
});

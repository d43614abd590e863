import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, run } from "../cli/cli-harness.ts";
import { cliTranscript, describeHostileCorpus } from "../support/hostile-corpus.ts";

/**
 * Hostile request files through `hallpass validate`, as an engineer runs it before pushing (the
 * app runs the same validation on the pull request and again at the merge, so a file refused
 * here is never granted). Every case is refused, except the few listed below whose content is
 * harmless once validated and escaped where it is shown.
 */
const ACCEPTED = new Set([
  // Byte-order marks are dropped before parsing; GitHub logins are case-insensitive.
  "bom-utf8.yaml",
  "bom-utf8-twice.yaml",
  "requester-upper-case.yaml",
  "line-separator-in-reason.yaml",
  "zero-width-inside-reason.yaml",
  "crlf-line-endings.yaml",
  "json-form.yaml",
  "flow-mapping-one-line.yaml",
  "reason-markdown-injection.yaml",
  "reason-html-comment.yaml",
  "size-at-cap.yaml",
  "one-long-line.yaml",
  "many-short-lines.yaml",
  "ticket-at-cap.yaml",
  "nesting-within-limit.yaml",
]);

describeHostileCorpus("requests", async (input, name) => {
  const repo = makeRepo();
  try {
    const path = `access-requests/${name}`;
    writeFileSync(join(repo.root, path), input);
    const result = await run(["validate", path], { cwd: repo.root });
    // Anything but a clean refusal for a case not listed above counts as a grant.
    const granted = result.code === 0 && !ACCEPTED.has(name);
    return { message: cliTranscript(result), granted };
  } finally {
    repo.cleanup();
  }
});

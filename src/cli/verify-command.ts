import { readGitTrail } from "../adapters/read-git-trail.ts";
import type { AccessHistory } from "../core/history/build-access-history.ts";
import {
  grantMergeCommits,
  type TrailFinding,
  type TrailVerification,
  verifyTrail,
} from "../core/history/verify-trail.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import { DEFAULT_RECORD_WRITER } from "../core/policy/policy-format.ts";
import { parseDuration } from "../core/request/duration.ts";
import { countOf } from "../core/text/count-of.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { historyFilterOf, readHistoryForCli } from "./history-options.ts";
import { parseOptions } from "./parse-options.ts";
import { writeJson } from "./write-json.ts";

const help = `Usage: hallpass verify [paths...] [--since DATE] [--until DATE] [--rev REV]
                       [--format text|json] [--require-signatures]

Proves from a clone alone (offline) that every grant was allowed by the rules in
force when it was merged, and that nobody but hallpass wrote the trail. Every
finding of \`hallpass history\` counts, and on top of them:

  not-approved       the grant re-decided: CODEOWNERS and policies/ as they were at
                     the base of its merge, the approvals its record holds (with how
                     each approver was eligible), the decision the app runs; a rule
                     not met is named
  not-re-decidable   a record written before grants kept eligibility data
  window-exceeds-role  the window is longer than the role allowed then
  break-glass-not-allowed  an emergency grant of a role that did not allow it then
  merge-not-on-branch  the record names a merge commit that is not on the branch
  rules-unreadable   policies/ at the base of the merge do not load
  record-author      a record added, changed or deleted by a commit of anyone but
                     the app or the action (policies settings.recordWriters)
  record-signature   with --require-signatures: a record commit that is unsigned or
                     not signed by a key in the keyring (GNUPGHOME)
  record-shrunk      an alerts record that lost or altered an alert
  record-rewritten   an audit summary changed after it was written
  revocation-moved   a revocation moved earlier than the sweep recorded it

Break-glass grants and roles made outside hallpass are listed as notices: the
trail records them, they do not fail it.

Options:
  paths...               request files or folders to verify (default: all)
  --since DATE           requests that landed at or after DATE (2026-07-01, or a time
                         with its offset)
  --until DATE           requests that landed before DATE
  --rev REV              verify the repository at this commit, tag or branch (HEAD)
  --format FORMAT        text (default): one line per finding; json: docs/history.md
  --require-signatures   every record commit must carry a good signature of a key in
                         the keyring of GNUPGHOME (import GitHub's key from
                         https://github.com/web-flow.gpg into it)
  -h, --help             show this help.

Exit codes: 0 the trail holds, 1 findings (or git could not be read), 2 usage error.

Examples:
  hallpass verify
  hallpass verify --since 2026-07-01 --until 2026-10-01
  GNUPGHOME=~/.hallpass-gnupg hallpass verify --require-signatures
`;

/** `hallpass verify`: re-decides every grant and checks who wrote the trail, from git. */
export const verifyCommand: Command = {
  name: "verify",
  summary: "re-decide every grant offline and check that only hallpass wrote the trail",
  help,
  run: runVerify,
};

const DEFAULT_AUDIT_DELAY_SECONDS = 1800;

/** What `verify` and `report` both need: the history and its verification, from git. */
export interface VerifiedHistory {
  history: AccessHistory;
  verification: TrailVerification;
}

/**
 * Reads the repository around `io.cwd` at `rev` and verifies the trail of the entries the
 * options keep. Usage errors (not a repository, bad dates, paths) are thrown as `UsageError`.
 */
export async function verifyRepository(
  io: CliIo,
  options: {
    rev: string;
    positionals: readonly string[];
    values: { since?: string; until?: string; requester?: string; account?: string; role?: string };
    requireSignatures: boolean;
    command: string;
  },
): Promise<VerifiedHistory> {
  const git = await readHistoryForCli(io, options.rev);
  const filter = historyFilterOf(io, git.root, options.positionals, options.values);
  const { policies } = loadPolicies(git.policyFiles);
  if (!policies) {
    io.stderr(
      `hallpass ${options.command}: policies/ at ${git.revision.slice(0, 12)} do not load (run \`hallpass validate\`); assuming an audit delay of 30m and ${DEFAULT_RECORD_WRITER} as the writer of records.\n`,
    );
  }
  const delay = parseDuration(policies?.settings.auditDelay ?? "30m");
  const trail = await readGitTrail(git, {
    mergeCommits: grantMergeCommits(git.requestFiles),
    ...(options.requireSignatures ? { signatures: { gnupgHome: io.env.GNUPGHOME } } : {}),
  });
  return verifyTrail({
    history: {
      revision: git.revision,
      files: git.requestFiles,
      deletedRequests: git.deletedRequests,
      changes: git.changes,
      shallow: git.shallow,
      now: io.now(),
      auditDelaySeconds: delay.ok ? delay.seconds : DEFAULT_AUDIT_DELAY_SECONDS,
      filter,
    },
    versions: trail.versions,
    rules: trail.rules,
    line: git.line,
    outsideChanges: git.outsideChanges,
    writers: policies?.settings.recordWriters ?? {
      app: DEFAULT_RECORD_WRITER,
      action: DEFAULT_RECORD_WRITER,
    },
    ...(trail.signatures ? { signatures: trail.signatures } : {}),
  });
}

async function runVerify(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: {
      since: { type: "string" },
      until: { type: "string" },
      format: { type: "string", default: "text" },
      rev: { type: "string", default: "HEAD" },
      "require-signatures": { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.format !== "text" && values.format !== "json") {
    throw new UsageError(`--format must be text or json, not "${values.format}".`);
  }
  const { verification } = await verifyRepository(io, {
    rev: values.rev,
    positionals,
    values,
    requireSignatures: values["require-signatures"],
    command: "verify",
  });
  if (values.format === "json") {
    writeJson(verification, io.stdout);
  } else {
    io.stdout(renderVerification(verification));
  }
  return verification.findings.length > 0 ? 1 : 0;
}

/** One line per finding (`path[:line]: kind: message`), notices after, then the summary. */
function renderVerification(v: TrailVerification): string {
  const line = (f: TrailFinding) =>
    `${f.file || "(history)"}${f.line > 1 ? `:${f.line}` : ""}: ${f.kind}: ${f.message}\n`;
  const { grants, reDecided, recordCommits } = v.checked;
  const summary = [
    `${v.findings.length === 0 ? "the trail holds" : countOf(v.findings.length, "finding")} at ${v.revision.slice(0, 12)}:`,
    `${reDecided} of ${countOf(grants, "grant")} re-decided,`,
    `${countOf(recordCommits, "record commit")} checked`,
    v.signaturesChecked
      ? "with their signatures"
      : "(signatures not checked: --require-signatures)",
  ].join(" ");
  return [
    ...v.findings.map(line),
    ...v.notices.map((f) => `notice: ${line(f)}`),
    `${summary}\n`,
  ].join("");
}

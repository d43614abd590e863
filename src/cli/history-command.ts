import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { toRepoPath } from "../adapters/read-repo-files.ts";
import {
  type AccessHistory,
  buildAccessHistory,
  type HistoryFilter,
  type HistoryInput,
} from "../core/history/build-access-history.ts";
import {
  accountAliases,
  hasNameFilter,
  unknownFilterName,
} from "../core/history/check-history-filter.ts";
import { writeAccessHistory } from "../core/history/render-access-history.ts";
import { loadPolicies } from "../core/policy/load-policies.ts";
import { parseDuration } from "../core/request/duration.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseDateOption, readHistoryForCli } from "./history-options.ts";
import { parseOptions } from "./parse-options.ts";
import { writeJson } from "./write-json.ts";

const help = `Usage: hallpass history [paths...] [--since DATE] [--until DATE] [--requester LOGIN]
                        [--account NAME] [--role NAME] [--format text|markdown|json] [--rev REV]

The whole story of every access request, read from git alone (offline): who asked
for what and when the request landed, who approved it, the grant (window, role),
the alerts, the revocation (when, why, by whom) and what the sessions did (the
audit summary's reads, writes, failed and risky calls).

It also lists the findings a compliance officer must see:
  not-granted      merged, but no grant and no revocation record (the app refused
                   it, saying why in <stem>.ungranted.json, or never saw the merge)
  not-revoked      the window ended over an hour ago (the sweep's grace) and no
                   revocation is recorded
  no-approvals     a grant that records no approval
  self-approved    the requester is among the grant's approvers
  audit-missing    access ended more than the audit delay ago, no audit summary
  request-modified a request file changed after it was merged (request-deleted:
                   removed); record-changed: a grant or revocation record rewritten
  unreadable       a request or record that does not parse (file:line, field)
  inconsistent     records that disagree with their request or with each other
  orphan-record    a record with no request file beside it
  unrecorded-role  a role made outside hallpass, removed by the sweep
  emergency        a break-glass grant: confirm its post-incident review
  shallow-history  the clone is shallow, so the history is incomplete

History is the first-parent line of the branch up to REV (changes made inside a
pull request before its merge are not findings). The audit delay is the one in
policies/ at REV.

Options:
  paths...             request files or folders to show (default: all of access-requests/)
  --since DATE         requests that landed at or after DATE (2026-07-01 is midnight UTC;
                       or a time with its offset, 2026-07-01T09:00:00+02:00)
  --until DATE         requests that landed before DATE
  --requester LOGIN    requests of this GitHub login (case-insensitive)
  --account NAME       requests for this account (name from policies/, or its 12-digit id:
                       every request for it, granted or not)
  --role NAME          requests for this role
  --format FORMAT      text (default) for a person, markdown (or md) for an audit
                       report, json for machines (see docs/history.md for its shape)
  --rev REV            read the repository at this commit, tag or branch (default HEAD)
  -h, --help           show this help.

A --requester, --account or --role that names nothing in policies/ or in the
history is a usage error, with a suggestion.

Exit codes: 0 no findings, 1 findings (or git could not be read), 2 usage error.

Examples:
  hallpass history
  hallpass history --since 2026-07-01 --until 2026-10-01 --format markdown > q3-access.md
  hallpass history access-requests/alice/ --requester alice
  hallpass history --account production --format json | jq '.findings'
  hallpass history --rev audit-2026-q3
`;

/** `hallpass history`: the access history and its findings, from git. */
export const historyCommand: Command = {
  name: "history",
  summary: "the whole story of every request from git: approvals, grant, revocation, activity",
  help,
  run: runHistory,
};

const DEFAULT_AUDIT_DELAY = "30m";
async function runHistory(args: string[], io: CliIo): Promise<ExitCode> {
  const { values, positionals } = parseOptions({
    args,
    options: {
      since: { type: "string" },
      until: { type: "string" },
      requester: { type: "string" },
      account: { type: "string" },
      role: { type: "string" },
      format: { type: "string", default: "text" },
      rev: { type: "string", default: "HEAD" },
    },
    allowPositionals: true,
    strict: true,
  });
  // md as well: `hallpass report` names Markdown so, and people type one after the other.
  const format = values.format === "md" ? "markdown" : values.format;
  if (format !== "text" && format !== "markdown" && format !== "json") {
    throw new UsageError(`--format must be text, markdown or json, not "${format}".`);
  }
  const since = parseDateOption("--since", values.since);
  const until = parseDateOption("--until", values.until);
  if (since && until && since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${values.since}) must be before --until (${values.until}).`);
  }
  const history = await readHistory(io, values, positionals, { since, until });
  // Written as it is rendered; the files read from git are no longer held (readHistory let
  // them go), so the text is made in the memory they used.
  if (format === "json") writeJson(history, io.stdout);
  else writeAccessHistory(history, format, io.stdout);
  return history.findings.length > 0 ? 1 : 0;
}

/** Reads git and builds the history the options ask for; usage errors are thrown. */
async function readHistory(
  io: CliIo,
  values: { rev: string; requester?: string; account?: string; role?: string },
  positionals: readonly string[],
  dates: { since: Date | undefined; until: Date | undefined },
): Promise<AccessHistory> {
  const { since, until } = dates;
  const git = await readHistoryForCli(io, values.rev);

  const root = git.root;
  // git answers with the real path of the root; cwd may reach it through a link (macOS /tmp).
  const cwd = realpathSync(io.cwd);
  const paths = positionals.map((given) => {
    const path = toRepoPath(root, resolve(cwd, given));
    if (
      path === undefined ||
      !(path === "access-requests" || path.startsWith("access-requests/"))
    ) {
      throw new UsageError(`${given} is not under access-requests/ of the repository at ${root}.`);
    }
    return path;
  });

  const { policies } = loadPolicies(git.policyFiles);
  const delayText = policies?.settings.auditDelay ?? DEFAULT_AUDIT_DELAY;
  if (!policies) {
    io.stderr(
      `hallpass history: policies/ at ${git.revision.slice(0, 12)} do not load (run \`hallpass validate\`); assuming an audit delay of ${DEFAULT_AUDIT_DELAY}.\n`,
    );
  }
  const delay = parseDuration(delayText);
  const filter: HistoryFilter = {
    ...(paths.length > 0 ? { paths } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(values.requester !== undefined ? { requester: values.requester } : {}),
    ...(values.account !== undefined ? { account: accountAliases(values.account, policies) } : {}),
    ...(values.role !== undefined ? { role: values.role } : {}),
  };
  const input: HistoryInput = {
    revision: git.revision,
    files: git.requestFiles,
    deletedRequests: git.deletedRequests,
    changes: git.changes,
    shallow: git.shallow,
    now: io.now(),
    auditDelaySeconds: delay.ok ? delay.seconds : 1800,
    filter,
  };
  const history = buildAccessHistory(input);
  if (history.entries.length === 0 && hasNameFilter(filter)) {
    // Nothing matched: tell a misspelt name from one without requests (built again unfiltered
    // only in this case, so the common path reads the history once).
    const everything = buildAccessHistory({ ...input, filter: {} }).entries;
    const unknown = unknownFilterName(values, everything, policies);
    if (unknown !== undefined) throw new UsageError(unknown);
  }
  for (const path of paths) {
    const prefix = path.replace(/\/+$/, "");
    if (
      !history.entries.some(
        (e) => e.requestPath === prefix || e.requestPath.startsWith(`${prefix}/`),
      ) &&
      !hasAnyEntry(git.requestFiles, git.changes, prefix)
    ) {
      throw new UsageError(`${path} holds no access request at ${git.revision.slice(0, 12)}.`);
    }
  }
  return history;
}

/** Whether any file or past change lives at `prefix` (the other filters may have hidden it). */
function hasAnyEntry(
  files: readonly { path: string }[],
  changes: ReadonlyMap<string, unknown>,
  prefix: string,
): boolean {
  const under = (p: string) =>
    p === prefix ||
    p.startsWith(`${prefix}/`) ||
    p.startsWith(`${prefix.replace(/\.ya?ml$/, "")}.`);
  return files.some((f) => under(f.path)) || [...changes.keys()].some(under);
}

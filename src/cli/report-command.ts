import { statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { buildReport } from "../core/history/build-report.ts";
import { renderReportCsv } from "../core/history/render-report-csv.ts";
import { renderReportHtml } from "../core/history/render-report-html.ts";
import { renderReportMarkdown } from "../core/history/render-report-markdown.ts";
import { countOf } from "../core/text/count-of.ts";
import { type CliIo, type Command, type ExitCode, UsageError } from "./command.ts";
import { parseDateOption } from "./history-options.ts";
import { parseOptions } from "./parse-options.ts";
import { verifyRepository } from "./verify-command.ts";

const help = `Usage: hallpass report --since DATE --until DATE [--format md|html|csv|json]
                       [--out FILE] [--requester LOGIN] [--role NAME] [--account NAME]
                       [--rev REV] [--require-signatures]

Every access of a period, from git alone (offline), as a document to file: the
requester, role, account, reason, ticket, approvers and when, the window asked
and granted, how it ended (expiry, early release, revocation, reconciliation),
the audit's activity figures and risky calls, alerts, and break-glass. It opens
with totals (by person, role and account) and the exceptions: the findings of
\`hallpass verify\`, break-glass grants, revocations, alerts, missing audits.

An access belongs to the period when its window overlaps it (a request never
granted: when it landed).

Options:
  --since DATE           start of the period (2026-07-01 is midnight UTC, or a time
                         with its offset)
  --until DATE           end of the period (excluded)
  --format FORMAT        md (default; or markdown): Markdown with a Mermaid timeline,
                         for a pull request or a wiki; html: one self-contained file
                         (inline SVG timeline, sortable tables, print layout); csv: one
                         row per access; json: the data (docs/verify.md documents csv
                         and json)
  --out FILE             write to FILE instead of standard output
  --requester LOGIN      only this requester's accesses
  --role NAME            only this role's
  --account NAME         only this account's (name, or account id)
  --rev REV              read the repository at this commit, tag or branch (HEAD)
  --require-signatures   check record commits' signatures (see hallpass verify)
  -h, --help             show this help.

Exit codes: 0 the report was written (whatever it found), 1 git could not be read,
2 usage error. Use \`hallpass verify\` to fail a job on findings.

Examples:
  hallpass report --since 2026-07-01 --until 2026-10-01 --format html --out q3-access.html
  hallpass report --since 2026-07-01 --until 2026-10-01 --format csv --out q3.csv
`;

/** `hallpass report`: the accesses of a period, with totals and exceptions. */
export const reportCommand: Command = {
  name: "report",
  summary: "every access of a period, with totals and exceptions, as md, html, csv or json",
  help,
  run: runReport,
};

const FORMATS = ["md", "html", "csv", "json"] as const;

async function runReport(args: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions({
    args,
    options: {
      since: { type: "string" },
      until: { type: "string" },
      format: { type: "string", default: "md" },
      out: { type: "string" },
      requester: { type: "string" },
      role: { type: "string" },
      account: { type: "string" },
      rev: { type: "string", default: "HEAD" },
      "require-signatures": { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  // markdown as well: `hallpass history` names it so, and people type one after the other.
  const format = (values.format === "markdown" ? "md" : values.format) as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be md, html, csv or json, not "${values.format}".`);
  }
  const since = parseDateOption("--since", values.since);
  const until = parseDateOption("--until", values.until);
  if (!since || !until) {
    throw new UsageError("--since and --until are required: the period the report covers.");
  }
  if (since.getTime() >= until.getTime()) {
    throw new UsageError(`--since (${values.since}) must be before --until (${values.until}).`);
  }
  const out = values.out === undefined ? undefined : writablePath(io.cwd, values.out);
  // The period selects by window, not by landing: history's --since/--until are not passed on.
  const { history, verification } = await verifyRepository(io, {
    rev: values.rev,
    positionals: [],
    values: {
      ...(values.requester !== undefined ? { requester: values.requester } : {}),
      ...(values.role !== undefined ? { role: values.role } : {}),
      ...(values.account !== undefined ? { account: values.account } : {}),
    },
    requireSignatures: values["require-signatures"],
    command: "report",
  });
  const report = buildReport({ history, verification, since, until });
  const text =
    format === "json"
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === "html"
        ? renderReportHtml(report)
        : format === "csv"
          ? renderReportCsv(report)
          : renderReportMarkdown(report);
  if (out !== undefined) {
    writeFileSync(out, text);
    io.stderr(
      `hallpass report: ${countOf(report.accesses.length, "access", "accesses")} written to ${out}${report.trailHolds ? "" : `; the trail has ${countOf(report.exceptions.findings.length, "finding")} (hallpass verify)`}\n`,
    );
  } else {
    io.stdout(text);
  }
  return 0;
}

/**
 * The absolute path `--out` names, checked before the history is read (every record, seconds on
 * a large repository): its folder must exist and it must not be a folder itself.
 */
function writablePath(cwd: string, out: string): string {
  const path = resolve(cwd, out);
  if (statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new UsageError(
      `--out ${out}: the folder ${dirname(path)} does not exist: create it, or write the report elsewhere.`,
    );
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(
      `--out ${out}: ${path} is a folder: name the file to write, such as q3-access.html.`,
    );
  }
  return path;
}

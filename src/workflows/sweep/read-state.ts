import { parse as parseYaml } from "yaml";
import {
  type GrantRecord,
  grantRecordSchema,
  type RevocationRecord,
  revocationRecordSchema,
} from "../../core/grant/records.ts";
import { loadPolicies } from "../../core/policy/load-policies.ts";
import type { Account, Policies } from "../../core/policy/policy-format.ts";
import { parseDuration } from "../../core/request/duration.ts";
import { recordPath } from "../../core/request/record-paths.ts";
import { formatProblem } from "../../core/source/problem.ts";
import {
  grantPathsToRead,
  type LiveRole,
  revocationPathsToRead,
  ungrantedRequestPaths,
} from "../../core/sweep/plan-sweep.ts";
import type { AwsPort } from "../../ports/aws.ts";
import type { GitHubPort } from "../../ports/github.ts";
import { readRecords, readTexts } from "./read-records.ts";
import {
  issueOf,
  SweepConfigError,
  type SweepIssue,
  type SweepOptions,
  type SweepTarget,
} from "./types.ts";

const REQUESTS = "access-requests";

/** An account of policies/ in scope of the run, with its name. */
export type AccountInScope = Account & { name: string };

/** What git and AWS hold at the start of the run: every later step is planned from it. */
export interface SweepSnapshot {
  /** The default branch: written to. */
  branch: string;
  /**
   * The commit `branch` pointed at once the roles were listed: request files and records are
   * read at it (one snapshot, in which every role listed has its grant record, since the app
   * commits the record before it creates the role), and later steps look merged pull requests
   * up from it. The policies are read at the head when the run began, before the listing.
   */
  head: string;
  policies: Policies;
  auditDelaySeconds: number;
  accounts: AccountInScope[];
  /** The accounts in scope by id. */
  targets: Map<string, SweepTarget>;
  /** `owner/repo` of the access repository. */
  repository: string;
  /** The `/hallpass/` roles by account id; undefined when the account could not be listed. */
  roles: Map<string, LiveRole[] | undefined>;
  /** Every file under access-requests/. */
  paths: string[];
  grants: GrantRecord[];
  revocations: RevocationRecord[];
  /** The account each merged request without a grant record names. */
  requestAccounts: Map<string, string>;
  /** What could not be read (an account, a record). */
  issues: SweepIssue[];
}

/**
 * Reads the policies, the roles of every account in scope and the records git holds. Throws
 * `SweepConfigError` when the run cannot start; anything else unreadable lands in `issues`.
 */
export async function readState(
  deps: { github: GitHubPort; aws: AwsPort },
  options: Pick<SweepOptions, "accounts" | "auditDelay">,
  concurrency: number,
): Promise<SweepSnapshot> {
  const { github } = deps;
  const issues: SweepIssue[] = [];
  const branch = await github.getDefaultBranch();
  const policies = await readPolicies(github, await headOf(github, branch), branch);
  const delay = parseDuration(options.auditDelay ?? policies.settings.auditDelay);
  if (!delay.ok) throw new SweepConfigError(`audit delay: ${delay.message}`);
  const accounts = accountsInScope(policies, options.accounts);
  const targets = new Map<string, SweepTarget>(
    accounts.map((a) => [
      a.id,
      { name: a.name, id: a.id, brokerRole: a.brokerRole, regions: a.regions },
    ]),
  );
  const roles = await listRoles(deps.aws, accounts, targets, issues);
  // Resolved after the roles are listed: the app commits a grant record before it creates the
  // role, so every role listed has its record at this head. One resolved earlier could predate
  // a record whose role the listing sees, and that grant would be revoked as unrecorded.
  const head = await headOf(github, branch);
  const paths = await github.listFiles(head, REQUESTS);
  const allRoles = [...roles.values()].flatMap((r) => r ?? []);
  const grants = [
    ...(
      await readRecords(
        github,
        head,
        grantPathsToRead(paths, allRoles),
        grantRecordAt,
        issues,
        concurrency,
      )
    ).values(),
  ];
  const revocations = [
    ...(
      await readRecords(
        github,
        head,
        revocationPathsToRead(paths, grants),
        (v) => revocationRecordSchema.parse(v),
        issues,
        concurrency,
      )
    ).values(),
  ];
  const requestAccounts = await readRequestAccounts(github, head, paths, concurrency);
  const repository = `${github.owner}/${github.repo}`;
  return {
    branch,
    head,
    policies,
    auditDelaySeconds: delay.seconds,
    accounts,
    targets,
    repository,
    roles,
    paths,
    grants,
    revocations,
    requestAccounts,
    issues,
  };
}

/** The commit `branch` points at; the run cannot start without one. */
async function headOf(github: GitHubPort, branch: string): Promise<string> {
  const head = await github.getBranchHead(branch);
  if (head === undefined) {
    throw new SweepConfigError(`the default branch ${branch} has no commit to read the state at`);
  }
  return head;
}

async function readPolicies(github: GitHubPort, head: string, branch: string): Promise<Policies> {
  const paths = (await github.listFiles(head, "policies")).filter((p) => /\.ya?ml$/.test(p));
  const texts = await readTexts(github, head, paths, 8);
  const files = paths.map((path) => ({ path, content: texts.get(path) ?? "" }));
  const { policies, problems } = loadPolicies(files);
  if (!policies) {
    throw new SweepConfigError(
      `the policies on ${branch} are not valid, so the sweep changes nothing:\n${problems.map(formatProblem).join("\n")}`,
    );
  }
  return policies;
}

function accountsInScope(policies: Policies, names: string[] | undefined): AccountInScope[] {
  const all = Object.entries(policies.accounts).map(([name, a]) => ({ name, ...a }));
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !Object.hasOwn(policies.accounts, n));
  if (unknown.length > 0) {
    throw new SweepConfigError(
      `accounts input names ${unknown.join(", ")}, which policies/ does not define (known: ${Object.keys(policies.accounts).join(", ")}).`,
    );
  }
  return all.filter((a) => names.includes(a.name));
}

/** The `/hallpass/` roles of every account; an account that cannot be listed is an issue. */
async function listRoles(
  aws: AwsPort,
  accounts: readonly AccountInScope[],
  targets: ReadonlyMap<string, SweepTarget>,
  issues: SweepIssue[],
): Promise<Map<string, LiveRole[] | undefined>> {
  const roles = new Map<string, LiveRole[] | undefined>();
  await Promise.all(
    accounts.map(async (a) => {
      try {
        roles.set(a.id, await aws.grantStore(targets.get(a.id)!).listGrantRoles());
      } catch (error) {
        roles.set(a.id, undefined);
        issues.push(issueOf("read", `account ${a.name} (${a.id})`, error));
      }
    }),
  );
  return roles;
}

/**
 * A grant record, which must be its own request's: one at `x.grant.json` claiming request `y`
 * could make the sweep take y's role for x's.
 */
function grantRecordAt(value: unknown, path: string): GrantRecord {
  const record = grantRecordSchema.parse(value);
  if (recordPath(record.requestPath, "grant") !== path) {
    throw new Error(
      `it is the grant record of ${record.requestPath}, not of the request beside it`,
    );
  }
  return record;
}

/** The account each merged request without a grant record names, for the missing-grant check. */
async function readRequestAccounts(
  github: GitHubPort,
  head: string,
  paths: readonly string[],
  concurrency: number,
): Promise<Map<string, string>> {
  const requestAccounts = new Map<string, string>();
  const ungranted = ungrantedRequestPaths(paths);
  for (const [p, text] of await readTexts(github, head, ungranted, concurrency)) {
    try {
      const account = (parseYaml(text ?? "") as { account?: unknown } | null)?.account;
      if (typeof account === "string") requestAccounts.set(p, account);
    } catch {
      // Unparseable: reported as missing by every shard, which is the safe side.
    }
  }
  return requestAccounts;
}

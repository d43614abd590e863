import { parseDocument } from "yaml";

/**
 * `hallpass init`: how the template as shipped (the example organisation "acme") becomes an
 * organisation's own access repository. Pure: the command reads the files and writes the plan.
 */

/** The organisation's own facts, from the command line. */
export interface OwnRepositoryOptions {
  /** The GitHub organisation whose teams own requests and policies (`@<org>/security`, ...). */
  org: string;
  /** The AWS accounts hallpass may grant in, by the names requests will use. */
  accounts: { name: string; id: string }[];
  /** Regions in use in every account (at least one). */
  regions: string[];
  /** People who may request access: GitHub login and the AWS principal they sign in as. */
  identities: { login: string; principal: string }[];
}

/** The template files the plan rewrites, as they are now. */
export interface TemplateFiles {
  roles: string;
  codeowners: string;
  sweepWorkflow: string;
  /** Every file under access-requests/, repository-relative. */
  requestFiles: string[];
}

/** What `init` does: files to write (path to text) and files to delete. */
export interface OwnRepositoryPlan {
  write: Record<string, string>;
  delete: string[];
  /** Each role and the accounts it may now be granted in, for the summary. */
  roleAccounts: { role: string; accounts: string[] }[];
}

/** The example organisation's GitHub name, as the template's files spell it. */
const EXAMPLE_ORG = "acme";

/** Files of the tool itself that an access repository does not need. */
const TOOL_ONLY_FILES = [".github/workflows/release.yml"];

/** The plan for `options` on `template`. */
export function planOwnRepository(
  template: TemplateFiles,
  options: OwnRepositoryOptions,
): OwnRepositoryPlan {
  const { text: roles, roleAccounts } = ownRoles(template.roles, options);
  return {
    write: {
      "policies/accounts.yaml": accountsFile(options),
      "policies/identities.yaml": identitiesFile(options),
      "policies/roles.yaml": roles,
      ".github/CODEOWNERS": withOrg(template.codeowners, options.org),
      ".github/workflows/hallpass-sweep.yml": sweepMatrix(template.sweepWorkflow, options),
    },
    delete: [
      // The example requests and their records: none of them happened in this organisation.
      ...template.requestFiles.filter((path) => path !== "access-requests/schema.json"),
      ...TOOL_ONLY_FILES,
    ].sort(),
    roleAccounts,
  };
}

/** `@acme/` team owners become the organisation's teams of the same name. */
function withOrg(text: string, org: string): string {
  return text.replaceAll(`@${EXAMPLE_ORG}/`, `@${org}/`);
}

function accountsFile(options: OwnRepositoryOptions): string {
  const regions = `[${options.regions.join(", ")}]`;
  const accounts = options.accounts.map((account) =>
    [
      `  ${account.name}:`,
      `    id: "${account.id}"`,
      `    brokerRole: arn:aws:iam::${account.id}:role/hallpass-broker`,
      `    regions: ${regions}`,
    ].join("\n"),
  );
  return [
    "# yaml-language-server: $schema=./schema.json",
    `# The AWS accounts hallpass can grant access in. Owned by @${options.org}/security (see .github/CODEOWNERS).`,
    "# brokerRole is the role deploy/account-setup.yaml creates in each account; add a description",
    "# for reviewers, and list the regions each account really uses.",
    "accounts:",
    ...accounts,
    "",
  ].join("\n");
}

function identitiesFile(options: OwnRepositoryOptions): string {
  const people = options.identities.map((person) =>
    [`  ${person.login}:`, `    awsPrincipal: ${person.principal}`].join("\n"),
  );
  return [
    "# yaml-language-server: $schema=./schema.json",
    "# Who may request access: GitHub login -> the AWS principal that person signs in as (an IAM",
    "# user, or their own session of an SSO role). Only that principal can assume their grants.",
    people.length > 0 ? "identities:" : "identities: {}",
    ...people,
    "",
  ].join("\n");
}

/**
 * The example roles with the organisation's teams, each granted in the accounts of the
 * example's list that the organisation has; a role none of whose accounts exist gets every
 * account (the summary says so, for review).
 */
function ownRoles(
  text: string,
  options: OwnRepositoryOptions,
): { text: string; roleAccounts: OwnRepositoryPlan["roleAccounts"] } {
  const doc = parseDocument(withOrg(text, options.org));
  const names = options.accounts.map((a) => a.name);
  const roles = doc.toJS()?.roles as Record<string, { accounts?: string[] }> | undefined;
  const roleAccounts: OwnRepositoryPlan["roleAccounts"] = [];
  for (const [role, definition] of Object.entries(roles ?? {})) {
    const kept = (definition.accounts ?? []).filter((name) => names.includes(name));
    const accounts = kept.length > 0 ? kept : names;
    const node = doc.createNode(accounts);
    node.flow = true;
    doc.setIn(["roles", role, "accounts"], node);
    roleAccounts.push({ role, accounts });
  }
  return { text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }), roleAccounts };
}

/** The sweep's matrix: one shard per account, with the action role its stack creates. */
function sweepMatrix(text: string, options: OwnRepositoryOptions): string {
  const entry = /^( +)- \{ account: [^\n]*\}\n/m.exec(text);
  if (entry === null) return text;
  const indent = entry[1] as string;
  const lines = options.accounts
    .map(
      (a) =>
        `${indent}- { account: ${a.name}, role: "arn:aws:iam::${a.id}:role/hallpass-action" }\n`,
    )
    .join("");
  const block = new RegExp(`(?:^${indent}- \\{ account: [^\\n]*\\}\\n)+`, "m");
  return text.replace(block, lines);
}

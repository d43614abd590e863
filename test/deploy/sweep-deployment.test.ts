import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * The deployment an organisation copies, read as GitHub and AWS read it: the scheduled
 * workflow (.github/workflows/hallpass-sweep.yml) and the OIDC trust of the action role
 * (deploy/account-setup.yaml), together. Anyone who can push a branch can run a workflow of
 * their own on it: every secret must sit in an environment limited to the default branch, and
 * the AWS role must admit only a job in that environment.
 */

type Json = unknown;
type Job = Record<string, Json> & { steps?: Record<string, Json>[] };
type Workflow = { env?: Record<string, Json>; jobs: Record<string, Job> };

const ORG = "acme";
const REPO = "access";

/** A GitHub Actions expression, `${{ ... }}`. */
const expr = (inner: string) => `$\{{ ${inner} }}`;

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const shippedWorkflow = (): Workflow => parse(read(".github/workflows/hallpass-sweep.yml"));
const shippedTemplate = (): Template => parse(read("deploy/account-setup.yaml"));

/** Every string in a YAML value, with the dotted path it sits at. */
function strings(value: Json, at: string): { at: string; text: string }[] {
  if (typeof value === "string") return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
  }
  return [];
}

/** An expression that reads the `secrets` context (`secrets.X`, `secrets['X']`, `toJSON(secrets)`). */
const READS_SECRETS = /\$\{\{[^}]*\bsecrets\b/;

function environmentOf(job: Job): string | undefined {
  const env = job.environment;
  if (typeof env === "string") return env;
  if (env && typeof env === "object" && "name" in env) return String(env.name);
  return undefined;
}

/** Where the workflow reads a secret outside a job that runs in an environment. */
function secretsOutsideEnvironments(workflow: Workflow): string[] {
  const found = strings(workflow.env ?? {}, "env")
    .filter((s) => READS_SECRETS.test(s.text))
    .map((s) => s.at);
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (environmentOf(job) !== undefined) continue;
    // `secrets: inherit` hands every secret to a called workflow.
    if (job.secrets !== undefined) found.push(`jobs.${id}.secrets`);
    found.push(
      ...strings(job, `jobs.${id}`)
        .filter((s) => READS_SECRETS.test(s.text))
        .map((s) => s.at),
    );
  }
  return found;
}

function uses(job: Job, action: string): Record<string, Json>[] {
  return (job.steps ?? []).filter((s) => String(s.uses ?? "").startsWith(`${action}@`));
}

type Statement = {
  Sid?: string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, Json>>;
};
type Template = {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<
    string,
    { Properties: { AssumeRolePolicyDocument?: { Statement: Statement[] } } }
  >;
};

/** A template value with `Fn::Sub` resolved from the parameters' defaults and the given org/repo. */
function resolve(template: Template, value: Json): string {
  const text =
    value && typeof value === "object" && "Fn::Sub" in value ? String(value["Fn::Sub"]) : value;
  return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === "GitHubOrg") return ORG;
    if (name === "GitHubRepo") return REPO;
    const fallback = template.Parameters[name]?.Default;
    if (fallback === undefined) throw new Error(`parameter ${name} has no default`);
    return fallback;
  });
}

/** The `sub` values the action role's web-identity trust admits, per condition operator. */
function admittedSubjects(template: Template): string[] {
  const statements =
    template.Resources.HallpassAction?.Properties.AssumeRolePolicyDocument?.Statement ?? [];
  return statements
    .filter((s) => [s.Action].flat().includes("sts:AssumeRoleWithWebIdentity"))
    .flatMap((s) => {
      const conditions = Object.entries(s.Condition ?? {});
      const subs = conditions.flatMap(([operator, keys]) =>
        Object.entries(keys)
          .filter(([key]) => key === "token.actions.githubusercontent.com:sub")
          .flatMap(([, v]) => [v].flat().map((one) => `${operator} ${resolve(template, one)}`)),
      );
      // A web-identity statement with no `sub` condition admits every repository on GitHub.
      return subs.length > 0 ? subs : ["(no sub condition)"];
    });
}

/** What disagrees between the workflow's AWS jobs and the role's OIDC trust. */
function oidcDisagreements(workflow: Workflow, template: Template): string[] {
  const problems: string[] = [];
  const admitted = admittedSubjects(template);
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (uses(job, "aws-actions/configure-aws-credentials").length === 0) continue;
    const environment = environmentOf(job);
    if (environment === undefined) {
      problems.push(`jobs.${id} assumes the AWS role outside an environment`);
      continue;
    }
    // GitHub's token for a job in an environment has exactly this `sub`.
    const expected = `StringEquals repo:${ORG}/${REPO}:environment:${environment}`;
    for (const subject of admitted) {
      if (subject !== expected) {
        problems.push(`jobs.${id} runs in ${environment}; the role admits ${subject}`);
      }
    }
  }
  return problems;
}

/** `permission-*` inputs of the app token step, or undefined when a step has none. */
function tokenPermissions(workflow: Workflow): (Record<string, string> | undefined)[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    uses(job, "actions/create-github-app-token").map((step) => {
      const inputs = Object.entries((step.with ?? {}) as Record<string, string>).filter(([k]) =>
        k.startsWith("permission-"),
      );
      return inputs.length > 0 ? Object.fromEntries(inputs) : undefined;
    }),
  );
}

describe("the shipped sweep workflow and account template", () => {
  it("read every secret only inside a job that runs in an environment", () => {
    expect(secretsOutsideEnvironments(shippedWorkflow())).toEqual([]);
  });

  it("trust the action role only for the workflow's environment, by its exact sub", () => {
    const workflow = shippedWorkflow();
    const awsJobs = Object.values(workflow.jobs).filter(
      (job) => uses(job, "aws-actions/configure-aws-credentials").length > 0,
    );
    expect(awsJobs.length).toBeGreaterThan(0);
    expect(oidcDisagreements(workflow, shippedTemplate())).toEqual([]);
  });

  it("mint the app token with only what the sweep uses", () => {
    // Contents: read files, commit records (Git Data API). Issues: PR comments (through the
    // Issues API) and the dashboard and alert issues. Pull requests: read (open PRs for the
    // dashboard and reminders, the PR that merged a request) and write, only to close a request
    // left unreviewed past settings.notifications.closeAfter. Checks: read only, to find green
    // checks whose approvals aged out and re-request them; never write, so it posts no check.
    expect(tokenPermissions(shippedWorkflow())).toEqual([
      {
        "permission-checks": "read",
        "permission-contents": "write",
        "permission-issues": "write",
        "permission-pull-requests": "write",
      },
    ]);
  });
});

describe("the shipped sweep workflow's identity", () => {
  it("tells the sweep the id of the app whose token it holds", () => {
    for (const job of Object.values(shippedWorkflow().jobs)) {
      const [token] = uses(job, "actions/create-github-app-token");
      const sweeps = (job.steps ?? []).filter((s) => String(s.uses ?? "").startsWith("hallpass/"));
      expect(sweeps).toHaveLength(1);
      const withs = (step: Record<string, Json> | undefined) => step?.with as Record<string, Json>;
      expect(withs(sweeps[0])["app-id"]).toBe(withs(token)["app-id"]);
      expect(withs(sweeps[0])["app-id"]).toBe(expr("vars.HALLPASS_APP_ID"));
    }
  });
});

describe("the deployment checks", () => {
  const job = (extra: Record<string, Json>, steps: Record<string, Json>[] = []): Job => ({
    "runs-on": "ubuntu-latest",
    ...extra,
    steps,
  });
  const awsStep = {
    uses: "aws-actions/configure-aws-credentials@v5",
    with: { "role-to-assume": "x" },
  };
  const keyStep = {
    uses: "actions/create-github-app-token@v2",
    with: { "private-key": expr("secrets.HALLPASS_APP_PRIVATE_KEY") },
  };

  it.each<[string, Workflow, string[]]>([
    [
      "a secret in a step of a job without environment",
      { jobs: { a: job({}, [keyStep]) } },
      ["jobs.a.steps[0].with.private-key"],
    ],
    [
      "a secret in a job's env",
      { jobs: { a: job({ env: { K: expr("secrets['K']") } }) } },
      ["jobs.a.env.K"],
    ],
    [
      "every secret through toJSON",
      { jobs: { a: job({}, [{ run: `echo '${expr("toJSON(secrets)")}'` }]) } },
      ["jobs.a.steps[0].run"],
    ],
    [
      "secrets handed to a called workflow",
      { jobs: { a: { uses: "./w.yml", secrets: "inherit" } } },
      ["jobs.a.secrets"],
    ],
    ["a secret in the workflow's env", { env: { K: expr("secrets.K") }, jobs: {} }, ["env.K"]],
  ])("find %s", (_case, workflow, expected) => {
    expect(secretsOutsideEnvironments(workflow)).toEqual(expected);
  });

  it("accept secrets in a job with an environment, by name or object", () => {
    const workflow = {
      jobs: {
        a: job({ environment: "hallpass" }, [keyStep]),
        b: job({ environment: { name: "hallpass" } }, [keyStep]),
      },
    };
    expect(secretsOutsideEnvironments(workflow)).toEqual([]);
  });

  const template = (sub: Json, operator = "StringEquals"): Template => ({
    Parameters: { GitHubEnvironment: { Default: "hallpass" }, GitHubBranch: { Default: "main" } },
    Resources: {
      HallpassAction: {
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition:
                  sub === undefined
                    ? {}
                    : { [operator]: { "token.actions.githubusercontent.com:sub": sub } },
              },
            ],
          },
        },
      },
    },
  });
  const inHallpass = { jobs: { s: job({ environment: "hallpass" }, [awsStep]) } };
  const envSub = {
    "Fn::Sub": `repo:$\{GitHubOrg}/$\{GitHubRepo}:environment:$\{GitHubEnvironment}`,
  };

  it.each<[string, Workflow, Template, string[]]>([
    ["agree", inHallpass, template(envSub), []],
    [
      "a branch trust (any job on main, in an environment or not)",
      inHallpass,
      template({ "Fn::Sub": `repo:$\{GitHubOrg}/$\{GitHubRepo}:ref:refs/heads/$\{GitHubBranch}` }),
      [
        "jobs.s runs in hallpass; the role admits StringEquals repo:acme/access:ref:refs/heads/main",
      ],
    ],
    [
      "another environment",
      { jobs: { s: job({ environment: "prod" }, [awsStep]) } },
      template(envSub),
      ["jobs.s runs in prod; the role admits StringEquals repo:acme/access:environment:hallpass"],
    ],
    [
      "a wildcard",
      inHallpass,
      template({ "Fn::Sub": `repo:$\{GitHubOrg}/$\{GitHubRepo}:*` }, "StringLike"),
      ["jobs.s runs in hallpass; the role admits StringLike repo:acme/access:*"],
    ],
    [
      "no sub condition",
      inHallpass,
      template(undefined),
      ["jobs.s runs in hallpass; the role admits (no sub condition)"],
    ],
    [
      "an AWS job outside any environment",
      { jobs: { s: job({}, [awsStep]) } },
      template(envSub),
      ["jobs.s assumes the AWS role outside an environment"],
    ],
  ])("compare the workflow and the trust: %s", (_case, workflow, t, expected) => {
    expect(oidcDisagreements(workflow, t)).toEqual(expected);
  });
});

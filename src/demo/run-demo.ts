import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Probot, ProbotOctokit } from "probot";
import { createSweepDeps } from "../adapters/create-sweep-deps.ts";
import { createApp, defaultDeps } from "../app/index.ts";
import { CHECK_NAME } from "../core/approval/render-check.ts";
import type { GrantRecord } from "../core/grant/records.ts";
import { FORM_FIELDS, ISSUE_FORM_LABEL, NO_RESPONSE } from "../core/request/issue-form-fields.ts";
import type { WebhookFor } from "../ports/notify.ts";
import { type SweepReport, sweep } from "../workflows/sweep/run-sweep.ts";
import { AwsStandIn } from "./aws-stand-in.ts";
import { grantEvent } from "./cloudtrail-stand-in.ts";
import { GitStore } from "./git-store.ts";
import { GitHubStandIn, type WebhookEvent } from "./github-stand-in.ts";
import type { Narrator } from "./narrator.ts";
import { printWebhooks, withDemoChannel } from "./print-webhooks.ts";
import { type ServedStandIns, serveStandIns } from "./serve-stand-ins.ts";

/**
 * The story of `hallpass demo`, step by step: an access repository in a new git repository, a
 * request pull request, approvals, the merge and the grant, activity with a risky call, the
 * sweeps that alert, revoke and audit, and a role made by hand that the sweep removes. The real
 * app (through Probot) and the real sweep run against the local stand-ins, reached through the
 * settings a user would point at GitHub Enterprise Server or an AWS emulator. Time is simulated.
 */

/** The example organisation this package ships (policies/, access-requests/, .github/). */
const TEMPLATE = fileURLToPath(new URL("../../", import.meta.url));
const SEED_FILES = [
  "policies/accounts.yaml",
  "policies/identities.yaml",
  "policies/roles.yaml",
  "policies/settings.yaml",
  "policies/schema.json",
  "access-requests/schema.json",
  ".github/CODEOWNERS",
  ".github/workflows/hallpass-sweep.yml",
  ".github/ISSUE_TEMPLATE/access-request.yml",
];
const REQUEST = "access-requests/bob-acme/db-admin-failover.yaml";
const OWNER = "acme";
const REPO = "access";
const APP = { id: 4242, installationId: 31337, slug: "hallpass" };
const SWEEP_TOKEN = "ghs_demo_action_token";
/** Who is in which team of the example organisation (CODEOWNERS names the teams). */
const TEAMS = {
  "acme/sre": ["alice-acme", "dan-acme"],
  "acme/dba": ["bob-acme", "dan-acme"],
  "acme/security": ["carol-acme"],
};

/** Steps the narrator counts (for the progress indicator): the story's 15 and the command's history. */
export const DEMO_STEPS = 16;

/** What the demo leaves behind, for its caller and its test. */
export interface DemoResult {
  dir: string;
  pullRequest: number;
  grant: GrantRecord;
  /** The ARN of the role made by hand. */
  handMadeRole: string;
  sweeps: SweepReport[];
}

/** The simulated clock: starts at `start`, moves only when the story says so. */
class SimulatedClock {
  #now: Date;
  constructor(start: Date) {
    this.#now = start;
  }
  now = (): Date => new Date(this.#now);
  advance(minutes: number): Date {
    this.#now = new Date(this.#now.getTime() + minutes * 60_000);
    return this.now();
  }
}

/** Everything the steps share. */
export interface World {
  dir: string;
  clock: SimulatedClock;
  store: GitStore;
  github: GitHubStandIn;
  aws: AwsStandIn;
  served: ServedStandIns;
  probot: Probot;
  say: Narrator;
}

/** Runs the whole story in `dir` (an empty or new folder), starting at simulated `start`. */
export async function runDemo(dir: string, say: Narrator, start: Date): Promise<DemoResult> {
  const { world, close } = await openWorld(dir, say, start);
  try {
    return await story(world);
  } finally {
    await close();
  }
}

/** What a world runs with; the bench turns Octokit's write spacing on, as in production. */
export interface WorldOptions {
  /** Octokit's throttling (1 s between writes); off in the demo: the stand-ins have no limits. */
  writeSpacing?: boolean;
  /** The notification channels' stand-in (the demo prints what they would receive). */
  webhookFor?: WebhookFor;
}

/**
 * The stand-ins served on loopback, the SDKs pointed at them and the app started: the world the
 * story's steps run in (the bench runs some of them). `close` stops the servers and puts the
 * environment back.
 */
export async function openWorld(
  dir: string,
  say: Narrator,
  start: Date,
  options: WorldOptions = {},
): Promise<{ world: World; close: () => Promise<void> }> {
  const clock = new SimulatedClock(start);
  const store = new GitStore(dir);
  const accounts = accountIds();
  const aws = new AwsStandIn(accounts, clock.now);
  const github = new GitHubStandIn({
    owner: OWNER,
    repo: REPO,
    webUrl: "https://github.demo.invalid",
    store,
    now: clock.now,
    teams: TEAMS,
    app: APP,
  });
  // The scheduled workflow mints the app's token (create-github-app-token): it acts as the app.
  github.addToken(SWEEP_TOKEN, github.appBot);
  const served = await serveStandIns(github, aws);
  const restoreEnv = pointSdksAt(served, dir);
  const close = async () => {
    restoreEnv();
    await served.close();
  };
  try {
    const probot = await startApp(served.githubApiUrl, clock.now, {
      webhookFor: printWebhooks(say),
      ...options,
    });
    return { world: { dir, clock, store, github, aws, served, probot, say }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function story(world: World): Promise<DemoResult> {
  seedRepository(world);
  const pullRequest = await openRequest(world);
  await approve(world, pullRequest, "dan-acme", "a database administrator", "action_required");
  await approve(world, pullRequest, "carol-acme", "security", "success");
  const grant = await mergeAndGrant(world, pullRequest);
  useTheGrant(world, grant);
  const sweeps = [await sweepAndTell(world, "The sweep watches the live grant", 30)];
  expectStep(sweeps[0]!.alerts.length > 0, "an alert on the risky call");
  await askForExtension(world, pullRequest);
  sweeps.push(await sweepAndTell(world, "The grant expires; the sweep revokes it", 60));
  expectStep(revoked(sweeps[1]!, grant.roleArn), "the revocation of the expired grant");
  sweeps.push(await sweepAndTell(world, "After the audit delay, the sweep writes the audit", 35));
  expectStep(sweeps[2]!.audits.length === 1, "the audit summary");
  const handMadeRole = makeRoleByHand(world);
  sweeps.push(await sweepAndTell(world, "The sweep finds the hand-made role", 5));
  expectStep(revoked(sweeps[3]!, handMadeRole), "the removal of the hand-made role");
  await requestWithForm(world);
  await requestAutoApproved(world);
  finish(world);
  return { dir: world.dir, pullRequest, grant, handMadeRole, sweeps };
}

function revoked(report: SweepReport, roleArn: string): boolean {
  return report.revoked.some((r) => r.roleArn === roleArn);
}

/** The story checks itself: a step that did not do what it shows stops the demo, saying which. */
function expectStep(happened: boolean, what: string): void {
  if (!happened) {
    throw new Error(
      `the story expected ${what}, and it did not happen (the output above shows what did).`,
    );
  }
}

function accountIds(): string[] {
  const text = readFileSync(join(TEMPLATE, "policies/accounts.yaml"), "utf8");
  return [...text.matchAll(/^\s+id:\s*"?(\d{12})"?/gm)].map((m) => m[1]!);
}

/**
 * Points the AWS SDK at the stand-in through its standard settings, with throwaway credentials
 * and no shared config files, so nothing of the user's own AWS setup is read or reached.
 * Returns the function that puts the environment back.
 */
function pointSdksAt(served: ServedStandIns, dir: string): () => void {
  const settings: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL_IAM: served.awsEndpoint,
    AWS_ENDPOINT_URL_STS: served.awsEndpoint,
    AWS_ENDPOINT_URL_CLOUDTRAIL: served.awsEndpoint,
    AWS_ACCESS_KEY_ID: "AKIADEMOLOCALONLY",
    AWS_SECRET_ACCESS_KEY: "demo-not-a-secret",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(dir, ".git", "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, ".git", "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    // Settings that would send the SDK elsewhere than the stand-in.
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_USE_FIPS_ENDPOINT: undefined,
    AWS_USE_DUALSTACK_ENDPOINT: undefined,
  };
  const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(settings);
  return () => apply(saved);
}

/**
 * The real app in Probot, on a throwaway GitHub App key, talking to the GitHub stand-in. A new
 * one starts cold (no token, no cache), as the first event after a Lambda start does.
 */
export async function startApp(
  githubApiUrl: string,
  now: () => Date,
  options: WorldOptions = {},
): Promise<Probot> {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const probot = new Probot({
    appId: APP.id,
    privateKey,
    secret: "demo",
    baseUrl: githubApiUrl,
    logLevel: "fatal",
    // The stand-in has no rate limits: no 1 s gap between writes (unless asked for), no retries
    // that hide errors.
    Octokit: ProbotOctokit.defaults((octokitOptions: object) => ({
      ...octokitOptions,
      retry: { enabled: false },
      ...(options.writeSpacing ? {} : { throttle: { enabled: false } }),
    })),
  });
  // The app's own settings, as a deployment sets them; the clock is the demo's.
  const env = {
    APP_ID: String(APP.id),
    HALLPASS_ACCESS_REPOSITORY: `${OWNER}/${REPO}`,
    AWS_REGION: "us-east-1",
  };
  await probot.load(
    createApp({
      ...defaultDeps(env),
      now,
      ...(options.webhookFor ? { webhookFor: options.webhookFor } : {}),
    }),
  );
  return probot;
}

async function deliver(world: World, event: WebhookEvent): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the stand-in builds payloads of the events' shape
  await world.probot.receive(event as any);
}

export function seedRepository(world: World): void {
  const { say, store, dir } = world;
  say.step("An access repository, seeded from the example organisation", world.clock.now());
  store.init();
  const files = SEED_FILES.map((path) => {
    const content = readFileSync(join(TEMPLATE, path), "utf8");
    return {
      path,
      content:
        path === "policies/settings.yaml"
          ? withDemoChannel(content)
          : path === "policies/roles.yaml"
            ? withAutoApproval(content)
            : content,
    };
  });
  const tree = store.writeTree(undefined, files);
  const by = GitHubStandIn.person("carol-acme");
  const sha = store.writeCommit(tree, [], "Access repository: policies and code owners", {
    name: by.login,
    email: by.email,
    date: world.clock.now(),
  });
  store.updateBranch("main", sha, undefined);
  say.say(
    `   git repository ${dir} (branch main): ${SEED_FILES.length} files from policies/ and .github/`,
  );
  say.say(
    "   teams: acme/dba = bob-acme, dan-acme · acme/security = carol-acme · acme/sre = alice-acme, dan-acme",
  );
}

/** Shows the check on the pull request's head as GitHub would; returns its conclusion. */
function showCheck(world: World, pullRequest: number): string | undefined {
  const pull = world.github.pulls.get(pullRequest)!;
  const run = world.github.checkRun(pull.headSha, CHECK_NAME);
  if (!run) {
    world.say.say("   (no check run)");
    return undefined;
  }
  const mark = run.conclusion === "success" ? "✅" : "🔴";
  world.say.say(`   check ${CHECK_NAME}: ${mark} ${run.conclusion} — ${run.title}`);
  world.say.quote(run.summary, 10);
  return run.conclusion ?? undefined;
}

export async function openRequest(world: World): Promise<number> {
  const { say, github } = world;
  say.step("bob-acme opens a pull request asking for db-admin in production", world.clock.now());
  const content = readFileSync(join(TEMPLATE, REQUEST), "utf8");
  const event = github.openPullRequest(
    "bob-acme",
    "bob-acme/db-admin-failover",
    "db-admin in production: orders failover",
    [{ path: REQUEST, content }],
  );
  const number = event.payload.number as number;
  say.say(`   ${REQUEST}:`);
  say.quote(content.trimEnd(), 8);
  await deliver(world, event);
  expectStep(showCheck(world, number) === "action_required", "a red check asking for approvals");
  const ask = github.comments.find((c) => c.issue_number === number);
  if (ask) {
    say.say("   the app comments on the pull request:");
    say.quote(ask.body, 6);
  }
  return number;
}

/** The demo's prod-readonly approves requests of up to 30 minutes without review. */
function withAutoApproval(roles: string): string {
  return roles.replace(
    "    maxDuration: 8h\n",
    "    maxDuration: 8h\n    autoApproval:\n      maxDuration: 30m\n",
  );
}

/** alice-acme asks for a short look; prod-readonly's autoApproval turns the check green. */
export async function requestAutoApproved(world: World): Promise<number> {
  const { say, github } = world;
  world.clock.advance(3);
  say.step(
    "alice-acme asks for prod-readonly for 30 minutes: the role approves it without review",
    world.clock.now(),
  );
  const path = "access-requests/alice-acme/quick-look.yaml";
  const content = [
    "requester: alice-acme",
    "role: prod-readonly",
    "account: production",
    "duration: 30m",
    "reason: Check that the checkout error rate is back to normal after the fix.",
    "",
  ].join("\n");
  const event = github.openPullRequest("alice-acme", "alice-acme/quick-look", "A quick look", [
    { path, content },
  ]);
  const number = event.payload.number as number;
  say.say(`   ${path} (prod-readonly has autoApproval: maxDuration 30m in policies/):`);
  say.quote(content.trimEnd(), 6);
  await deliver(world, event);
  expectStep(showCheck(world, number) === "success", "a green check without review");
  return number;
}

/** alice-acme fills in the access-request form; the app opens the pull request in her name. */
export async function requestWithForm(world: World): Promise<number> {
  const { say, github } = world;
  world.clock.advance(5);
  say.step(
    "alice-acme asks for prod-readonly with the issue form; the app opens the pull request in her name",
    world.clock.now(),
  );
  const answers: Record<string, string> = {
    role: "prod-readonly",
    account: "production",
    duration: "1h",
    reason: "Compare the checkout latency dashboards with last week's before the release.",
  };
  const body = FORM_FIELDS.map(
    ({ field, label }) => `### ${label}\n\n${answers[field] ?? NO_RESPONSE}`,
  ).join("\n\n");
  const event = github.openIssue("alice-acme", "Access request", body, [ISSUE_FORM_LABEL]);
  const issue = (event.payload.issue as { number: number }).number;
  say.say(`   issue #${issue}, as GitHub renders the form:`);
  say.quote(body, 12);
  await deliver(world, event);
  // GitHub tells the app of the pull request it opened, as of any other.
  for (const opened of github.outbox.splice(0)) await deliver(world, opened);
  const reply = github.comments.find((c) => c.issue_number === issue)?.body ?? "";
  expectStep(reply.includes("Opened pull request"), "the app opening the form's pull request");
  say.say("   the app answers on the issue:");
  say.quote(reply, 3);
  const pull = [...github.pulls.values()].find((p) => p.headRef === `hallpass/issue-${issue}`)!;
  say.say(`   pull request #${pull.number} by ${pull.author}, requester alice-acme:`);
  expectStep(
    showCheck(world, pull.number) === "action_required",
    "a red check asking for approvals",
  );
  return pull.number;
}

/**
 * bob-acme asks for more time on his live grant: the app opens the extension request in his
 * name and asks the people who approved the original. (Nobody approves it here: the original
 * grant expires as the story goes on.)
 */
export async function askForExtension(world: World, pullRequest: number): Promise<number> {
  const { say, github } = world;
  world.clock.advance(2);
  say.step("bob-acme needs longer: he comments /hallpass extend 1h", world.clock.now());
  await deliver(world, github.commentOn(pullRequest, "bob-acme", "/hallpass extend 1h"));
  for (const opened of github.outbox.splice(0)) await deliver(world, opened);
  const reply = github.comments.findLast((c) => c.issue_number === pullRequest)?.body ?? "";
  expectStep(reply.includes("opened the extension request"), "the app opening the extension");
  say.say(`   the app answers on #${pullRequest}:`);
  say.quote(reply, 3);
  const pull = [...github.pulls.values()].find((p) => p.headRef.startsWith("hallpass/extend-"))!;
  const asked = github.requestedReviewers.get(pull.number)?.users ?? [];
  expectStep(asked.includes("dan-acme"), "the original's approvers asked to review");
  say.say(
    `   pull request #${pull.number} by ${pull.author}, requester bob-acme, reviewers asked: ${asked.join(", ")}`,
  );
  showCheck(world, pull.number);
  return pull.number;
}

export async function approve(
  world: World,
  pullRequest: number,
  reviewer: string,
  as: string,
  conclusion: string,
): Promise<void> {
  world.clock.advance(4);
  world.say.step(`${reviewer} approves (as ${as})`, world.clock.now());
  await deliver(world, world.github.approve(pullRequest, reviewer));
  expectStep(showCheck(world, pullRequest) === conclusion, `the check to be ${conclusion}`);
}

/** Commits that reached main since `before`, as `author: subject` lines, and the files they added. */
function showCommits(world: World, before: string): void {
  const after = world.store.resolve("refs/heads/main")!;
  if (after === before) return;
  for (const line of world.store.log(`${before}..${after}`)) world.say.say(`   commit by ${line}`);
  for (const file of world.store.changedFiles(before, after)) {
    world.say.say(`     ${file.status === "A" ? "+" : "~"} ${file.path}`);
  }
}

/** Comments the app or the action wrote or rewrote since `seen` (id -> body). */
function showNewComments(world: World, seen: Map<number, string>, maxLines = 8): void {
  for (const c of world.github.comments) {
    if (seen.get(c.id) === c.body) continue;
    const where = `#${c.issue_number}`;
    world.say.say(`   ${c.user.login} ${seen.has(c.id) ? "updates" : "comments on"} ${where}:`);
    world.say.quote(c.body, maxLines);
  }
}

function commentSnapshot(world: World): Map<number, string> {
  return new Map(world.github.comments.map((c) => [c.id, c.body]));
}

export async function mergeAndGrant(world: World, pullRequest: number): Promise<GrantRecord> {
  const { say, store, github } = world;
  world.clock.advance(2);
  say.step("bob-acme merges; the app re-checks the approvals and grants", world.clock.now());
  const before = store.resolve("refs/heads/main")!;
  const seen = commentSnapshot(world);
  await deliver(world, github.merge(pullRequest, "bob-acme"));
  showCommits(world, before);
  const recordPath = REQUEST.replace(/\.yaml$/, ".grant.json");
  const text = store.readFile("refs/heads/main", recordPath);
  if (text === undefined) {
    const why = github.comments.filter((c) => !seen.has(c.id)).map((c) => c.body);
    throw new Error(`the app did not grant the request: ${why.join("\n") || "no comment"}`);
  }
  const grant = JSON.parse(text) as GrantRecord;
  const role = world.aws.iam.get(grant.account.id)?.roles.get(grant.roleName.toLowerCase());
  say.say(
    `   IAM (account ${grant.account.name}, ${grant.account.id}): role ${role?.arn ?? "(missing)"}`,
  );
  if (role) {
    say.say(
      `     boundary ${role.boundary}; inline policies: ${[...role.inline.keys()].join(", ")}`,
    );
    say.say(
      `     window ${grant.window.start} → ${grant.window.end}; approvals: ${grant.approvals.map((a) => a.reviewer).join(", ")}`,
    );
  }
  showNewComments(world, seen, 12);
  return grant;
}

function useTheGrant(world: World, grant: GrantRecord): void {
  const start = world.clock.advance(10);
  world.say.step("bob-acme works with the grant; CloudTrail records the session", start);
  const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
  const calls = [
    { action: "rds:DescribeDBClusters", readOnly: true },
    { action: "rds:CreateDBSnapshot", readOnly: false },
    { action: "rds:FailoverDBCluster", readOnly: false },
    { action: "rds:DeleteDBSnapshot", readOnly: false, errorCode: "AccessDenied" },
    { action: "rds:DescribeDBClusters", readOnly: true },
  ];
  const trail = world.aws.cloudtrail.get(grant.account.id)!;
  calls.forEach((call, i) => {
    trail.events.push(grantEvent(grant, { id: `demo-event-${i + 1}`, time: at(i * 3), ...call }));
    const outcome = call.errorCode
      ? `denied (${call.errorCode})`
      : call.readOnly
        ? "read"
        : "write";
    world.say.say(`   ${at(i * 3).slice(11, 16)}  ${call.action.padEnd(24)} ${outcome}`);
  });
}

async function sweepAndTell(world: World, title: string, minutes: number): Promise<SweepReport> {
  const { say, store } = world;
  world.clock.advance(minutes);
  say.step(title, world.clock.now());
  const before = store.resolve("refs/heads/main")!;
  const seen = commentSnapshot(world);
  const deps = {
    ...createSweepDeps({
      token: SWEEP_TOKEN,
      repository: `${OWNER}/${REPO}`,
      apiUrl: world.served.githubApiUrl,
      env: {},
      actor: "hallpass-action",
      appId: APP.id,
      log: () => {},
    }),
    webhookFor: printWebhooks(say),
  };
  const report = await sweep(deps, { now: world.clock.now(), dryRun: false });
  for (const a of report.alerts) {
    say.say(`   alert ${a.alert.rule} (${a.alert.severity}) on #${a.pullRequest}`);
  }
  for (const r of report.revoked) say.say(`   revoked ${r.roleArn}: ${r.reason}`);
  for (const a of report.audits) {
    say.say(`   audit of #${a.pullRequest}: ${a.events} events, ${a.risky} risky`);
  }
  for (const issue of report.issues)
    say.say(`   problem (${issue.step}) ${issue.subject}: ${issue.message}`);
  expectStep(report.issues.length === 0, "a sweep without problems");
  showCommits(world, before);
  showNewComments(world, seen);
  if (report.dashboard) say.say(`   dashboard issue #${report.dashboard.number} rewritten`);
  return report;
}

function makeRoleByHand(world: World): string {
  const now = world.clock.advance(10);
  world.say.step("Someone makes a role by hand in hallpass's IAM path", now);
  const accountId = accountIds().at(-1)!;
  const name = "keep-db-access";
  world.aws.iam.get(accountId)!.roles.set(name, {
    name,
    path: "/hallpass/",
    arn: `arn:aws:iam::${accountId}:role/hallpass/${name}`,
    trust: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::444455556666:user/bob" },
          Action: "sts:AssumeRole",
        },
      ],
    }),
    boundary: undefined,
    maxSessionDuration: 3600,
    tags: {},
    inline: new Map(),
    managed: new Set(["arn:aws:iam::aws:policy/AdministratorAccess"]),
    createdAt: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
  world.say.say(
    `   arn:aws:iam::${accountId}:role/hallpass/${name}: AdministratorAccess, no expiry, no record in git`,
  );
  return `arn:aws:iam::${accountId}:role/hallpass/${name}`;
}

function finish(world: World): void {
  world.store.syncWorkingTree();
  world.say.step("Done: the access repository holds the whole story");
  for (const line of world.store.log("refs/heads/main")) world.say.say(`   ${line}`);
}

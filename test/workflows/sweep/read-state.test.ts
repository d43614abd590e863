import { describe, expect, it } from "vitest";
import { readState } from "../../../src/workflows/sweep/read-state.ts";
import { SweepConfigError } from "../../../src/workflows/sweep/types.ts";
import { EXPIRED, LIVE, PROD, stepWorld } from "./sweep-step-fixtures.ts";

describe("readState (step 1 of the sweep)", () => {
  it("reads the policies, the roles of every account and the grant records git holds", async () => {
    const w = stepWorld();
    w.record(LIVE);
    w.record(EXPIRED, false);
    const state = await readState(w.deps, {}, 8);
    expect(state.issues).toEqual([]);
    expect(state.branch).toBe("main");
    expect(state.repository).toBe("acme/access");
    expect(state.auditDelaySeconds).toBe(1800);
    expect(state.accounts.map((a) => a.name)).toEqual(["staging", "production"]);
    expect(state.targets.get(PROD.id)?.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(state.roles.get(PROD.id)?.map((r) => r.roleArn)).toEqual([LIVE.roleArn]);
    expect(state.grants.map((g) => g.requestPath).sort()).toEqual(
      [EXPIRED.requestPath, LIVE.requestPath].sort(),
    );
  });

  it("takes the audit delay of the options over the policies'", async () => {
    const state = await readState(stepWorld().deps, { auditDelay: "2h" }, 8);
    expect(state.auditDelaySeconds).toBe(7200);
  });

  it("keeps only the accounts of a shard, and refuses to start on an account policies/ lacks", async () => {
    const w = stepWorld();
    const state = await readState(w.deps, { accounts: ["production"] }, 8);
    expect([...state.targets.keys()]).toEqual([PROD.id]);
    await expect(readState(w.deps, { accounts: ["prod"] }, 8)).rejects.toThrow(
      /accounts input names prod, which policies\/ does not define \(known: staging, production\)/,
    );
  });

  it("reads git at the branch's head (the policies', then the records' after the roles), and refuses to start without one", async () => {
    const w = stepWorld();
    const state = await readState(w.deps, {}, 8);
    expect(state.head).toBe(w.github.head);
    expect(w.github.count("getBranchHead")).toBe(2);
    w.github.getBranchHead = async () => undefined;
    await expect(readState(w.deps, {}, 8)).rejects.toThrow(
      new SweepConfigError("the default branch main has no commit to read the state at"),
    );
  });

  it("reads the records at a head resolved after the roles are listed: a role just granted has its record", async () => {
    // The app commits a grant record before it creates the role. A head resolved before the
    // roles are listed can predate a record whose role the listing then sees: that role would
    // be planned for revocation as unrecorded, a legitimate grant revoked as made by hand.
    const w = stepWorld();
    w.record(LIVE);
    const recordPath = LIVE.requestPath.replace(".yaml", ".grant.json");
    const before = "be40000000000000000000000000000000000004";
    let granted = false;
    const store = w.aws.store(PROD.id);
    const list = store.listGrantRoles.bind(store);
    store.listGrantRoles = async () => {
      granted = true;
      return list();
    };
    const { github } = w;
    const at = (ref: string, path: string) => ref !== before || path !== recordPath;
    // The fake types its head as one literal; this one moves.
    github.getBranchHead = (async () =>
      granted ? github.head : before) as unknown as typeof github.getBranchHead;
    const getFile = github.getFile.bind(github);
    github.getFile = async (ref, path) => (at(ref, path) ? getFile(ref, path) : undefined);
    const listFiles = github.listFiles.bind(github);
    github.listFiles = async (ref, dir) => (await listFiles(ref, dir)).filter((p) => at(ref, p));
    const state = await readState(w.deps, {}, 8);
    expect(state.head).toBe(github.head);
    expect(state.grants.map((g) => g.requestPath)).toEqual([LIVE.requestPath]);
  });

  it("refuses to start on invalid policies or audit delay, naming what to fix", async () => {
    const w = stepWorld();
    w.github.files.set("policies/accounts.yaml", "accounts: [");
    await expect(readState(w.deps, {}, 8)).rejects.toThrow(SweepConfigError);
    await expect(readState(stepWorld().deps, { auditDelay: "soon" }, 8)).rejects.toThrow(
      /^audit delay: /,
    );
  });

  it("reports an account it cannot list and a record it cannot read, and reads the rest", async () => {
    const w = stepWorld();
    w.record(LIVE);
    w.record(EXPIRED);
    w.github.files.set(EXPIRED.requestPath.replace(".yaml", ".grant.json"), "{ not json");
    w.aws.unreachable.add("210987654321");
    const state = await readState(w.deps, {}, 8);
    expect(state.roles.get("210987654321")).toBeUndefined();
    expect(state.roles.has("210987654321")).toBe(true);
    expect(state.grants.map((g) => g.requestPath)).toEqual([LIVE.requestPath]);
    expect(state.issues.map((i) => [i.step, i.subject])).toEqual([
      ["read", "account staging (210987654321)"],
      ["read", EXPIRED.requestPath.replace(".yaml", ".grant.json")],
    ]);
    expect(state.issues[1]?.message).toMatch(/^unreadable record .*fix or restore it from git/);
  });

  it("refuses a grant record that claims another request (it could make the sweep take that role)", async () => {
    const w = stepWorld();
    w.record(LIVE);
    w.record(EXPIRED);
    // expired's record now claims to be live's.
    w.github.files.set(EXPIRED.requestPath.replace(".yaml", ".grant.json"), JSON.stringify(LIVE));
    const state = await readState(w.deps, {}, 8);
    expect(state.grants.map((g) => g.requestPath)).toEqual([LIVE.requestPath]);
    expect(state.issues[0]?.message).toContain(
      `it is the grant record of ${LIVE.requestPath}, not of the request beside it`,
    );
  });

  it("notes the account each merged request without a grant record names", async () => {
    const w = stepWorld();
    w.github.files.set("access-requests/payments/new.yaml", "requester: bob\naccount: staging\n");
    w.github.files.set("access-requests/payments/broken.yaml", "account: [");
    const state = await readState(w.deps, {}, 8);
    expect([...state.requestAccounts]).toEqual([["access-requests/payments/new.yaml", "staging"]]);
  });
});

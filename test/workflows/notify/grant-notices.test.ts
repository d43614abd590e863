import { describe, expect, it } from "vitest";
import type { WebhookFor } from "../../../src/ports/notify.ts";
import { grantAccess } from "../../../src/workflows/grant-access.ts";
import { sendNotice } from "../../../src/workflows/notify/send-notice.ts";
import { releaseGrant } from "../../../src/workflows/release-grant.ts";
import { examplePolicies, examplePolicyFiles } from "../../support/example-policies.ts";
import { FakeGitHub } from "../../support/fake-github.ts";
import { FakeAwsAccounts } from "../../support/fake-grant-store.ts";
import { addMergedRequest, BASE_SHA, CODEOWNERS } from "../../support/merged-request.ts";

const NOW = new Date("2026-11-26T10:00:10Z");
const LATER = new Date("2026-11-26T10:30:00Z");

const SETTINGS = `${examplePolicyFiles["policies/settings.yaml"]}  notifications:
    channels:
      sre: { webhookEnv: HOOK_SRE }
      audit: { webhookEnv: HOOK_AUDIT, format: json }
    notify: [audit]
`;
const ROLES = examplePolicyFiles["policies/roles.yaml"].replace(
  "    maxDuration: 8h\n",
  "    maxDuration: 8h\n    notify: [sre]\n",
);

// biome-ignore lint/suspicious/noExplicitAny: posted bodies are inspected freely
type Posted = { env: string; body: any };

function world(failing: string[] = []) {
  const github = new FakeGitHub();
  github.setFiles(BASE_SHA, {
    ...examplePolicyFiles,
    "policies/settings.yaml": SETTINGS,
    "policies/roles.yaml": ROLES,
    ".github/CODEOWNERS": CODEOWNERS,
  });
  const posted: Posted[] = [];
  const warnings: string[] = [];
  const webhookFor: WebhookFor = (env) => async (body) => {
    if (failing.includes(env)) throw new Error(`the webhook of ${env} answered 500`);
    posted.push({ env, body });
  };
  const deps = {
    github,
    aws: new FakeAwsAccounts(),
    webhookFor,
    warn: (m: string) => warnings.push(m),
  };
  return { github, deps, posted, warnings };
}

describe("the grant's moments reach the channels", () => {
  it("tells the settings' and the role's channels once that access is granted, each in its format", async () => {
    const { github, deps, posted } = world();
    const pr = addMergedRequest(github);
    expect((await grantAccess(deps, pr, { now: NOW })).status).toBe("granted");
    expect(posted.map((p) => p.env)).toEqual(["HOOK_AUDIT", "HOOK_SRE"]);
    expect(posted[0]!.body).toMatchObject({
      event: "hallpass.granted",
      requester: "alice",
      role: "prod-readonly",
      account: "production",
      expiresAt: "2026-11-26T12:00:00Z",
    });
    expect(posted[1]!.body.text).toMatch(
      /^:unlock: \*Access granted\*: <https:\/\/github\.com\/acme\/access\/pull\/7\|#7>/,
    );

    // A redelivery of the merge finds the grant made: nobody is told twice.
    expect((await grantAccess(deps, pr, { now: NOW })).status).toBe("granted");
    expect(posted).toHaveLength(2);
  });

  it("a channel slower than the work's deadline never makes a finished grant look failed", async () => {
    const { github, deps, warnings } = world();
    const pr = addMergedRequest(github);
    const deadline = new AbortController();
    // The channel answers only after the work's deadline has passed (a timeout, a Retry-After).
    const slow: WebhookFor = () => async () => {
      deadline.abort(new Error("the merge handling reached its deadline"));
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const outcome = await grantAccess({ ...deps, webhookFor: slow }, pr, {
      now: NOW,
      deadline: deadline.signal,
    });
    expect(outcome).toMatchObject({ status: "granted", created: true });
    expect(github.comment(pr, "<!-- hallpass:grant-error -->")).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("a failing channel is logged and never stops the grant", async () => {
    const { github, deps, posted, warnings } = world(["HOOK_AUDIT"]);
    const pr = addMergedRequest(github);
    expect((await grantAccess(deps, pr, { now: NOW })).status).toBe("granted");
    expect(posted.map((p) => p.env)).toEqual(["HOOK_SRE"]);
    expect(warnings).toEqual([
      "hallpass notification not sent: channel audit: the webhook of HOOK_AUDIT answered 500",
    ]);
  });

  it("tells who gave the access back early with /hallpass revoke, once", async () => {
    const { github, deps, posted } = world();
    const pr = addMergedRequest(github);
    await grantAccess(deps, pr, { now: NOW });
    posted.length = 0;
    expect((await releaseGrant(deps, pr, "alice", { now: LATER })).status).toBe("revoked");
    expect(posted.map((p) => [p.env, p.body.event ?? p.body.text.split("\n")[0]])).toEqual([
      ["HOOK_AUDIT", "hallpass.revoked"],
      ["HOOK_SRE", ":lock: *Access revoked*: <https://github.com/acme/access/pull/7|#7>"],
    ]);
    expect(posted[0]!.body.people).toEqual(["@alice"]);
    expect((await releaseGrant(deps, pr, "alice", { now: LATER })).status).toBe("already-revoked");
    expect(posted).toHaveLength(2);
  });
});

describe("sendNotice", () => {
  it("sends nothing and says nothing when no channel is configured", async () => {
    let called = false;
    const failures = await sendNotice(
      () => {
        called = true;
        return async () => {};
      },
      examplePolicies(),
      { moment: "granted", pullRequest: { number: 1, url: "https://x" }, role: "db-admin" },
    );
    expect(failures).toEqual([]);
    expect(called).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { channelsFor, mentionsOf } from "../../../src/core/notify/notice.ts";
import { loadPolicies } from "../../../src/core/policy/load-policies.ts";
import { examplePolicySources } from "../../support/example-policies.ts";

const settings = (notifications: string) => `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  notifications:
${notifications}
`;

const WITH_CHANNELS = settings(`    channels:
      everyone: { webhookEnv: HOOK_ALL }
      dba: { webhookEnv: HOOK_DBA, format: json }
    notify: [everyone]
    remindAfter: 4h
    closeAfter: 3d
    expiryWarning: 15m`);

function load(settingsFile: string, roles?: string) {
  return loadPolicies(
    examplePolicySources({
      "policies/settings.yaml": settingsFile,
      ...(roles ? { "policies/roles.yaml": roles } : {}),
    }),
  );
}

const ROLE_WITH_NOTIFY = `roles:
  db-read:
    description: Read the databases.
    accounts: [production]
    maxDuration: 4h
    notify: [dba, everyone]
    permissions:
      managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    approval:
      rules:
        - count: 1
`;

describe("channelsFor: who is told of a role's requests", () => {
  it("tells nobody by default", () => {
    const { policies } = load(settings("    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK"));
    expect(channelsFor(policies!, "prod-readonly")).toEqual([]);
  });

  it("tells the settings' channels and the role's own, each once, slack by default", () => {
    const { policies, problems } = load(WITH_CHANNELS, ROLE_WITH_NOTIFY);
    expect(problems).toEqual([]);
    expect(channelsFor(policies!, "db-read")).toEqual([
      { name: "everyone", webhookEnv: "HOOK_ALL", format: "slack" },
      { name: "dba", webhookEnv: "HOOK_DBA", format: "json" },
    ]);
    expect(channelsFor(policies!, undefined)).toEqual([
      { name: "everyone", webhookEnv: "HOOK_ALL", format: "slack" },
    ]);
  });
});

describe("policies: notification settings are checked where they are written", () => {
  it("refuses a channel that is not defined, naming the field and the near name", () => {
    const { policies, problems } = load(
      WITH_CHANNELS,
      ROLE_WITH_NOTIFY.replace("[dba, everyone]", "[dbas]"),
    );
    expect(policies).toBeUndefined();
    expect(problems).toEqual([
      expect.objectContaining({
        file: "policies/roles.yaml",
        field: "roles.db-read.notify.0",
        message: expect.stringMatching(/channel "dbas" is not defined.*dba/),
      }),
    ]);
  });

  it("refuses closing before reminding", () => {
    const { problems } = load(WITH_CHANNELS.replace("closeAfter: 3d", "closeAfter: 2h"));
    expect(problems).toEqual([
      expect.objectContaining({
        field: "settings.notifications.closeAfter",
        message: expect.stringContaining("must be longer than remindAfter (4h)"),
      }),
    ]);
  });

  it("refuses a webhook URL written in place of its variable", () => {
    const { problems } = load(
      WITH_CHANNELS.replace("webhookEnv: HOOK_ALL", "webhookEnv: https://hooks.slack.com/x"),
    );
    expect(problems.map((p) => p.field)).toEqual([
      "settings.notifications.channels.everyone.webhookEnv",
    ]);
  });

  it("refuses a duration it cannot read", () => {
    const { problems } = load(WITH_CHANNELS.replace("expiryWarning: 15m", "expiryWarning: soon"));
    expect(problems.map((p) => p.field)).toEqual(["settings.notifications.expiryWarning"]);
  });
});

describe("mentionsOf", () => {
  it("names users as @login and teams as @owner/team, users first", () => {
    expect(mentionsOf({ users: ["bob", "Carol"], teams: ["dba", "sre"] }, "acme")).toEqual([
      "@bob",
      "@Carol",
      "@acme/dba",
      "@acme/sre",
    ]);
  });

  it("names no one when no one is asked", () => {
    expect(mentionsOf({ users: [], teams: [] }, "acme")).toEqual([]);
  });
});

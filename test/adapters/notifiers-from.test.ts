import { describe, expect, it } from "vitest";
import { notifiersFrom } from "../../src/adapters/slack-notifier.ts";

describe("notifiersFrom", () => {
  it("posts an alert to the webhook the named variable holds, read when it is asked for", async () => {
    const posted: { url: string; body: unknown }[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      posted.push({ url, body: JSON.parse(String(init.body)) });
      return new Response("ok", { status: 200 });
    }) as unknown as typeof globalThis.fetch;
    const env: Record<string, string | undefined> = {};
    const notifierFor = notifiersFrom(env, { fetch });
    env.SLACK_ALERTS = "https://hooks.slack.test/T/B/secret";
    await notifierFor("SLACK_ALERTS")?.("role created");
    expect(posted).toEqual([
      { url: "https://hooks.slack.test/T/B/secret", body: { text: "role created" } },
    ]);
  });

  it("gives no notifier, and says which variable, when the variable is not set", () => {
    const unset: string[] = [];
    const notifierFor = notifiersFrom({ OTHER: "x" }, {}, (name) => unset.push(name));
    expect(notifierFor("SLACK_ALERTS")).toBeUndefined();
    expect(unset).toEqual(["SLACK_ALERTS"]);
    expect(notifiersFrom({})("SLACK_ALERTS")).toBeUndefined();
  });
});

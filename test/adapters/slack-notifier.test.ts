import { describe, expect, it } from "vitest";
import { createSlackNotifier } from "../../src/adapters/slack-notifier.ts";

const URL_SECRET = "https://hooks.slack.example/services/T0/B0/very-secret";

function fakeFetch(responses: Response[]) {
  const calls: { url: string; body: string }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: String(init.body) });
    const next = responses.shift();
    if (!next) throw new Error("no more responses");
    return next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("Slack notifier", () => {
  it("posts the text as JSON to the webhook", async () => {
    const f = fakeFetch([new Response("ok", { status: 200 })]);
    await createSlackNotifier({ webhookUrl: URL_SECRET, fetch: f.fetch }).notify("alert!");
    expect(f.calls).toEqual([{ url: URL_SECRET, body: '{"text":"alert!"}' }]);
  });

  it("retries once after Slack's Retry-After on 429", async () => {
    const waits: number[] = [];
    const f = fakeFetch([
      new Response("rate_limited", { status: 429, headers: { "retry-after": "2" } }),
      new Response("ok", { status: 200 }),
    ]);
    await createSlackNotifier({
      webhookUrl: URL_SECRET,
      fetch: f.fetch,
      sleep: async (ms) => {
        waits.push(ms);
      },
    }).notify("alert!");
    expect(waits).toEqual([2000]);
    expect(f.calls).toHaveLength(2);
  });

  it("fails with Slack's answer but never shows the webhook URL", async () => {
    const f = fakeFetch([new Response("invalid_token", { status: 403 })]);
    const error = await createSlackNotifier({ webhookUrl: URL_SECRET, fetch: f.fetch })
      .notify("alert!")
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(/answered 403 invalid_token/);
    expect((error as Error).message).not.toContain("very-secret");
  });

  it("never shows part of the webhook URL when an echo of it crosses where the answer is cut", async () => {
    // The URL starts at character 170 and the answer is cut at 200: cut first, its start stayed.
    const echo = `${"x".repeat(170)}${URL_SECRET} was not found`;
    const f = fakeFetch([new Response(echo, { status: 404 })]);
    const error = await createSlackNotifier({ webhookUrl: URL_SECRET, fetch: f.fetch })
      .notify("alert!")
      .catch((e: Error) => e);
    expect((error as Error).message).toContain("<webhook URL>");
    expect((error as Error).message).not.toContain("hooks.slack.example");
  });

  it("never shows the webhook URL when the real fetch cannot parse it (secret saved without https://)", async () => {
    // Node's fetch says "Failed to parse URL from <the URL>"; the sweep puts notify errors on
    // the dashboard issue, which everyone who can read the repository sees.
    const error = await createSlackNotifier({
      webhookUrl: "hooks.slack.example/services/T0/B0/very-secret",
    })
      .notify("alert!")
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/cannot reach the Slack webhook/);
    expect((error as Error).message).not.toContain("very-secret");
  });
});

/**
 * Slack incoming webhook: where alerts go besides the PR comment, when policies name the secret
 * (`settings.notifications.slackWebhookEnv`). The URL is a secret: it never appears in an error
 * message or a log line.
 */

import { fetchWithTimeouts, type NetworkTimeouts } from "./network-timeouts.ts";

/** Sends one alert message. Throws when it could not be delivered. */
export interface Notifier {
  notify(text: string): Promise<void>;
}

export interface SlackNotifierOptions {
  webhookUrl: string;
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Timeouts of each post. Default DEFAULT_NETWORK_TIMEOUTS. */
  timeouts?: NetworkTimeouts;
  /** Waits before a retry (Slack's Retry-After on 429). */
  sleep?: (ms: number) => Promise<void>;
}

/** A notifier that posts `{ text }` to the webhook, retrying once on 429 or a 5xx. */
export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const doFetch = fetchWithTimeouts(options.timeouts, options.fetch);
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  return {
    async notify(text) {
      for (let attempt = 1; ; attempt++) {
        let response: Response;
        try {
          response = await doFetch(options.webhookUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text }),
          });
        } catch (error) {
          // Node's fetch names the URL it cannot parse ("Failed to parse URL from <url>"), and
          // the sweep shows this message on the dashboard issue: the secret is cut out.
          const message = String((error as Error).message);
          const reason = options.webhookUrl
            ? message.split(options.webhookUrl).join("<webhook URL>")
            : message;
          throw new Error(
            `cannot reach the Slack webhook: ${reason}. The alert is still on the PR.`,
          );
        }
        if (response.ok) return;
        const retryable = response.status === 429 || response.status >= 500;
        if (retryable && attempt < 2) {
          const after = Number(response.headers.get("retry-after") ?? "1");
          await sleep(Math.min(30, Number.isFinite(after) ? after : 1) * 1000);
          continue;
        }
        throw new Error(
          `the Slack webhook answered ${response.status} ${await response.text().catch(() => "")}`.trim() +
            ". Check the webhook secret named by settings.notifications.slackWebhookEnv; the alert is still on the PR.",
        );
      }
    },
  };
}

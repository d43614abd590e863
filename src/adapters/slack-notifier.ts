/**
 * Webhooks: Slack's incoming webhook, where alerts go besides the PR comment when policies name
 * the secret (`settings.notifications.slackWebhookEnv`), and the notification channels
 * (`settings.notifications.channels`), Slack or any receiver of JSON. The URL is a secret: it
 * never appears in an error message or a log line.
 */

import type { WebhookFor } from "../ports/notify.ts";
import { fetchWithTimeouts, type NetworkTimeouts } from "./network-timeouts.ts";

/** Sends one alert message. Throws when it could not be delivered. */
export interface Notifier {
  notify(text: string): Promise<void>;
}

/** Posts one JSON document to a webhook. Throws (without the URL) when it was not delivered. */
export type PostWebhook = (body: unknown) => Promise<void>;

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
  const post = createWebhookPoster(options, {
    name: "the Slack webhook",
    where:
      "Check the webhook secret named by settings.notifications.slackWebhookEnv; the alert is still on the PR.",
    unreachable: "The alert is still on the PR.",
  });
  return { notify: (text) => post({ text }) };
}

/** How a poster's errors name its webhook and say what to do. */
export interface WebhookWording {
  /** "the Slack webhook", "the webhook of channel dba". */
  name: string;
  /** What to do when the receiver refuses. */
  where: string;
  /** What to know when it cannot be reached. */
  unreachable: string;
}

/** Posts JSON documents to `options.webhookUrl`, retrying once on 429 or a 5xx. */
export function createWebhookPoster(
  options: SlackNotifierOptions,
  wording: WebhookWording,
): PostWebhook {
  const doFetch = fetchWithTimeouts(options.timeouts, options.fetch);
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  return async (body) => {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(options.webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      } catch (error) {
        // Node's fetch names the URL it cannot parse ("Failed to parse URL from <url>"), and
        // the sweep shows this message on the dashboard issue: the secret is cut out.
        const message = String((error as Error).message);
        const reason = options.webhookUrl
          ? message.split(options.webhookUrl).join("<webhook URL>")
          : message;
        throw new Error(`cannot reach ${wording.name}: ${reason}. ${wording.unreachable}`);
      }
      if (response.ok) return;
      const retryable = response.status === 429 || response.status >= 500;
      if (retryable && attempt < 2) {
        const after = Number(response.headers.get("retry-after") ?? "1");
        await sleep(Math.min(30, Number.isFinite(after) ? after : 1) * 1000);
        continue;
      }
      // The receiver's answer is cleared of the URL (it may echo the request), then cut short:
      // cut first, an echo across the cut would keep the start of the secret.
      const answer = (await response.text().catch(() => ""))
        .split(options.webhookUrl)
        .join("<webhook URL>")
        .slice(0, 200);
      const said = `${wording.name} answered ${response.status} ${answer}`.trim();
      throw new Error(`${said}. ${wording.where}`);
    }
  };
}

/**
 * The Slack alert notifiers, each read from the variable the policies name when it is needed
 * (so the variable the current policies name is the one used); undefined, and `onUnset` told,
 * when it is not set.
 */
export function notifiersFrom(
  env: Readonly<Record<string, string | undefined>>,
  options: Omit<SlackNotifierOptions, "webhookUrl"> = {},
  onUnset?: (envName: string) => void,
): (envName: string) => Notifier["notify"] | undefined {
  return (envName) => {
    const webhookUrl = env[envName];
    if (!webhookUrl) {
      onUnset?.(envName);
      return undefined;
    }
    return createSlackNotifier({ ...options, webhookUrl }).notify;
  };
}

/**
 * The channels' posters, each read from the variable the policies name when it is needed (so
 * the variable the current policies name is the one used); undefined when it is not set.
 */
export function webhooksFrom(
  env: Readonly<Record<string, string | undefined>>,
  options: Omit<SlackNotifierOptions, "webhookUrl"> = {},
): WebhookFor {
  return (envName, channel) => {
    const webhookUrl = env[envName];
    if (!webhookUrl) return undefined;
    return createWebhookPoster(
      { ...options, webhookUrl },
      {
        name: `the webhook of channel ${channel}`,
        where: `Check the secret ${envName} that settings.notifications.channels names for it.`,
        unreachable: "The pull request has the news.",
      },
    );
  };
}

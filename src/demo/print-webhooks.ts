/**
 * The demo's stand-in of the notification channels' webhooks: nothing leaves the machine; each
 * message the app or the sweep would post is printed under the step that sent it.
 */

import type { WebhookFor } from "../ports/notify.ts";
import type { Narrator } from "./narrator.ts";

/** A `webhookFor` that prints each posted message (Slack's text, or the JSON document). */
export function printWebhooks(say: Narrator): WebhookFor {
  return (_envName, channel) => async (body) => {
    const text =
      typeof body === "object" && body !== null && "text" in body
        ? String((body as { text: unknown }).text)
        : JSON.stringify(body);
    say.say(`   → channel ${channel} would receive:`);
    say.quote(text, 6);
  };
}

/**
 * The example settings with a channel turned on for the demo: every request's moments go to
 * "approvers", and the expiry warning comes an hour ahead so the story's first sweep shows it.
 */
export function withDemoChannel(settings: string): string {
  return settings.replace(
    "    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK\n",
    `    slackWebhookEnv: HALLPASS_SLACK_WEBHOOK
    channels:
      approvers: { webhookEnv: HALLPASS_APPROVERS_WEBHOOK }
    notify: [approvers]
    expiryWarning: 1h
`,
  );
}

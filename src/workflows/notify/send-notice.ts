/**
 * Posts a notice to every channel the policies name for its role, each in its format. A
 * notification is never worth a failed grant, revocation or sweep: every failure (an unset
 * variable, a refusing or unreachable receiver) is returned as a message for the caller to log
 * or list, never thrown, and never carries the webhook URL.
 */

import { channelsFor, type Notice } from "../../core/notify/notice.ts";
import { renderNoticeDocument, renderSlackNotice } from "../../core/notify/render-notice.ts";
import type { Policies } from "../../core/policy/policy-format.ts";
import { errorMessage } from "../../core/text/error-message.ts";
import type { WebhookFor } from "../../ports/notify.ts";

/**
 * Sends `notice` to the channels of `notice.role`; returns one message per channel that failed
 * (empty when every channel got it, or when none is configured).
 */
export async function sendNotice(
  webhookFor: WebhookFor | undefined,
  policies: Policies | undefined,
  notice: Notice,
): Promise<string[]> {
  const channels = policies ? channelsFor(policies, notice.role) : [];
  const failures: string[] = [];
  for (const channel of channels) {
    const post = webhookFor?.(channel.webhookEnv, channel.name);
    if (!post) {
      failures.push(
        `channel ${channel.name}: ${channel.webhookEnv} is not set, so the ${notice.moment} notice of #${notice.pullRequest.number} was not sent. Set it where the app's and the sweep's secrets are (docs/app.md).`,
      );
      continue;
    }
    const body =
      channel.format === "json"
        ? renderNoticeDocument(notice)
        : { text: renderSlackNotice(notice) };
    try {
      await post(body);
    } catch (error) {
      failures.push(`channel ${channel.name}: ${errorMessage(error)}`);
    }
  }
  return failures;
}

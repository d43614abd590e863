/**
 * Notification webhooks, as the workflows reach them: the shell resolves a channel's variable
 * (named by the policies, held by the environment or the app's secret) to a poster. The URL
 * stays in the shell; a workflow only ever sees the poster and its errors, which never carry it.
 */

/**
 * The poster of the webhook whose URL is in environment variable `envName` (for channel
 * `channel`, named in its errors), or undefined when that variable is not set.
 */
export type WebhookFor = (
  envName: string,
  channel: string,
) => ((body: unknown) => Promise<void>) | undefined;

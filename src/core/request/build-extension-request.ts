/**
 * The extension request `/hallpass extend <duration>` opens for a requester: a new request file
 * under their folder, with `extends:` naming the original, the same role and account, the
 * duration asked, and the original's reason and ticket. Pure; judged afterwards by the request
 * validation itself, so the command gets the very messages a request file would.
 */

import type { GrantRecord } from "../grant/records.ts";
import { markdownCode, markdownMention } from "../text/escape-markdown.ts";
import { renderRequestFile } from "./render-request-file.ts";
import type { AccessRequest } from "./request-format.ts";

/** The command's place: the original pull request and the comment that gave the command. */
export interface ExtendCommand {
  pullNumber: number;
  commentId: number;
  duration: string;
}

/** The extension's file, branch and pull request text. */
export interface ExtensionRequest {
  branch: string;
  file: { path: string; content: string };
  commitMessage: string;
  title: string;
  body: string;
}

/**
 * The extension of `record` (the grant of `original`, the request as merged) asked by `command`.
 * One branch and one file per command comment, so a redelivery finds its pull request again.
 */
export function buildExtensionRequest(
  record: GrantRecord,
  original: AccessRequest,
  command: ExtendCommand,
): ExtensionRequest {
  const { requester } = record;
  const name = `extend-${command.pullNumber}-${command.commentId}`;
  const path = `access-requests/${requester}/${name}.yaml`;
  const request: AccessRequest = {
    requester,
    role: record.role,
    account: record.account.name,
    duration: command.duration,
    reason: `Extension of #${command.pullNumber}: ${original.reason}`,
    ...(original.ticket ? { ticket: original.ticket } : {}),
    extends: record.requestPath,
  };
  const content = renderRequestFile(request, {
    schema: "../schema.json",
    note: `Written by hallpass for /hallpass extend on #${command.pullNumber}, in its requester's name.`,
  });
  return {
    branch: `hallpass/${name}`,
    file: { path, content },
    commitMessage: `hallpass: extend ${record.requestPath} by ${command.duration} for ${requester}`,
    title: `Extend ${record.role} in ${record.account.name} by ${command.duration} for ${requester}`,
    body: [
      `${markdownMention(requester)} asked to extend their access of #${command.pullNumber} (${markdownCode(record.requestPath)}) by ${markdownCode(command.duration)} with \`/hallpass extend\`.`,
      "",
      `hallpass opened this pull request in their name: they are the requester and cannot approve it. The role's approval rules apply as to any request; its grant replaces the one of #${command.pullNumber} without a gap.`,
    ].join("\n"),
  };
}

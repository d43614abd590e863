import type { CorpusCases } from "./bytes.ts";

/**
 * Comments on the merged, granted PR 7 (`<case>.json`: `{"login", "type", "body"}`), delivered
 * as `issue_comment.created`. alice is the requester and sam approved: both may revoke;
 * mallory may not. A case says whether the command was recognised (a reply, or a revocation)
 * and who it was taken from.
 */

const comment = (login: string, body: string, type = "User"): string =>
  `${JSON.stringify({ login, type, body })}\n`;

const COMMAND = "/hallpass revoke";

export const commentCases: CorpusCases = {
  // Who: only the requester and the approvers may revoke, whatever the login looks like.
  "stranger.json": comment("mallory", COMMAND),
  "requester-cyrillic-homoglyph.json": comment("\u0430lice", COMMAND),
  "requester-zero-width.json": comment("ali\u200bce", COMMAND),
  "requester-trailing-space.json": comment("alice ", COMMAND),
  "requester-with-bot-suffix.json": comment("alice[bot]", COMMAND),
  "requester-as-bot-type.json": comment("alice", COMMAND, "Bot"),
  "requester-as-organization-type.json": comment("alice", COMMAND, "Organization"),
  "approver-fullwidth.json": comment("\uff53\uff41\uff4d", COMMAND),
  "login-with-nul.json": comment("alice\u0000", COMMAND),
  "login-huge.json": comment("a".repeat(100_000), COMMAND),
  "login-empty.json": comment("", COMMAND),
  // What: spellings of the command, from someone who may not revoke (a reply says it was read).
  "command-no-break-space.json": comment("mallory", "/hallpass\u00a0revoke"),
  "command-zero-width-space.json": comment("mallory", "/hallpass\u200brevoke"),
  "command-fullwidth-solidus.json": comment("mallory", "\uff0fhallpass revoke"),
  "command-cyrillic-e.json": comment("mallory", "/hallpass r\u0435voke"),
  "command-upper-case.json": comment("mallory", "/HALLPASS REVOKE"),
  "command-with-suffix.json": comment("mallory", "/hallpass revoke-all"),
  "command-with-argument.json": comment("mallory", "/hallpass revoke now please"),
  "command-in-sentence.json": comment("mallory", "please do not /hallpass revoke yet"),
  "command-quoted-reply.json": comment("mallory", "> /hallpass revoke\n\nWhy would I?"),
  "command-twice.json": comment("mallory", `${COMMAND}\n${COMMAND}`),
  "command-bidi-override.json": comment("mallory", "\u202e/hallpass revoke"),
  "command-after-crlf.json": comment("mallory", `thanks\r\n${COMMAND}\r\n`),
  "command-ansi-escape.json": comment("mallory", `\u001b[2J${COMMAND}`),
  "command-html-injection.json": comment(
    "mallory",
    `${COMMAND}\n<img src=x onerror=alert(1)> @acme/security [x](https://evil.example)`,
  ),
  "command-at-end-of-max-comment.json": comment(
    "mallory",
    `${"x".repeat(65_536 - COMMAND.length - 1)}\n${COMMAND}`,
  ),
  "empty-body.json": comment("mallory", ""),
  // Catastrophic backtracking: GitHub accepts comments of up to 65,536 characters.
  "only-newlines.json": comment("mallory", "\n".repeat(65_536)),
  "only-crlf.json": comment("mallory", "\r\n".repeat(32_768)),
  "spaces-and-newlines.json": comment("mallory", " \n".repeat(32_768)),
  "command-then-many-spaces.json": comment("mallory", `/hallpass ${" ".repeat(65_000)}x`),
  "newlines-then-command-by-requester.json": comment("alice", `${"\n".repeat(60_000)}${COMMAND}`),
  // Text that shows the command without giving it, from the requester (who could revoke).
  "requester-code-fence.json": comment(
    "alice",
    `To end it early, comment:\n\n\`\`\`\n${COMMAND}\n\`\`\``,
  ),
  "requester-tilde-fence.json": comment("alice", `~~~\n${COMMAND}\n~~~`),
  "requester-indented-code.json": comment("alice", `To end it early, comment:\n\n    ${COMMAND}\n`),
  "requester-html-comment.json": comment("alice", `Thanks!\n<!--\n${COMMAND}\n-->`),
  "requester-inline-code.json": comment("alice", `\`${COMMAND}\``),
  "requester-quoted.json": comment("alice", `> ${COMMAND}`),
  "approver-code-fence.json": comment("sam", `\`\`\`text\n${COMMAND}\n\`\`\``),
};

/**
 * The reviewers' view of what a role really allows (see `describeRoleAccess`): a warning line for
 * actions that can create lasting access, then each service's access levels with the actions.
 */

import { markdownCode, markdownText } from "../text/escape-markdown.ts";
import { ACCESS_LEVELS, type RoleAccess } from "./describe-role-access.ts";

/**
 * Most actions listed per level and in the warning: `rds:*` alone is hundreds of names, and the
 * check's summary must stay within GitHub's 65,535 characters with everything else on it.
 */
const MAX_NAMES = 25;

function names(list: readonly string[]): string {
  const shown = list.slice(0, MAX_NAMES).map(markdownCode).join(", ");
  return list.length > MAX_NAMES ? `${shown} and ${list.length - MAX_NAMES} more` : shown;
}

/** Markdown lines for the check's summary; none when the role has no inline Allow statement. */
export function renderRoleAccess(access: RoleAccess): string[] {
  const lines: string[] = [];
  if (access.allActions) {
    lines.push("> [!WARNING]", "> **Every action of every service** (`*`) is allowed.", "");
  }
  if (access.lasting.length > 0) {
    lines.push(
      "> [!WARNING]",
      `> **Can create lasting access:** ${names(access.lasting)} (AWS's permissions management level, and every IAM write: ${access.lasting.length} in all).`,
      "",
    );
  }
  if (access.services.length > 0) {
    lines.push(
      "| service | List | Read | Write | Permissions management | Tagging |",
      "|---|---|---|---|---|---|",
    );
    for (const s of access.services) {
      const counts = ACCESS_LEVELS.map((l) => String(s.levels[l].length));
      lines.push(
        `| ${markdownCode(s.service)}${s.everything ? " (all)" : ""} | ${counts.join(" | ")} |`,
      );
    }
    lines.push("");
    for (const s of access.services) {
      for (const level of ACCESS_LEVELS) {
        if (s.levels[level].length === 0) continue;
        lines.push(
          `- ${markdownCode(s.service)} ${markdownText(level)}: ${names(s.levels[level])}`,
        );
      }
    }
    lines.push("");
  }
  if (access.unknown.length > 0) {
    lines.push(
      `Not in AWS's published actions (a typo, or a service newer than hallpass's data): ${names(access.unknown)}.`,
      "",
    );
  }
  return lines;
}

import { bytes, type CorpusCases, padTo } from "./bytes.ts";

/**
 * CODEOWNERS files (`<case>.codeowners`) on the base branch of an open access pull request for
 * `access-requests/alice-db.yaml`, which sam (of @acme/sre) approved; the requester is alice.
 * The app reads them when it evaluates the pull request; what people see is the check run.
 */

const GOOD = "access-requests/ @acme/sre @acme/dba\n";
const MAX = 3 * 1024 * 1024;

function ofSize(size: number): string {
  return `${padTo(`${GOOD}# `, size - 1, "x")}\n`;
}

export const codeownersCases: CorpusCases = {
  // Nothing usable.
  "empty.codeowners": "",
  "only-comments.codeowners": "# access-requests/ @acme/sre\n",
  "pattern-without-owners.codeowners": `${GOOD}access-requests/\n`,
  "owned-by-requester-only.codeowners": "access-requests/ @alice\n",
  "star-owned-by-requester.codeowners": `${GOOD}* @alice\n`,
  // Owners that look right and are not.
  "team-cyrillic-homoglyph.codeowners": "access-requests/ @\u0430cme/sre\n",
  "team-zero-width.codeowners": "access-requests/ @acme/s\u200bre\n",
  "team-traversal.codeowners": "access-requests/ @acme/../sre\n",
  "team-bidi-override.codeowners": "access-requests/ @acme/\u202eers\n",
  "owner-email.codeowners": "access-requests/ sam@example.com\n",
  "owner-bare-at.codeowners": "access-requests/ @\n",
  "owner-with-nul.codeowners": "access-requests/ @acme/sre\u0000\n",
  "owner-upper-case-team.codeowners": "access-requests/ @ACME/SRE\n",
  "owners-tab-separated.codeowners": "access-requests/\t@acme/sre\t@acme/dba\n",
  // Patterns GitHub reads differently from gitignore, or not at all.
  "negation.codeowners": `${GOOD}!access-requests/alice-db.yaml @alice\n`,
  "character-range.codeowners": `${GOOD}access-requests/[a-z]*.yaml @alice\n`,
  "escaped-hash.codeowners": `${GOOD}\\#access-requests/ @alice\n`,
  "upper-case-pattern.codeowners": "ACCESS-REQUESTS/ @acme/sre\n",
  "sibling-prefix-double-star.codeowners": "access-requests-old/** @acme/sre\n",
  "direct-children-only.codeowners": "/access-requests/* @acme/sre\n",
  "double-star-everywhere.codeowners": "**/**/**/**/**/**/**/**/**/*.yaml @acme/sre\n",
  "catastrophic-stars.codeowners": `${"*".repeat(200)}z @alice\n${GOOD}`,
  "catastrophic-alternating.codeowners": `${"*a".repeat(100)}* @alice\n${GOOD}`,
  "pattern-with-escaped-space.codeowners":
    "access\\ requests/ @alice\naccess-requests/ @acme/sre\n",
  "dot-dot-pattern.codeowners": `${GOOD}../access-requests/ @alice\n`,
  "last-rule-unowns.codeowners": `${GOOD}*.yaml\n`,
  // Encoding damage.
  "bom.codeowners": `\uFEFF${GOOD}`,
  "crlf.codeowners": GOOD.replace("\n", "\r\n"),
  "cr-only.codeowners": `# owners\r${GOOD.replace("\n", "\r")}`,
  "invalid-utf8.codeowners": bytes("access-requests/ @acme/sre @acme/db", [0xc3, 0x28], "\n"),
  "nul-in-pattern.codeowners": "access-requests/\u0000 @alice\naccess-requests/ @acme/sre\n",
  // Sizes.
  "size-just-under-cap.codeowners": ofSize(MAX - 1),
  "size-at-cap.codeowners": ofSize(MAX),
  "fifty-thousand-rules.codeowners": `${GOOD}${Array.from({ length: 50_000 }, (_, i) => `dir${i}/ @acme/team${i % 100}\n`).join("")}`,
  "one-long-line.codeowners": `access-requests/ @acme/sre ${"@acme/x ".repeat(20_000)}\n`,
};

import { describe, expect, it } from "vitest";
import {
  htmlText,
  markdownCode,
  markdownCodeCell,
  markdownCommentText,
  markdownLink,
  markdownMention,
  markdownOwner,
  markdownPathUrl,
  markdownText,
  markdownUrl,
} from "../../../src/core/text/escape-markdown.ts";
import { linksIn, renderMarkdown, tableRows, textOf } from "../../support/render-markdown.ts";

/** Values a request, a policy or CloudTrail can carry, each trying another piece of markup. */
const HOSTILE = [
  "access-requests/x](https://evil.example)[y.yaml",
  "![pixel](https://evil.example/p.png)",
  "a | b | c",
  "<img src=x onerror=alert(1)>",
  "<!-- hidden --> <details open>",
  "`code` and ``more``",
  "**bold** _it_ ~~gone~~ # not a heading",
  "line one\n# heading\n- item\n| x | y |",
  "\\` backslash then backtick",
  "&lt;b&gt; entity",
  "1. numbered",
  "- dash",
  "[link][ref]\n\n[ref]: https://evil.example",
];

describe("markdownText", () => {
  it.each(HOSTILE)("shows %j as itself, with no link, tag or block", (value) => {
    const line = `Reason: ${markdownText(value)}`;
    const html = renderMarkdown(line);
    expect(linksIn(line)).toEqual([]);
    expect(html).not.toMatch(/<(img|details|h\d|li|table|strong|em|s|code)\b/);
    expect(textOf(line).trim()).toBe(`Reason: ${value.replace(/\n+/g, " ")}`);
  });

  it("keeps a table row at its cells whatever the value holds", () => {
    const value = "a | b `|` c\nd";
    const table = `| A | B |\n|---|---|\n| ${markdownText(value)} | ${markdownCodeCell(value)} |`;
    expect(tableRows(table)).toEqual([
      ["A", "B"],
      ["a | b `|` c d", "a | b `|` c d"],
    ]);
  });

  it("defuses @mentions and keeps ordinary text readable", () => {
    expect(markdownText("ping @acme/everyone")).toBe("ping @\u200bacme/everyone");
    expect(markdownText("access-requests/2026/dan-db.yaml")).toBe(
      "access-requests/2026/dan-db.yaml",
    );
    expect(markdownText("- item")).toBe("\\- item");
  });
});

describe("markdownCode", () => {
  it.each([
    "arn:aws:s3:::bucket`name",
    "``",
    "`starts",
    "ends`",
    "a ``` b",
    "<b>@team</b>",
    "back\\slash",
  ])("keeps %j exactly inside one code span", (value) => {
    const html = renderMarkdown(`x ${markdownCode(value)} y`);
    expect(html.match(/<code>/g)).toHaveLength(1);
    expect(textOf(`x ${markdownCode(value)} y`).trim()).toBe(`x ${value} y`);
  });

  it("holds a value with more backtick runs than a call takes arguments", () => {
    const value = "a`".repeat(200_000);
    expect(markdownCode(value)).toBe(`\`\` ${value} \`\``);
  });

  it("puts a line break's text on one line", () => {
    expect(markdownCode("a\nb")).toBe("`a b`");
  });
});

describe("markdownMention", () => {
  it("pings a login and nothing that only claims to be one", () => {
    expect(markdownMention("dan")).toBe("@dan");
    expect(markdownMention("hallpass-app[bot]")).toBe("@hallpass-app[bot]");
    expect(markdownMention("acme/everyone")).toBe("acme/everyone");
    expect(markdownMention("dan @acme/admins")).toBe("dan @\u200bacme/admins");
    expect(markdownMention("x](https://evil.example)")).toBe("x\\](https://evil.example)");
  });

  it("pings an owner token as CODEOWNERS writes it, and nothing else", () => {
    expect(markdownOwner("@acme/db-admins")).toBe("@acme/db-admins");
    expect(markdownOwner("@carol")).toBe("@carol");
    expect(markdownOwner("carol@example.com")).toBe("carol@\u200bexample.com");
    expect(markdownOwner("@acme/x [y](https://evil.example)")).toBe(
      "@\u200bacme/x \\[y\\](https://evil.example)",
    );
  });
});

describe("markdown links", () => {
  it("keeps http(s) and relative links, percent-encoding what would end them", () => {
    expect(markdownUrl("https://github.com/acme/access/pull/4")).toBe(
      "https://github.com/acme/access/pull/4",
    );
    expect(markdownUrl("../pull/4) [x](https://evil.example")).toBe(
      "../pull/4%29%20%5Bx%5D%28https://evil.example",
    );
    expect(markdownUrl("javascript:alert(1)")).toBeUndefined();
    expect(markdownUrl("data:text/html,x")).toBeUndefined();
  });

  it("links to exactly one place, whatever the text and the path", () => {
    const path = "access-requests/a) [b](https://evil.example|c>.audit.md\nd";
    const line = markdownLink(path, `../blob/HEAD/${markdownPathUrl(path)}`);
    expect(linksIn(line)).toEqual([
      "../blob/HEAD/access-requests/a%29%20%5Bb%5D%28https%3A//evil.example%7Cc%3E.audit.md%0Ad",
    ]);
    expect(textOf(line).trim()).toBe(path.replace("\n", " "));
  });

  it("gives the text alone for a URL it will not link", () => {
    expect(markdownLink("run", "javascript:alert(1)")).toBe("run");
  });
});

describe("HTML and comments", () => {
  it("escapes text inside raw HTML", () => {
    const summary = `<details><summary>${htmlText("<img src=x> & @team")}</summary>\n\nx\n\n</details>`;
    expect(renderMarkdown(summary)).not.toContain("<img");
    expect(htmlText("a\"b'c")).toBe("a&quot;b&#39;c");
  });

  it("cannot close the marker comment, and leaves ordinary markers alone", () => {
    const marker = `<!-- hallpass:alerts ${markdownCommentText("x --> ![p](https://evil.example/p)")} -->`;
    expect(renderMarkdown(marker)).not.toContain("<img");
    expect(markdownCommentText("access-requests/2026/dan--db.yaml")).toBe(
      "access-requests/2026/dan--db.yaml",
    );
  });
});

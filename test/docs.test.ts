import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./support/render-markdown.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const documents = [
  "README.md",
  "ARCHITECTURE.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/**
 * Lines written as table rows (`| a | b |`) that GitHub renders as plain text: a row cut off
 * from its table by a blank line or a paragraph, or a table without its `|---|` line. What a
 * reader then sees is the field or permission missing from the table, pipes and all.
 */
function strandedRows(markdown: string): string[] {
  const html = renderMarkdown(markdown);
  const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => m[1] ?? "");
  return paragraphs.flatMap((p) => p.split("\n").filter((line) => /^\s*\|.*\|\s*$/.test(line)));
}

describe("the documentation", () => {
  it.each(documents)("%s renders every table row inside its table", (document) => {
    expect(strandedRows(readFileSync(join(root, document), "utf8"))).toEqual([]);
  });

  it("finds a row stranded by a blank line or a paragraph", () => {
    const table = "| a | b |\n|---|---|\n| 1 | 2 |\n";
    expect(strandedRows(`${table}\n| 3 | 4 |\n`)).toEqual(["| 3 | 4 |"]);
    expect(strandedRows(`${table}\nText.\n| 5 | 6 |\n`)).toEqual(["| 5 | 6 |"]);
    expect(strandedRows(table)).toEqual([]);
  });
});

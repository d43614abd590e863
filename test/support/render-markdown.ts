import MarkdownIt from "markdown-it";

/**
 * Renders Markdown to HTML as GitHub's renderer does for what the tests look at: CommonMark
 * with GFM tables and strikethrough, raw HTML passed through (GitHub sanitises it after, but an
 * injected tag is already a defect), no autolinking of bare URLs.
 */
const markdown = new MarkdownIt({ html: true, linkify: false });

/** The HTML of `text`. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

/** Every `href` in the rendered HTML of `text`. */
export function linksIn(text: string): string[] {
  return [...renderMarkdown(text).matchAll(/<a href="([^"]*)"/g)].map((m) => m[1] ?? "");
}

/** The cells of each table row in the rendered HTML, as text with tags removed. */
export function tableRows(text: string): string[][] {
  const html = renderMarkdown(text);
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((cell) =>
      decode((cell[1] ?? "").replace(/<[^>]+>/g, "")),
    ),
  );
}

/** The text of the rendered HTML: tags removed, entities decoded. */
export function textOf(text: string): string {
  return decode(renderMarkdown(text).replace(/<[^>]+>/g, ""));
}

function decode(html: string): string {
  return html
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

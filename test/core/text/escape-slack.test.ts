import { describe, expect, it } from "vitest";
import { slackLink, slackText } from "../../../src/core/text/escape-slack.ts";

/** Slack's own markup in a message: links, mentions and broadcasts are all `<…>`. */
function markupIn(text: string): string[] {
  return [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1] ?? "");
}

/**
 * Where Slack would format a value: an emphasis marker (`*` bold, `_` italic, `~` strike, and
 * their full-width forms) that opens after a word boundary and closes before one, or a pair of
 * backticks (code). Slack formats no marker inside a word (`snake_case` shows as typed).
 */
function formattingIn(text: string): string[] {
  const emphasis = /(?<![A-Za-z0-9])([*_~\uff0a\uff3f\uff5e])(?=\S)(.*?\S)\1(?![A-Za-z0-9])/g;
  const code = /[`\uff40][^`\uff40]+[`\uff40]/g;
  return [...text.matchAll(emphasis), ...text.matchAll(code)].map((m) => m[0]);
}

/** The look-alikes read back as the characters they stand for: what the reader sees. */
function asRead(text: string): string {
  const back: Record<string, string> = {
    "\u2217": "*",
    "\u02cd": "_",
    "\u223c": "~",
    "\u02cb": "`",
    "\ufe61": "\uff0a",
    "\u2e0f": "\uff3f",
  };
  return text.replace(/[\u2217\u02cd\u223c\u02cb\ufe61\u2e0f]/g, (c) => back[c] ?? c);
}

describe("slackText", () => {
  it("shows emphasis characters as typed: a reason can neither bold, italicize, strike nor quote code", () => {
    const typed = "*urgent* <!channel> _x_ ~old~ `rm -rf` \uff0a\u5927\uff0a \uff3f\u5c0f\uff3f";
    const text = slackText(typed);
    expect(formattingIn(text)).toEqual([]);
    expect(markupIn(text)).toEqual([]);
    expect(asRead(text)).toBe(
      "*urgent* &lt;!channel&gt; _x_ ~old~ `rm -rf` \uff0a\u5927\uff0a \uff3f\u5c0f\uff3f",
    );
  });

  it("shows a full-width tilde as a look-alike: it cannot strike either", () => {
    const text = slackText("\uff5e\u65e7\uff5e \uff5eold\uff5e");
    expect(formattingIn(text)).toEqual([]);
    expect(text).toBe("\u223c\u65e7\u223c \u223cold\u223c");
  });

  it("leaves a marker inside a word as it is, where Slack does not format it", () => {
    expect(slackText("db_read_only a*b x~y")).toBe("db_read_only a*b x~y");
    expect(formattingIn(slackText("a_b _c_d_"))).toEqual([]);
  });

  it.each([
    "<!channel> look",
    "<@U123ABC>",
    "<https://evil.example|click me>",
    "a & b > c",
    "@here @channel",
  ])("shows %j without any Slack markup", (value) => {
    const text = slackText(value);
    expect(markupIn(text)).toEqual([]);
    expect(text).not.toMatch(/@(here|channel)/);
  });

  it("drops bidirectional overrides and isolates, as the Markdown escaping does", () => {
    // A CloudTrail parameter in an alert could otherwise show reversed ("Trojan Source").
    expect(slackText("admin\u202Etxt.exe\u2066x\u2069")).toBe("admintxt.exex");
  });

  it.each([
    ["> quoted", "\u00ad&gt; quoted"],
    [">>> all the rest", "\u00ad&gt;&gt;&gt; all the rest"],
    ["\uff1e full-width", "\u00ad\uff1e full-width"],
    ["  > after spaces", "  \u00ad&gt; after spaces"],
    ["\t> after a tab", " \u00ad&gt; after a tab"],
  ])("cannot open a block quote when it starts a line: %j", (value, shown) => {
    // Slack quotes a line that starts with `&gt;` as with `>` (and with `＞`): the entity
    // alone does not stop it. A soft hyphen before it, invisible, does.
    expect(slackText(value)).toBe(shown);
  });

  it("leaves a `>` that does not start the value as the entity alone", () => {
    expect(slackText("a > b\n> c")).toBe("a &gt; b &gt; c");
  });

  it("writes the three control characters as Slack asks", () => {
    expect(slackText("a & <b>\nc")).toBe("a &amp; &lt;b&gt; c");
  });
});

describe("slackLink", () => {
  it("links the URL with text that cannot end or split the link", () => {
    const link = slackLink(
      "https://github.com/acme/access/pull/4",
      "access-requests/x|<!channel>.yaml",
    );
    expect(markupIn(link)).toEqual([
      "https://github.com/acme/access/pull/4|access-requests/x\uff5c&lt;!channel&gt;.yaml",
    ]);
  });

  it("percent-encodes what would end the URL", () => {
    expect(slackLink("https://x.example/a|b>c d&e", "t")).toBe(
      "<https://x.example/a%7Cb%3Ec%20d&amp;e|t>",
    );
  });

  it("gives the text alone for a URL that is not http(s)", () => {
    expect(slackLink("javascript:alert(1)", "<t>")).toBe("&lt;t&gt;");
  });
});

import { describe, expect, it } from "vitest";
import { slackLink, slackText } from "../../../src/core/text/escape-slack.ts";

/** Slack's own markup in a message: links, mentions and broadcasts are all `<…>`. */
function markupIn(text: string): string[] {
  return [...text.matchAll(/<([^>]*)>/g)].map((m) => m[1] ?? "");
}

describe("slackText", () => {
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

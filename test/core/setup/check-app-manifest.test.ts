import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkAppManifest, unsafeTextMessage } from "../../../src/core/setup/check-app-manifest.ts";
import { submittedManifest } from "../../support/setup-page-form.ts";

const appYml = readFileSync(fileURLToPath(new URL("../../../app.yml", import.meta.url)), "utf8");

/**
 * What GitHub receives for `text` in the manifest, written as Probot's setup view writes it
 * (`value='${manifest}'`, unescaped; its module is not importable, the package exports only its
 * index). test/app/setup-page.test.ts reads the real page.
 */
function throughSetupPage(text: string): string {
  const manifest = JSON.stringify({ name: "hallpass", description: text });
  const page = `<form action="https://github.com/settings/apps/new" method="post"><button name="manifest" value='${manifest}'>Register</button></form>`;
  return submittedManifest(page).manifest;
}

describe("checkAppManifest", () => {
  it("accepts every key and text of this repository's app.yml", () => {
    expect(checkAppManifest({ path: "app.yml", content: appYml })).toEqual([]);
  });

  it("names the line, the field and the fix for an apostrophe in a folded description", () => {
    const content = "name: hallpass\ndescription: >-\n  Enforces the\n  policy's rules.\n";
    expect(checkAppManifest({ path: "app.yml", content })).toEqual([
      expect.objectContaining({
        file: "app.yml",
        line: 2,
        field: "description",
        severity: "error",
        message: expect.stringContaining("Write ’ (U+2019) or rephrase."),
      }),
    ]);
  });

  it("checks keys and list items too, wherever they are nested", () => {
    const content = [
      "name: hallpass",
      "default_events:",
      "  - pull_request",
      "  - it's",
      "default_permissions:",
      "  R&D: read",
    ].join("\n");
    const problems = checkAppManifest({ path: "app.yml", content });
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [4, "default_events.1"],
      [6, "default_permissions.R&D"],
    ]);
  });

  it("reports a file it cannot read as YAML instead of passing it", () => {
    const problems = checkAppManifest({ path: "app.yml", content: "name: [unclosed\n" });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.severity).toBe("error");
  });
});

describe("the rule matches what Probot's setup page does to text", () => {
  it.each([
    "plain words",
    'a "quoted" word',
    "<b>not markup</b>",
    "a > b < c",
    "’ typographic apostrophe",
    "backslash \\ and /slash",
    "line\nbreak",
  ])("text it accepts reaches GitHub unchanged: %j", (text) => {
    expect(unsafeTextMessage(text)).toBeUndefined();
    expect(JSON.parse(throughSetupPage(text)).description).toBe(text);
  });

  it.each(["the policy's rules", "&copy; 2026", "a &amp; b"])(
    "text it refuses would be cut or changed: %j",
    (text) => {
      expect(unsafeTextMessage(text)).toBeDefined();
      const received = throughSetupPage(text);
      const description = (() => {
        try {
          return JSON.parse(received).description;
        } catch {
          return undefined;
        }
      })();
      expect(description).not.toBe(text);
    },
  );
});

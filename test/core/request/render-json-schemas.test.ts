import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../../src/core/request/render-json-schemas.ts";

describe("generated JSON Schemas", () => {
  it.each(renderJsonSchemas())(
    "$path is up to date (fix: npm run generate)",
    ({ path, content }) => {
      const committed = readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
      expect(committed, `${path} is stale: run \`npm run generate\` and commit it`).toBe(content);
    },
  );

  it("documents every request field and forbids unknown ones", () => {
    const schema = JSON.parse(renderJsonSchemas()[0]!.content);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["requester", "role", "account", "duration", "reason"]);
    for (const [name, field] of Object.entries(schema.properties)) {
      expect((field as { description?: string }).description, name).toBeTruthy();
    }
  });

  it("lets policy fields with defaults be left out (input side)", () => {
    const schema = JSON.parse(renderJsonSchemas()[1]!.content);
    const settings = schema.properties.settings;
    expect(settings.required).toEqual(["permissionsBoundary"]);
  });
});

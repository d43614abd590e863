import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { asciiOnly } from "../../scripts/action-bundle.ts";

const bundle = new URL("../../dist/action/index.js", import.meta.url);

describe("the committed action bundle", () => {
  it("is ASCII only, so that V8 holds its source one byte a character", () => {
    expect(/[\u0080-\uffff]/.test(readFileSync(bundle, "utf8"))).toBe(false);
  });

  it("leaves out @actions/http-client and undici, which only core.getIDToken needs", () => {
    const text = readFileSync(bundle, "utf8");
    expect(text).not.toContain("node_modules/undici/");
    expect(text).not.toContain("node_modules/@actions/http-client/");
  });

  it("starts under Node and reports a bad input as the job's error through @actions/core", {
    timeout: 30_000,
  }, () => {
    const child = spawnSync(process.execPath, [bundle.pathname], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, "INPUT_GITHUB-TOKEN": "t0ken", "INPUT_APP-ID": "" },
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(1);
    expect(child.stdout).toContain("::add-mask::t0ken");
    expect(child.stdout).toMatch(/^::error::the input app-id must be/m);
  });
});

describe("asciiOnly", () => {
  it("escapes characters outside ASCII in comments", async () => {
    expect(await asciiOnly("// a \u2014 b\nconst x = 1; /* \u00e9 */\n")).toBe(
      "// a \\u2014 b\nconst x = 1; /* \\u00e9 */\n",
    );
  });

  it("escapes them in strings, where the escape means the same character", async () => {
    expect(await asciiOnly('const x = "\u2014";\n')).toBe('const x = "\\u2014";\n');
  });

  it("refuses a bundle where the escape would change the program (a raw template)", async () => {
    await expect(asciiOnly("const x = String.raw`\u2014`;\n")).rejects.toThrow(
      /outside ASCII in code/,
    );
  });

  it("returns ASCII text as it is", async () => {
    expect(await asciiOnly("const x = 1;\n")).toBe("const x = 1;\n");
  });
});

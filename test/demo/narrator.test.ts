import { describe, expect, it } from "vitest";
import { Narrator } from "../../src/demo/narrator.ts";

function capture(interactive: boolean) {
  const out = { stdout: "", stderr: "" };
  const narrator = new Narrator(
    {
      stdout: (t) => {
        out.stdout += t;
      },
      stderr: (t) => {
        out.stderr += t;
      },
      interactive,
    },
    3,
  );
  return { out, narrator };
}

describe("the demo's narrator", () => {
  it("draws no progress indicator when stderr is not a terminal", () => {
    const { out, narrator } = capture(false);
    narrator.step("First", new Date("2026-11-26T09:30:00Z"));
    narrator.say("   a line");
    narrator.stop();
    expect(out.stdout).toBe("\n1. First  (09:30 UTC, simulated)\n   a line\n");
    expect(out.stderr).toBe("");
  });

  it("on a terminal, shows the running step and erases it before each line and at the end", () => {
    const { out, narrator } = capture(true);
    narrator.step("First");
    narrator.say("   a line");
    narrator.stop();
    expect(out.stderr).toContain("[1/3] First");
    expect(out.stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(out.stdout).not.toContain("\x1b");
  });

  it("quotes what people read on GitHub without hidden markers, cutting long text", () => {
    const { out, narrator } = capture(false);
    narrator.quote("<!-- hallpass:grant -->\n## Title\n\n\n\nline\nmore\nand more", 3);
    expect(out.stdout).toBe("     │ ## Title\n     │ \n     │ line\n     │ … (2 more lines)\n");
  });
});

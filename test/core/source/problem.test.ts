import { describe, expect, it } from "vitest";
import { painter, paintProblem } from "../../../src/cli/colour.ts";
import { formatProblem, type Problem } from "../../../src/core/source/problem.ts";

describe("formatProblem", () => {
  // A pull request names its files: a name can carry what a terminal acts on.
  const problem: Problem = {
    file: "access-requests/alice/\u001b[1A\u001b[2Kx\u202e.yaml",
    line: 3,
    column: 1,
    severity: "error",
    message: "reason is too short",
  };

  it("writes the controls of a file's name as escapes, on one line", () => {
    expect(formatProblem(problem)).toBe(
      "access-requests/alice/\\u001b[1A\\u001b[2Kx\\u202e.yaml:3:1: error: reason is too short",
    );
  });

  it("paints the same escaped location, in colour or not", () => {
    const plain = paintProblem(problem, painter(false));
    expect(plain).toBe(formatProblem(problem));
    const coloured = paintProblem(problem, painter(true));
    expect(coloured).toContain("\\u001b[1A");
    expect(coloured).not.toContain("\u001b[1A");
  });
});

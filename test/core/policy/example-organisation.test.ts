import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateRepository } from "../../../src/core/request/validate-repository.ts";
import { formatProblem } from "../../../src/core/source/problem.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function yamlFiles(dir: string): { path: string; content: Uint8Array }[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => {
      const absolute = join(entry.parentPath, entry.name);
      return {
        path: relative(root, absolute).split("\\").join("/"),
        content: readFileSync(absolute),
      };
    });
}

describe("the example organisation shipped in this repository", () => {
  it("validates cleanly, requests included (they have no start, so they stay valid)", () => {
    const result = validateRepository(
      { policyFiles: yamlFiles("policies"), requestFiles: yamlFiles("access-requests") },
      { now: new Date("2030-01-01T00:00:00Z") },
    );
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.requests.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(result.policies!.accounts).sort()).toEqual(["production", "staging"]);
    expect(Object.keys(result.policies!.roles)).toEqual(
      expect.arrayContaining(["prod-readonly", "db-admin", "break-glass-admin"]),
    );
  });

  it("names in CODEOWNERS every team its approval rules draw from", () => {
    const codeowners = readFileSync(join(root, ".github/CODEOWNERS"), "utf8");
    const { policies } = validateRepository(
      { policyFiles: yamlFiles("policies"), requestFiles: [] },
      { now: new Date() },
    );
    const requestOwners = codeowners
      .split("\n")
      .find((line) => line.startsWith("/access-requests/ "))!
      .split(/\s+/)
      .slice(1);
    for (const role of Object.values(policies!.roles)) {
      const rules = [...role.approval.rules, ...(role.breakGlass?.approval.rules ?? [])];
      for (const team of rules.flatMap((rule) => rule.from ?? [])) {
        expect(requestOwners).toContain(team);
      }
    }
  });
});

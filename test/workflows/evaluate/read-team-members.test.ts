import { describe, expect, it } from "vitest";
import type { Owner } from "../../../src/core/policy/codeowners.ts";
import { readTeamMembers } from "../../../src/workflows/evaluate/read-team-members.ts";
import { FakeGitHub } from "../../support/fake-github.ts";

const SRE: Owner = { kind: "team", org: "acme", slug: "sre", text: "@acme/sre" };
const DAN: Owner = { kind: "user", login: "dan", text: "@dan" };
const BASE = "ba5e";

describe("readTeamMembers", () => {
  it("reads the teams of CODEOWNERS and of the approval rules, by team key", async () => {
    const github = new FakeGitHub();
    github.teams.set("acme/sre", ["sam"]);
    github.teams.set("acme/dba", ["dan"]);
    const approval = { rules: [{ count: 1, from: ["@ACME/DBA"] }] };
    expect(
      await readTeamMembers(github, { owners: [SRE, DAN], approval, base: BASE }, undefined),
    ).toEqual({
      teamMembers: { "acme/sre": ["sam"], "acme/dba": ["dan"] },
    });
  });

  it("fails, saying the permission it needs, when a team is not visible", async () => {
    const github = new FakeGitHub();
    const answer = await readTeamMembers(
      github,
      { owners: [SRE], approval: { rules: [] }, base: BASE },
      undefined,
    );
    expect(answer).toMatchObject({ failure: true, title: "A team could not be read" });
    expect("failure" in answer && answer.reasons[0]).toContain('"Members: read"');
  });

  it("throws any other error, so the evaluation says GitHub could not be read", async () => {
    const github = new FakeGitHub();
    github.teams.set("acme/sre", ["sam"]);
    github.fail("listTeamsMembers", Object.assign(new Error("502"), { status: 502 }));
    await expect(
      readTeamMembers(github, { owners: [SRE], approval: { rules: [] }, base: BASE }, undefined),
    ).rejects.toThrow("502");
  });
});

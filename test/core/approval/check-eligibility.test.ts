import { describe, expect, it } from "vitest";
import { checkEligibility } from "../../../src/core/approval/check-eligibility.ts";

const TEAMS = { "acme/sre": ["Sam", "alice"], "acme/dba": [] };

describe("checkEligibility", () => {
  it.each([
    ["a listed user", "dan", ["@dan"]],
    ["a listed user, whatever the case", "DAN", ["@Dan"]],
    ["a member of a listed team", "sam", ["@acme/sre"]],
    ["a member of a listed team, whatever the team's case", "sam", ["@ACME/SRE"]],
    ["anyone when the role lists nobody", "mallory", undefined],
  ])("admits %s", (_, requester, eligible) => {
    expect(checkEligibility(requester, eligible, TEAMS)).toMatchObject({ eligible: true });
  });

  it("says which entries admitted the requester, for the grant record", () => {
    const both = checkEligibility("Alice", ["@acme/dba", "@ACME/SRE", "@alice"], TEAMS);
    expect(both).toEqual({ eligible: true, via: ["@acme/sre", "@alice"] });
    expect(checkEligibility("mallory", undefined, TEAMS)).toEqual({ eligible: true });
  });

  it("refuses anyone else, naming who is eligible", () => {
    const answer = checkEligibility("mallory", ["@acme/sre", "@dan"], TEAMS);
    expect(answer).toEqual({
      eligible: false,
      reason:
        "@mallory may not request this role: only @acme/sre or @dan may. Ask one of them to request it, or the policy owners to add you.",
    });
  });

  it("fails closed when a listed team's members are unknown", () => {
    expect(checkEligibility("sam", ["@acme/ops"], TEAMS)).toMatchObject({ eligible: false });
    expect(checkEligibility("sam", ["@acme/dba"], TEAMS)).toMatchObject({ eligible: false });
  });
});

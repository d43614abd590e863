import { describe, expect, it } from "vitest";
import {
  type ApprovalInput,
  DECISION_STATUSES,
  decideApproval,
  type ReviewInput,
  worseStatus,
} from "../../../src/core/approval/decide-approval.ts";
import { type Owner, parseOwner } from "../../../src/core/policy/codeowners.ts";

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);

function owners(...texts: string[]): Owner[] {
  return texts.map((t) => {
    const o = parseOwner(t);
    if (typeof o === "string") throw new Error(o);
    return o;
  });
}

let nextId = 1;
function review(
  user: string,
  state: ReviewInput["state"],
  minute: number,
  commitId = HEAD,
): ReviewInput {
  return {
    id: nextId++,
    user,
    state,
    commitId,
    submittedAt: `2026-11-26T10:${String(minute).padStart(2, "0")}:00Z`,
  };
}

function input(overrides: Partial<ApprovalInput>): ApprovalInput {
  return {
    requestPath: "access-requests/alice-db.yaml",
    headSha: HEAD,
    requester: "alice",
    author: "alice",
    pushers: ["alice"],
    reviews: [],
    owners: owners("@bob", "@carol", "@acme/sec"),
    teamMembers: { "acme/sec": ["Sam", "sue"], "acme/db": ["dan", "bob"] },
    approval: { rules: [{ count: 1 }] },
    ...overrides,
  };
}

describe("decideApproval", () => {
  it("approves with one eligible code owner's approval on the head commit", () => {
    const d = decideApproval(input({ reviews: [review("bob", "APPROVED", 1)] }));
    expect(d.status).toBe("approved");
    expect(d.reasons).toEqual([]);
    expect(d.approvals).toEqual([
      expect.objectContaining({
        reviewer: "bob",
        commitId: HEAD,
        rules: ["rule 1: 1 from code owners"],
      }),
    ]);
  });

  it("records how each approver was eligible and what it read besides git, for an offline re-decision", () => {
    const d = decideApproval(
      input({
        owners: owners("@bob", "@acme/sec"),
        approval: { rules: [{ count: 1, from: ["@acme/db"] }, { count: 1 }] },
        pushers: ["Alice", "alice", "ci-bot"],
        baseChangedAt: ["2026-11-26T09:00:00Z"],
        reviews: [review("bob", "APPROVED", 1), review("Sam", "APPROVED", 2)],
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.approvals.map((a) => [a.reviewer, a.eligibleVia])).toEqual([
      ["bob", ["@acme/db", "@bob"]],
      ["Sam", ["@acme/sec"]],
    ]);
    expect(d.basis).toEqual({
      headSha: HEAD,
      author: "alice",
      pushers: ["alice", "ci-bot"],
      baseChangedAt: ["2026-11-26T09:00:00Z"],
    });
  });

  it("is pending with no reviews and lists who can approve", () => {
    const d = decideApproval(input({}));
    expect(d.status).toBe("pending");
    expect(d.rules[0]?.canStillApprove).toEqual(["bob", "carol", "sam", "sue"]);
    expect(d.reasons).toEqual(["rule 1: 1 from code owners: needs 1 more approval"]);
  });

  it.each([
    ["requester", { requester: "bob", author: "alice", pushers: [] }, "is the requester"],
    ["PR author", { requester: "alice", author: "bob", pushers: [] }, "is the author"],
    ["co-committer", { pushers: ["alice", "Bob"] }, "pushed a commit"],
  ])("never counts the %s's own approval", (_who, people, reason) => {
    const d = decideApproval(input({ ...people, reviews: [review("bob", "APPROVED", 1)] }));
    expect(d.status).toBe("pending");
    expect(d.approvals).toEqual([]);
    expect(d.ignored[0]?.reason).toContain(reason);
    expect(d.excluded.map((e) => e.login)).toContain("bob");
    expect(d.eligible).not.toContain("bob");
  });

  it("does not count an approval given before the latest push", () => {
    const d = decideApproval(input({ reviews: [review("bob", "APPROVED", 1, OLD)] }));
    expect(d.status).toBe("pending");
    expect(d.ignored[0]?.reason).toContain("approved an earlier commit (bbbbbbb)");
  });

  it("blocks on a change request from an eligible owner, even when others approved", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 1), review("carol", "CHANGES_REQUESTED", 2, OLD)],
      }),
    );
    expect(d.status).toBe("disapproved");
    expect(d.blockedBy).toEqual([expect.objectContaining({ reviewer: "carol" })]);
    expect(d.reasons[0]).toContain("@carol requested changes");
  });

  it("unblocks when the owner who requested changes approves", () => {
    const d = decideApproval(
      input({ reviews: [review("carol", "CHANGES_REQUESTED", 1), review("carol", "APPROVED", 2)] }),
    );
    expect(d.status).toBe("approved");
  });

  it("ignores a change request from someone who is not a code owner", () => {
    const d = decideApproval(
      input({ reviews: [review("mallory", "CHANGES_REQUESTED", 1), review("bob", "APPROVED", 2)] }),
    );
    expect(d.status).toBe("approved");
    expect(d.ignored[0]).toMatchObject({ reviewer: "mallory" });
  });

  it("drops a dismissed approval and a dismissed change request", () => {
    const approvalDismissed = decideApproval(input({ reviews: [review("bob", "DISMISSED", 1)] }));
    expect(approvalDismissed.status).toBe("pending");
    const changesDismissed = decideApproval(
      input({ reviews: [review("carol", "DISMISSED", 1), review("bob", "APPROVED", 2)] }),
    );
    expect(changesDismissed.status).toBe("approved");
  });

  it("lets a later dismissed review cancel the same person's earlier approval", () => {
    const d = decideApproval(
      input({ reviews: [review("bob", "APPROVED", 1), review("bob", "DISMISSED", 2)] }),
    );
    expect(d.status).toBe("pending");
    expect(d.approvals).toEqual([]);
  });

  it("does not count an approval with no readable submission time (fail closed)", () => {
    for (const submittedAt of ["", "yesterday"]) {
      const d = decideApproval(
        input({ reviews: [{ ...review("bob", "APPROVED", 1), submittedAt }] }),
      );
      expect(d.status).toBe("pending");
      expect(d.approvals).toEqual([]);
      expect(d.ignored).toEqual([
        expect.objectContaining({ reviewer: "bob", reason: "has no submission time" }),
      ]);
    }
  });

  it("orders two reviews of one person in the same second by review id, whatever the list order", () => {
    const at = "2026-11-26T10:01:00Z";
    const approved = { ...review("bob", "APPROVED", 1), id: 901, submittedAt: at };
    const changes = { ...review("bob", "CHANGES_REQUESTED", 1), id: 900, submittedAt: at };
    expect(decideApproval(input({ reviews: [approved, changes] })).status).toBe("approved");
    expect(decideApproval(input({ reviews: [changes, approved] })).status).toBe("approved");
    const later = { ...changes, id: 902 };
    expect(decideApproval(input({ reviews: [approved, later] })).status).toBe("disapproved");
    expect(decideApproval(input({ reviews: [later, approved] })).status).toBe("disapproved");
  });

  it("keeps an approval when the same reviewer later only comments", () => {
    const d = decideApproval(
      input({ reviews: [review("bob", "APPROVED", 1), review("bob", "COMMENTED", 2)] }),
    );
    expect(d.status).toBe("approved");
  });

  it("ignores pending (draft) reviews", () => {
    const d = decideApproval(input({ reviews: [review("bob", "PENDING", 1)] }));
    expect(d.status).toBe("pending");
    expect(d.ignored).toEqual([]);
  });

  it("takes a person's latest opinion regardless of the order the reviews come in", () => {
    const reviews = [review("bob", "APPROVED", 1), review("bob", "CHANGES_REQUESTED", 2)];
    expect(decideApproval(input({ reviews })).status).toBe("disapproved");
    expect(decideApproval(input({ reviews: [...reviews].reverse() })).status).toBe("disapproved");
  });

  it("counts active members of an owner team, case-insensitively, and not outsiders", () => {
    expect(decideApproval(input({ reviews: [review("SAM", "APPROVED", 1)] })).status).toBe(
      "approved",
    );
    expect(decideApproval(input({ reviews: [review("dan", "APPROVED", 1)] })).status).toBe(
      "pending",
    );
  });

  it("requires every rule: one from the database team and one from security", () => {
    const approval = {
      rules: [
        { name: "database", count: 1, from: ["@acme/db"] },
        { name: "security", count: 1, from: ["@acme/sec"] },
      ],
    };
    const base = { owners: owners("@acme/db", "@acme/sec"), approval };
    const onlyDb = decideApproval(input({ ...base, reviews: [review("dan", "APPROVED", 1)] }));
    expect(onlyDb.status).toBe("pending");
    expect(onlyDb.rules.map((r) => r.satisfied)).toEqual([true, false]);
    expect(onlyDb.reasons).toEqual(["security: needs 1 more approval"]);
    expect(onlyDb.rules[1]?.canStillApprove).toEqual(["sam", "sue"]);

    const both = decideApproval(
      input({ ...base, reviews: [review("dan", "APPROVED", 1), review("sue", "APPROVED", 2)] }),
    );
    expect(both.status).toBe("approved");
    expect(both.approvals.map((a) => [a.reviewer, a.rules])).toEqual([
      ["dan", ["database"]],
      ["sue", ["security"]],
    ]);
  });

  it("counts one person's approval for one rule only, even when they are in both groups", () => {
    // Was: bob (in @acme/db and named @bob) satisfied both rules alone.
    const approval = {
      rules: [
        { name: "database", count: 1, from: ["@acme/db"] },
        { name: "named", count: 1, from: ["@bob"] },
      ],
    };
    const d = decideApproval(
      input({ owners: owners("@acme/db"), approval, reviews: [review("bob", "APPROVED", 1)] }),
    );
    expect(d.status).toBe("pending");
    expect(d.approvals[0]?.rules).toEqual(["database"]);
    expect(d.reasons).toEqual([
      "named: needs 1 more approval from a different person than those counted for other rules (@bob counted for database) but only 0 eligible people can still approve; fix CODEOWNERS or the policy",
    ]);
  });

  it("needs distinct people for a count above one", () => {
    const approval = { rules: [{ count: 2 }] };
    const one = decideApproval(
      input({ approval, reviews: [review("bob", "APPROVED", 1), review("bob", "APPROVED", 2)] }),
    );
    expect(one.status).toBe("pending");
    const two = decideApproval(
      input({ approval, reviews: [review("bob", "APPROVED", 1), review("sue", "APPROVED", 2)] }),
    );
    expect(two.status).toBe("approved");
  });

  it("does not count a code owner outside every rule's group", () => {
    const approval = { rules: [{ count: 1, from: ["@acme/sec"] }] };
    const d = decideApproval(input({ approval, reviews: [review("bob", "APPROVED", 1)] }));
    expect(d.status).toBe("pending");
    expect(d.ignored[0]?.reason).toContain("in no approval rule's group");
  });

  it("does not let a rule's group reach beyond the code owners", () => {
    const approval = { rules: [{ count: 1, from: ["@acme/db"] }] };
    const d = decideApproval(
      input({ owners: owners("@carol"), approval, reviews: [review("dan", "APPROVED", 1)] }),
    );
    expect(d.status).toBe("pending");
    expect(d.reasons[0]).toContain("only 0 eligible people can still approve");
  });

  it("reports email owners as unresolvable (they can never approve)", () => {
    const d = decideApproval(input({ owners: owners("ops@example.com") }));
    expect(d.unresolvedOwners).toEqual(["ops@example.com"]);
    expect(d.eligible).toEqual([]);
  });
});

describe("worseStatus", () => {
  it("keeps the worse status, so an error can never be outvoted", () => {
    expect(DECISION_STATUSES).toEqual(["skipped", "pending", "approved", "disapproved", "error"]);
    expect(worseStatus("approved", "error")).toBe("error");
    expect(worseStatus("pending", "approved")).toBe("approved");
    expect(worseStatus("disapproved", "approved")).toBe("disapproved");
    expect(worseStatus("skipped", "skipped")).toBe("skipped");
  });
});

describe("decideApproval and the reviewer's association with the repository", () => {
  it.each(["NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "MANNEQUIN"])(
    "does not count an approval by a code owner who is now %s (no access to the repository)",
    (association) => {
      // A login left in CODEOWNERS after its owner left the organisation can still review a
      // public repository; GitHub's own rule skips owners without write access.
      const d = decideApproval(
        input({
          reviews: [{ ...review("bob", "APPROVED", 1), authorAssociation: association }],
        }),
      );
      expect(d.status).toBe("pending");
      expect(d.ignored).toEqual([
        expect.objectContaining({
          reviewer: "bob",
          reason: `has no access to the repository (GitHub says ${association})`,
        }),
      ]);
    },
  );

  it.each(["OWNER", "MEMBER", "COLLABORATOR"])("counts a code owner who is %s", (association) => {
    const d = decideApproval(
      input({ reviews: [{ ...review("bob", "APPROVED", 1), authorAssociation: association }] }),
    );
    expect(d.status).toBe("approved");
  });
});

describe("decideApproval with rules whose groups overlap (one approval counts for one rule)", () => {
  // xena and zoe are in both teams, yuri only in @acme/a, walt only in @acme/b.
  const teamMembers = {
    "acme/a": ["xena", "yuri", "zoe"],
    "acme/b": ["xena", "zoe", "walt"],
  };
  const rulesOf = (a: number, b: number) => ({
    rules: [
      { name: "A", count: a, from: ["@acme/a"] },
      { name: "B", count: b, from: ["@acme/b"] },
    ],
  });

  it.each([
    {
      name: "one person in both groups cannot satisfy two rules",
      counts: [1, 1],
      approvers: ["xena"],
      status: "pending",
      approvedBy: [["xena"], []],
      reasons: [
        "B: needs 1 more approval from a different person than those counted for other rules (@xena counted for A)",
      ],
    },
    {
      name: "two people in both groups satisfy both rules",
      counts: [1, 1],
      approvers: ["xena", "zoe"],
      status: "approved",
      approvedBy: [["xena"], ["zoe"]],
      reasons: [],
    },
    {
      name: "the one in both groups approving first goes to the rule the other cannot serve",
      counts: [1, 1],
      approvers: ["xena", "yuri"],
      status: "approved",
      approvedBy: [["yuri"], ["xena"]],
      reasons: [],
    },
    {
      name: "the same, with the rules the other way round",
      counts: [1, 1],
      approvers: ["xena", "walt"],
      status: "approved",
      approvedBy: [["xena"], ["walt"]],
      reasons: [],
    },
    {
      name: "two people in both groups cannot meet a count of two and one more",
      counts: [2, 1],
      approvers: ["xena", "zoe"],
      status: "pending",
      approvedBy: [["xena", "zoe"], []],
      reasons: [
        "B: needs 1 more approval from a different person than those counted for other rules (@xena counted for A; @zoe counted for A)",
      ],
    },
    {
      name: "a count of two and one, met by moving an earlier approver to the other rule",
      counts: [2, 1],
      approvers: ["xena", "zoe", "yuri"],
      status: "approved",
      approvedBy: [["zoe", "yuri"], ["xena"]],
      reasons: [],
    },
    {
      name: "counts of two and two, three people approved",
      counts: [2, 2],
      approvers: ["xena", "yuri", "walt"],
      status: "pending",
      approvedBy: [["xena", "yuri"], ["walt"]],
      reasons: [
        "B: needs 1 more approval from a different person than those counted for other rules (@xena counted for A)",
      ],
    },
    {
      name: "counts of two and two, four people approved",
      counts: [2, 2],
      approvers: ["xena", "yuri", "walt", "zoe"],
      status: "approved",
      approvedBy: [
        ["xena", "yuri"],
        ["walt", "zoe"],
      ],
      reasons: [],
    },
    {
      name: "a count the groups together cannot reach, before anyone approves",
      counts: [3, 2],
      approvers: [],
      status: "pending",
      approvedBy: [[], []],
      reasons: [
        "A: needs 3 more approvals",
        "B: needs 2 more approvals",
        "the rules cannot all be met: too few different eligible people can still approve (one person's approval counts for one rule only); fix CODEOWNERS or the policy",
      ],
    },
  ])("$name", ({ counts, approvers, status, approvedBy, reasons }) => {
    const reviews = approvers.map((login, i) => review(login, "APPROVED", i + 1));
    const base = {
      owners: owners("@acme/a", "@acme/b"),
      teamMembers,
      approval: rulesOf(counts[0]!, counts[1]!),
    };
    const d = decideApproval(input({ ...base, reviews }));
    expect(d.status).toBe(status);
    expect(d.rules.map((r) => r.approvedBy)).toEqual(approvedBy);
    expect(d.reasons).toEqual(reasons);
    // Each approval counted for one rule at most, and the records agree with the rules.
    for (const a of d.approvals) {
      expect(a.rules.length).toBeLessThanOrEqual(1);
      const rule = d.rules.find((r) => r.approvedBy.includes(a.reviewer));
      expect(a.rules).toEqual(rule ? [rule.label] : []);
    }
    // The order the reviews arrive in does not change the assignment.
    const reversed = decideApproval(input({ ...base, reviews: [...reviews].reverse() }));
    expect(reversed.rules.map((r) => r.approvedBy)).toEqual(approvedBy);
  });

  it("does not offer someone already counted for another rule as able to approve", () => {
    const d = decideApproval(
      input({
        owners: owners("@acme/a", "@acme/b"),
        teamMembers,
        approval: rulesOf(1, 1),
        reviews: [review("xena", "APPROVED", 1)],
      }),
    );
    expect(d.rules[1]?.canStillApprove).toEqual(["walt", "zoe"]);
  });

  it("keeps a surplus approval on record with no rule, preferring the earliest approvals", () => {
    const d = decideApproval(
      input({
        reviews: [
          review("carol", "APPROVED", 1),
          review("sue", "APPROVED", 2),
          review("bob", "APPROVED", 3),
        ],
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.rules[0]?.approvedBy).toEqual(["carol"]);
    expect(d.approvals.map((a) => [a.reviewer, a.rules])).toEqual([
      ["carol", ["rule 1: 1 from code owners"]],
      ["sue", []],
      ["bob", []],
    ]);
  });

  it("refuses the example db-admin policy to one person in both the DBA and security teams", () => {
    const approval = {
      rules: [
        { name: "a database administrator", count: 1, from: ["@acme/dba"] },
        { name: "security", count: 1, from: ["@acme/security"] },
      ],
    };
    const base = {
      owners: owners("@acme/dba", "@acme/security"),
      teamMembers: { "acme/dba": ["dora", "ivan"], "acme/security": ["ivan", "sofia"] },
      approval,
    };
    const alone = decideApproval(input({ ...base, reviews: [review("ivan", "APPROVED", 1)] }));
    expect(alone.status).toBe("pending");
    expect(alone.reasons).toEqual([
      "security: needs 1 more approval from a different person than those counted for other rules (@ivan counted for a database administrator)",
    ]);
    const withDora = decideApproval(
      input({ ...base, reviews: [review("ivan", "APPROVED", 1), review("dora", "APPROVED", 2)] }),
    );
    expect(withDora.status).toBe("approved");
    expect(withDora.approvals.map((a) => [a.reviewer, a.rules])).toEqual([
      ["ivan", ["security"]],
      ["dora", ["a database administrator"]],
    ]);
  });
});

describe("decideApproval's assignment of approvers to rules", () => {
  /** Whether people can fill every rule's count, each person for one rule: tried exhaustively. */
  function canFill(people: string[], groups: Set<string>[], counts: number[]): boolean {
    const left = [...counts];
    const go = (i: number): boolean => {
      if (left.every((n) => n === 0)) return true;
      if (i === people.length) return false;
      if (go(i + 1)) return true;
      for (let r = 0; r < groups.length; r++) {
        if (left[r]! > 0 && groups[r]!.has(people[i]!)) {
          left[r]!--;
          const ok = go(i + 1);
          left[r]!++;
          if (ok) return true;
        }
      }
      return false;
    };
    return go(0);
  }

  it("approves exactly when an exhaustive search finds an assignment (500 random policies)", () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n;
    };
    const people = ["p0", "p1", "p2", "p3", "p4", "p5"];
    let approved = 0;
    for (let t = 0; t < 500; t++) {
      const groups = Array.from(
        { length: 1 + random(3) },
        () => new Set(people.filter(() => random(2) === 0)),
      );
      const counts = groups.map(() => 1 + random(2));
      const approvers = people.filter(() => random(2) === 0);
      const teamMembers = Object.fromEntries(groups.map((g, i) => [`acme/g${i}`, [...g]]));
      const d = decideApproval(
        input({
          owners: owners(...people.map((p) => `@${p}`)),
          teamMembers,
          approval: {
            rules: counts.map((count, i) => ({ name: `g${i}`, count, from: [`@acme/g${i}`] })),
          },
          reviews: approvers.map((p, i) => review(p, "APPROVED", i + 1)),
        }),
      );
      const expected = canFill(approvers, groups, counts);
      expect(
        d.status,
        JSON.stringify({ groups: groups.map((g) => [...g]), counts, approvers }),
      ).toBe(expected ? "approved" : "pending");
      if (expected) approved++;
      for (const [i, r] of d.rules.entries()) {
        expect(r.approvedBy.length).toBeLessThanOrEqual(counts[i]!);
        for (const login of r.approvedBy) expect(groups[i]!.has(login)).toBe(true);
      }
      const counted = d.rules.flatMap((r) => r.approvedBy);
      expect(new Set(counted).size).toBe(counted.length);
    }
    // Both outcomes are exercised.
    expect(approved).toBeGreaterThan(50);
    expect(approved).toBeLessThan(450);
  });
});

describe("decideApproval after the base branch was changed", () => {
  const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, "0")}:00Z`;

  // Reviews by bob at minute 5 and by carol at minute 10 (both on the head commit).
  it.each<[string, string[] | undefined, "approved" | "pending", string[]]>([
    ["no base change", undefined, "approved", ["bob", "carol"]],
    ["a base change before every approval", [at(1)], "approved", ["bob", "carol"]],
    ["a base change between the approvals", [at(7)], "approved", ["carol"]],
    ["a base change after every approval", [at(12)], "pending", []],
    ["a base change in the very second of the approval", [at(10)], "pending", []],
    ["several changes, the latest after every approval", [at(12), at(1)], "pending", []],
    ["a change whose time cannot be read", [at(1), "not a time"], "pending", []],
  ])("with %s", (_case, baseChangedAt, status, counted) => {
    const d = decideApproval(
      input({
        approval: { rules: [{ count: 1 }] },
        reviews: [review("bob", "APPROVED", 5), review("carol", "APPROVED", 10)],
        ...(baseChangedAt ? { baseChangedAt } : {}),
      }),
    );
    expect(d.status).toBe(status);
    expect(d.approvals.map((a) => a.reviewer)).toEqual(counted);
    const stale = d.ignored.filter((i) => i.reason.startsWith("approved before the base branch"));
    expect(stale.map((i) => i.reviewer)).toEqual(
      ["bob", "carol"].filter((login) => !counted.includes(login)),
    );
  });

  it("says on the check why the earlier approvals no longer count, and who can approve again", () => {
    const d = decideApproval(
      input({ reviews: [review("bob", "APPROVED", 5)], baseChangedAt: [at(6)] }),
    );
    expect(d.status).toBe("pending");
    expect(d.reasons).toEqual([
      "the base branch was changed (2026-11-26T10:06:00.000Z) after 1 approval, which no longer counts",
      "rule 1: 1 from code owners: needs 1 more approval",
    ]);
    expect(d.ignored).toEqual([
      expect.objectContaining({
        reviewer: "bob",
        reason:
          "approved before the base branch was changed (2026-11-26T10:06:00.000Z); approve again against the new base",
      }),
    ]);
    expect(d.rules[0]?.canStillApprove).toContain("bob");
  });

  it("keeps a change request given before the base change blocking", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "CHANGES_REQUESTED", 5), review("carol", "APPROVED", 8)],
        baseChangedAt: [at(6)],
      }),
    );
    expect(d.status).toBe("disapproved");
    expect(d.blockedBy.map((b) => b.reviewer)).toEqual(["bob"]);
  });
});

describe("decideApproval with an approval age (approvals age out)", () => {
  const hour = { seconds: 3600, text: "1h" };

  it("does not count an approval older than the age at the decision's time, and says when it expired", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 5)],
        maxApprovalAge: hour,
        decidedAt: "2026-11-26T11:05:00Z",
      }),
    );
    expect(d.status).toBe("pending");
    expect(d.approvals).toEqual([]);
    expect(d.ignored).toEqual([
      expect.objectContaining({
        reviewer: "bob",
        reason:
          "approved at 2026-11-26T10:05:00Z, which expired at 2026-11-26T11:05:00.000Z (approvals count for 1h); approve again",
      }),
    ]);
    expect(d.reasons[0]).toBe(
      "1 approval expired (approvals count for 1h): @bob's at 2026-11-26T11:05:00.000Z",
    );
    expect(d.rules[0]?.canStillApprove).toContain("bob");
  });

  it("counts an approval younger than the age", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 5)],
        maxApprovalAge: hour,
        decidedAt: "2026-11-26T11:04:59Z",
      }),
    );
    expect(d.status).toBe("approved");
  });

  it("counts no approval when the decision's time cannot be read (fail closed)", () => {
    for (const decidedAt of [undefined, "not a time"]) {
      const d = decideApproval(
        input({
          reviews: [review("bob", "APPROVED", 5)],
          maxApprovalAge: hour,
          ...(decidedAt === undefined ? {} : { decidedAt }),
        }),
      );
      expect(d.status).toBe("pending");
    }
  });

  it("keeps an expired change request blocking: only approvals age out", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "CHANGES_REQUESTED", 5), review("carol", "APPROVED", 50)],
        maxApprovalAge: hour,
        decidedAt: "2026-11-26T12:00:00Z",
      }),
    );
    expect(d.status).toBe("disapproved");
  });
});

describe("decideApproval: until when an approval holds (countsUntil)", () => {
  const hour = { seconds: 3600, text: "1h" };
  const aged = (overrides: Partial<ApprovalInput>, decidedAt = "2026-11-26T10:50:00Z") =>
    decideApproval(input({ maxApprovalAge: hour, decidedAt, ...overrides }));

  /** The decision turns at `countsUntil`: approved a second before, not approved at it. */
  function expectTurnsAt(overrides: Partial<ApprovalInput>, until: string): void {
    const d = aged(overrides);
    expect(d.status).toBe("approved");
    expect(d.countsUntil).toBe(until);
    const before = new Date(Date.parse(until) - 1000).toISOString();
    expect(aged(overrides, before).status).toBe("approved");
    expect(aged(overrides, until).status).toBe("pending");
  }

  it("is when the one approval that counts ages out", () => {
    expectTurnsAt({ reviews: [review("bob", "APPROVED", 5)] }, "2026-11-26T11:05:00.000Z");
  });

  it("is absent without an age limit, while pending, and on a merge's decision", () => {
    const reviews = [review("bob", "APPROVED", 5)];
    expect(decideApproval(input({ reviews })).countsUntil).toBeUndefined();
    expect(aged({ reviews: [] }).countsUntil).toBeUndefined();
    const merged = aged({ reviews, reviewedBefore: "2026-11-26T10:40:00Z" });
    expect(merged.status).toBe("approved");
    expect(merged.countsUntil).toBeUndefined();
  });

  it("waits for the last approver when one of several is enough (a surplus approval's loss changes nothing)", () => {
    const reviews = [
      review("bob", "APPROVED", 5),
      review("carol", "APPROVED", 20),
      review("sue", "APPROVED", 12),
    ];
    expectTurnsAt({ reviews }, "2026-11-26T11:20:00.000Z");
  });

  it("is when too few approvers are left for a count of two", () => {
    const reviews = [
      review("bob", "APPROVED", 5),
      review("carol", "APPROVED", 20),
      review("sue", "APPROVED", 40),
    ];
    const approval = { rules: [{ count: 2 }] };
    expectTurnsAt({ reviews, approval }, "2026-11-26T11:20:00.000Z");
  });

  it("follows each team's rule: the rule whose last approver ages out first decides", () => {
    // One from the DBAs, one from security: bob's DBA approval ages out first, but dan's still
    // covers the DBAs; Sam's is security's only one.
    const approval = {
      rules: [
        { count: 1, from: ["@acme/db"] },
        { count: 1, from: ["@acme/sec"] },
      ],
    };
    const owners_ = owners("@acme/db", "@acme/sec");
    const reviews = [
      review("bob", "APPROVED", 1),
      review("Sam", "APPROVED", 10),
      review("dan", "APPROVED", 20),
    ];
    expectTurnsAt({ reviews, approval, owners: owners_ }, "2026-11-26T11:10:00.000Z");
  });

  it("reassigns a person in both teams as others age out (one person, one rule)", () => {
    // bob is a DBA and in security. Sam (security) ages out first; bob then counts for security
    // and dan for the DBAs, so the approval holds until bob's ages out.
    const approval = {
      rules: [
        { count: 1, from: ["@acme/db"] },
        { count: 1, from: ["@acme/sec"] },
      ],
    };
    const teamMembers = { "acme/sec": ["Sam", "bob"], "acme/db": ["dan", "bob"] };
    const reviews = [
      review("Sam", "APPROVED", 1),
      review("bob", "APPROVED", 10),
      review("dan", "APPROVED", 20),
    ];
    expectTurnsAt(
      { reviews, approval, teamMembers, owners: owners("@acme/db", "@acme/sec") },
      "2026-11-26T11:10:00.000Z",
    );
  });

  it("uses the terms it is given: a break-glass approval's own rule and age", () => {
    // The evaluation passes break-glass's approval and its maxAge for an emergency request.
    const breakGlass = { rules: [{ count: 1, from: ["@acme/sec"] }], maxAge: "15m" };
    const d = decideApproval(
      input({
        reviews: [review("Sam", "APPROVED", 40)],
        approval: breakGlass,
        maxApprovalAge: { seconds: 900, text: "15m" },
        decidedAt: "2026-11-26T10:50:00Z",
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.countsUntil).toBe("2026-11-26T10:55:00.000Z");
  });

  it("is absent when a policy rule would approve without the reviews (their ageing changes nothing)", () => {
    const auto = { kind: "auto-approval" as const, rule: "auto-approval up to 30m", limit: "30m" };
    const d = aged({ reviews: [review("bob", "APPROVED", 5)], autoApproval: auto });
    expect(d.status).toBe("approved");
    expect(d.autoApproved).toBeUndefined();
    expect(d.countsUntil).toBeUndefined();
  });
});

describe("decideApproval with an auto-approval", () => {
  const auto = {
    kind: "auto-approval" as const,
    rule: "auto-approval up to 30m",
    limit: "30m",
  };

  it("approves without a review and says by which rule", () => {
    const d = decideApproval(input({ autoApproval: auto }));
    expect(d.status).toBe("approved");
    expect(d.reasons).toEqual([]);
    expect(d.autoApproved).toEqual(auto);
  });

  it("still blocks on a change request from an eligible owner", () => {
    const d = decideApproval(
      input({ autoApproval: auto, reviews: [review("bob", "CHANGES_REQUESTED", 1)] }),
    );
    expect(d.status).toBe("disapproved");
    expect(d.autoApproved).toBeUndefined();
  });

  it("does not claim the auto-approval when the reviews approve by themselves", () => {
    const d = decideApproval(
      input({ autoApproval: auto, reviews: [review("bob", "APPROVED", 1)] }),
    );
    expect(d.status).toBe("approved");
    expect(d.autoApproved).toBeUndefined();
  });
});

describe("decideApproval at the merge (reviewedBefore, dismissals)", () => {
  const MERGED = "2026-11-26T10:05:00Z";
  const dismissal = (reviewId: number, state: string, at: string) => ({ reviewId, state, at });

  it("counts a change request dismissed after the merge as what it was: it still blocks", () => {
    const changes = review("carol", "DISMISSED", 2);
    const reviews = [review("bob", "APPROVED", 1), changes];
    const d = decideApproval(
      input({
        reviews,
        reviewedBefore: MERGED,
        dismissals: [dismissal(changes.id, "changes_requested", "2026-11-26T10:06:00Z")],
      }),
    );
    expect(d.status).toBe("disapproved");
    expect(d.blockedBy).toEqual([
      { reviewer: "carol", reviewId: changes.id, reason: "requested changes" },
    ]);
  });

  it("counts an approval dismissed after the merge", () => {
    const approval = review("bob", "DISMISSED", 1);
    const d = decideApproval(
      input({
        reviews: [approval],
        reviewedBefore: MERGED,
        dismissals: [dismissal(approval.id, "APPROVED", "2026-11-26T10:06:00Z")],
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.approvals.map((a) => a.reviewId)).toEqual([approval.id]);
  });

  it("counts no approval against a merge time it cannot read (fail closed)", () => {
    // Every review might have come after such a merge: none can be placed before it.
    const d = decideApproval(
      input({ reviews: [review("bob", "APPROVED", 1)], reviewedBefore: "not a time" }),
    );
    expect(d.status).not.toBe("approved");
    expect(d.approvals).toEqual([]);
    expect(d.ignored.map((i) => i.reason)).toEqual(["reviewed after the merge (not a time)"]);
  });

  it("does not count an approval dismissed at no readable time, or against no readable merge time", () => {
    // It may have been dismissed before the merge: counting it would grant on an approval
    // that was withdrawn (it used to count; found by review).
    for (const [at, merged] of [
      ["not a time", MERGED],
      ["2026-11-26T10:06:00Z", "not a time"],
    ]) {
      const approval = review("bob", "DISMISSED", 1);
      const d = decideApproval(
        input({
          reviews: [approval],
          reviewedBefore: merged,
          dismissals: [dismissal(approval.id, "APPROVED", at!)],
        }),
      );
      expect(d.status).not.toBe("approved");
      expect(d.approvals).toEqual([]);
    }
  });

  it("drops a review dismissed at or before the merge, and only the review dismissed", () => {
    const approval = review("bob", "DISMISSED", 1);
    const other = review("carol", "DISMISSED", 2);
    for (const at of [MERGED, "2026-11-26T10:04:00Z"]) {
      const d = decideApproval(
        input({
          reviews: [approval, other],
          reviewedBefore: MERGED,
          dismissals: [dismissal(approval.id, "APPROVED", at)],
        }),
      );
      expect(d.status).toBe("pending");
      expect(d.approvals).toEqual([]);
    }
  });

  it("gives back only an approval or a change request, and only to a dismissed review", () => {
    const commented = review("bob", "DISMISSED", 1);
    const approved = review("sam", "APPROVED", 2);
    const d = decideApproval(
      input({
        reviews: [commented, approved],
        reviewedBefore: MERGED,
        dismissals: [
          dismissal(commented.id, "COMMENTED", "2026-11-26T10:06:00Z"),
          // A dismissal naming a review that is not dismissed changes nothing.
          dismissal(approved.id, "CHANGES_REQUESTED", "2026-11-26T10:06:00Z"),
        ],
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.approvals.map((a) => a.reviewer)).toEqual(["sam"]);
  });

  it("ignores the dismissals when no merge time is given (the live check)", () => {
    const approval = review("bob", "DISMISSED", 1);
    const d = decideApproval(
      input({
        reviews: [approval],
        dismissals: [dismissal(approval.id, "APPROVED", "2026-11-26T10:06:00Z")],
      }),
    );
    expect(d.status).toBe("pending");
  });

  it("counts an approval given at the merge second and ignores one after it, saying why", () => {
    const atMerge = { ...review("bob", "APPROVED", 5), submittedAt: MERGED };
    const after = review("sam", "APPROVED", 6);
    const d = decideApproval(
      input({
        reviews: [atMerge, after],
        reviewedBefore: MERGED,
        approval: { rules: [{ count: 2 }] },
      }),
    );
    expect(d.approvals.map((a) => a.reviewer)).toEqual(["bob"]);
    expect(d.ignored).toEqual([
      { reviewer: "sam", reviewId: after.id, reason: `reviewed after the merge (${MERGED})` },
    ]);
  });

  it("ignores a change request after the merge without listing it", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 1), review("carol", "CHANGES_REQUESTED", 6)],
        reviewedBefore: MERGED,
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.ignored).toEqual([]);
  });
});

describe("decideApproval: what the decision records and says", () => {
  it("records the eligible, the excluded, the unresolved owners and the basis, sorted and once", () => {
    const d = decideApproval(
      input({
        owners: owners("@zed", "@carol", "@acme/sec", "@alice", "ops@example.com"),
        pushers: ["Carl", "carl", "alice"],
        author: "Zed",
        baseChangedAt: ["2026-11-26T09:00:00Z"],
      }),
    );
    expect(d.eligible).toEqual(["carol", "sam", "sue"]);
    expect(d.excluded).toEqual([
      { login: "alice", reason: "is the requester" },
      { login: "zed", reason: "is the author of the pull request" },
    ]);
    expect(d.unresolvedOwners).toEqual(["ops@example.com"]);
    expect(d.basis).toEqual({
      headSha: HEAD,
      author: "Zed",
      pushers: ["alice", "carl"],
      baseChangedAt: ["2026-11-26T09:00:00Z"],
    });
    expect(decideApproval(input({})).basis.baseChangedAt).toEqual([]);
  });

  it("labels a rule without a group as one from code owners", () => {
    const d = decideApproval(input({ approval: { rules: [{ count: 2 }] } }));
    expect(d.reasons).toEqual(["rule 1: 2 from code owners: needs 2 more approvals"]);
  });

  it("says who is not a code owner, for which request", () => {
    const d = decideApproval(input({ reviews: [review("mallory", "APPROVED", 1)] }));
    expect(d.ignored).toEqual([
      {
        reviewer: "mallory",
        reviewId: expect.any(Number),
        reason: "is not a code owner of access-requests/alice-db.yaml",
      },
    ]);
  });

  it.each([
    [1, "after 1 approval, which no longer counts"],
    [2, "after 2 approvals, which no longer count"],
  ])("says how many approvals a base change made stale (%i)", (stale, words) => {
    const reviews = [review("bob", "APPROVED", 1), review("sam", "APPROVED", 2)].slice(0, stale);
    const d = decideApproval(
      input({
        reviews,
        baseChangedAt: ["2026-11-26T10:30:00Z"],
        approval: { rules: [{ count: 3 }] },
      }),
    );
    expect(d.reasons[0]).toBe(`the base branch was changed (2026-11-26T10:30:00.000Z) ${words}`);
  });

  it("does not mention a base change when the rules are met anyway", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 1), review("sam", "APPROVED", 40)],
        baseChangedAt: ["2026-11-26T10:30:00Z"],
      }),
    );
    expect(d.status).toBe("approved");
    expect(d.reasons).toEqual([]);
  });

  it.each([
    [1, "needs 1 more approval but only 0 eligible people can still approve"],
    [2, "needs 2 more approvals but only 1 eligible person can still approve"],
  ])("says a rule cannot be met with too few eligible people (%i missing)", (count, words) => {
    const d = decideApproval(
      input({
        owners: owners("@bob", "@alice"),
        reviews: count === 1 ? [review("bob", "APPROVED", 1)] : [],
        approval: { rules: [{ count: count === 1 ? 2 : 2 }] },
      }),
    );
    expect(d.reasons).toEqual([
      `rule 1: 2 from code owners: ${words}; fix CODEOWNERS or the policy`,
    ]);
  });

  it("says when an approval was counted for another rule, and when rules cannot all be met", () => {
    const d = decideApproval(
      input({
        owners: owners("@bob", "@carol"),
        approval: {
          rules: [
            { count: 1, from: ["@bob"] },
            { count: 1, from: ["@bob", "@carol"] },
          ],
        },
        reviews: [review("bob", "APPROVED", 1)],
      }),
    );
    expect(d.reasons).toEqual([
      "rule 2: 1 from @bob or @carol: needs 1 more approval from a different person than those counted for other rules (@bob counted for rule 1: 1 from @bob)",
    ]);
    const twoFromOne = decideApproval(
      input({
        owners: owners("@bob", "@carol"),
        approval: {
          rules: [
            { count: 1, from: ["@bob"] },
            { count: 1, from: ["@bob"] },
          ],
        },
        reviews: [review("bob", "APPROVED", 1)],
      }),
    );
    expect(twoFromOne.reasons).toEqual([
      "rule 2: 1 from @bob: needs 1 more approval from a different person than those counted for other rules (@bob counted for rule 1: 1 from @bob) but only 0 eligible people can still approve; fix CODEOWNERS or the policy",
    ]);
  });

  it("says when two rules need the same one person", () => {
    const d = decideApproval(
      input({
        owners: owners("@bob", "@carol"),
        approval: {
          rules: [
            { count: 1, from: ["@bob"] },
            { count: 1, from: ["@bob"] },
          ],
        },
      }),
    );
    expect(d.reasons).toEqual([
      "rule 1: 1 from @bob: needs 1 more approval",
      "rule 2: 1 from @bob: needs 1 more approval",
      "the rules cannot all be met: too few different eligible people can still approve (one person's approval counts for one rule only); fix CODEOWNERS or the policy",
    ]);
  });

  it("records each approver's references, email owners never among them", () => {
    const d = decideApproval(
      input({
        owners: owners("@acme/sec", "sam@example.com"),
        approval: { rules: [{ count: 1, from: ["@Sam"] }] },
        reviews: [review("sam", "APPROVED", 1)],
      }),
    );
    expect(d.approvals.map((a) => a.eligibleVia)).toEqual([["@acme/sec", "@sam"]]);
  });
});

describe("decideApproval: the order of approvals and an unreadable base change", () => {
  it("lists the approvals oldest first, ties on time by review id, whatever the order given", () => {
    const at = "2026-11-26T10:03:00Z";
    const sam = { ...review("sam", "APPROVED", 3), id: 502, submittedAt: at };
    const sue = { ...review("sue", "APPROVED", 3), id: 501, submittedAt: at };
    const bob = review("bob", "APPROVED", 1);
    const rules = { rules: [{ count: 3 }] };
    for (const reviews of [
      [sam, sue, bob],
      [bob, sue, sam],
    ]) {
      const d = decideApproval(input({ reviews, approval: rules }));
      expect(d.approvals.map((a) => a.reviewer)).toEqual(["bob", "sue", "sam"]);
    }
  });

  it("orders the approvals by when they were given, not by how the time is written", () => {
    // As text "…00.500Z" sorts before "…00Z"; in time it is half a second later.
    const sue = { ...review("sue", "APPROVED", 3), id: 502, submittedAt: "2026-11-26T10:03:00Z" };
    const sam = {
      ...review("sam", "APPROVED", 3),
      id: 501,
      submittedAt: "2026-11-26T10:03:00.500Z",
    };
    const d = decideApproval(input({ reviews: [sam, sue], approval: { rules: [{ count: 2 }] } }));
    expect(d.approvals.map((a) => a.reviewer)).toEqual(["sue", "sam"]);
  });

  it("lets a change request without a readable time stand over the same reviewer's approval (fail closed)", () => {
    // It cannot be placed in time, so it may be the latest opinion: the approval must not count.
    const approved = { ...review("bob", "APPROVED", 3), id: 611 };
    const blocked = { ...review("bob", "CHANGES_REQUESTED", 3), id: 612, submittedAt: "" };
    const d = decideApproval(input({ reviews: [approved, blocked] }));
    expect(d.status).toBe("disapproved");
    expect(d.approvals).toEqual([]);
    expect(d.blockedBy.map((b) => b.reviewId)).toEqual([612]);
  });

  it("takes a reviewer's latest opinion by when it was given, not by how the time is written", () => {
    // As text "…00.500Z" sorts before "…00Z": the change request half a second after the
    // approval must still be bob's latest opinion and block.
    const approved = {
      ...review("bob", "APPROVED", 3),
      id: 601,
      submittedAt: "2026-11-26T10:03:00Z",
    };
    const blocked = {
      ...review("bob", "CHANGES_REQUESTED", 3),
      id: 602,
      submittedAt: "2026-11-26T10:03:00.500Z",
    };
    const unreadable = { ...review("carol", "APPROVED", 3), id: 603, submittedAt: "not a time" };
    const d = decideApproval(input({ reviews: [approved, blocked, unreadable] }));
    expect(d.status).toBe("disapproved");
    expect(d.approvals).toEqual([]);
    expect(d.blockedBy.map((b) => b.reviewId)).toEqual([602]);
    expect(d.ignored).toContainEqual(
      expect.objectContaining({ reviewId: 603, reason: "has no submission time" }),
    );
  });

  it("says a base change GitHub shows no time for made the approvals stale (fail closed)", () => {
    const d = decideApproval(
      input({ reviews: [review("bob", "APPROVED", 1)], baseChangedAt: ["not a time"] }),
    );
    expect(d.status).toBe("pending");
    expect(d.reasons[0]).toBe(
      "the base branch was changed (at a time GitHub does not show) after 1 approval, which no longer counts",
    );
  });
});

describe("decideApproval: several approvals aged out", () => {
  it("names each expired approval, oldest first, with the plural", () => {
    const d = decideApproval(
      input({
        reviews: [review("bob", "APPROVED", 5), review("sam", "APPROVED", 6)],
        maxApprovalAge: { seconds: 3600, text: "1h" },
        decidedAt: "2026-11-26T11:10:00Z",
      }),
    );
    expect(d.reasons[0]).toBe(
      "2 approvals expired (approvals count for 1h): @bob's at 2026-11-26T11:05:00.000Z, @sam's at 2026-11-26T11:06:00.000Z",
    );
  });
});

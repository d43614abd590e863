import { describe, expect, it } from "vitest";
import { type Owner, parseOwner } from "../../src/core/codeowners.ts";
import {
  type ApprovalInput,
  DECISION_STATUSES,
  decideApproval,
  type ReviewInput,
  worseStatus,
} from "../../src/core/decide-approval.ts";

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

  it("lets one person count for several rules", () => {
    const approval = {
      rules: [
        { name: "database", count: 1, from: ["@acme/db"] },
        { name: "named", count: 1, from: ["@bob"] },
      ],
    };
    const d = decideApproval(
      input({ owners: owners("@acme/db"), approval, reviews: [review("bob", "APPROVED", 1)] }),
    );
    expect(d.status).toBe("approved");
    expect(d.approvals[0]?.rules).toEqual(["database", "named"]);
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

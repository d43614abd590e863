import { describe, expect, it } from "vitest";
import { parseOwnerReference } from "../../../src/core/policy/owner-reference.ts";

describe("parseOwnerReference", () => {
  it.each([
    ["@alice", { kind: "user", login: "alice" }],
    ["Alice", { kind: "user", login: "Alice" }],
    ["@acme/db-admins", { kind: "team", org: "acme", slug: "db-admins" }],
    ["Acme/SRE", { kind: "team", org: "Acme", slug: "SRE" }],
    // A record's reference is taken as written: what follows a second slash is no part of the slug.
    ["@acme/db/extra", { kind: "team", org: "acme", slug: "db" }],
    ["@acme/", { kind: "team", org: "acme", slug: "" }],
  ])("reads %s", (reference, owner) => {
    expect(parseOwnerReference(reference)).toEqual(owner);
  });
});

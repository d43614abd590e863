import { describe, expect, it } from "vitest";
import {
  extendsNamedIn,
  extensionDirectories,
  findSiblingExtensions,
  gatherSiblingExtensions,
  isSiblingCandidate,
} from "../../../src/core/approval/find-sibling-extensions.ts";
import { grantRecord } from "../history/access-history-fixtures.ts";

const GRANT = "access-requests/team/alice-db.yaml";

describe("findSiblingExtensions: the other extensions of one grant", () => {
  it("looks beside the grant and in its requester's directory", () => {
    const record = grantRecord({ requestPath: GRANT, requester: "alice" });
    expect(extensionDirectories(GRANT, record)).toEqual([
      "access-requests/team/",
      "access-requests/alice/",
    ]);
    expect(extensionDirectories("access-requests/alice/db.yaml", record)).toEqual([
      "access-requests/alice/",
    ]);
  });

  it("reads request files and grant records directly in the directory, nothing else", () => {
    const dir = "access-requests/team/";
    expect(isSiblingCandidate("access-requests/team/b.yml", dir)).toBe(true);
    expect(isSiblingCandidate("access-requests/team/b.grant.json", dir)).toBe(true);
    expect(isSiblingCandidate("access-requests/team/b.audit.json", dir)).toBe(false);
    expect(isSiblingCandidate("access-requests/team/sub/b.yaml", dir)).toBe(false);
  });

  it("tells what a request or a grant record extends, and null when it cannot be read", () => {
    const yaml = (content: string) =>
      extendsNamedIn({ path: "access-requests/team/b.yaml", content });
    expect(yaml(`requester: alice\nextends: ${GRANT}\n`)).toBe(GRANT);
    expect(yaml(`# a comment\nrequester: "alice"\nextends: '${GRANT}'\n`)).toBe(GRANT);
    expect(yaml("requester: alice\n")).toBeUndefined();
    expect(yaml("requester: [alice\n")).toBeNull();
    expect(yaml("extends: 3\n")).toBeNull();
    const json = (content: string) =>
      extendsNamedIn({ path: "access-requests/team/b.grant.json", content });
    expect(json(JSON.stringify({ extends: GRANT }))).toBe(GRANT);
    expect(json("{")).toBeNull();
  });

  it("finds the others that extend the grant, or might, leaving out the extension itself", () => {
    const own = "access-requests/team/alice-db-3.yaml";
    const found = findSiblingExtensions(
      [
        { path: own, extends: GRANT },
        { path: "access-requests/team/alice-db-3.grant.json", extends: GRANT },
        { path: "access-requests/team/alice-db-2.grant.json", extends: GRANT },
        { path: "access-requests/team/other.yaml", extends: "access-requests/team/x.yaml" },
        { path: "access-requests/team/broken.yaml", extends: null },
        { path: "access-requests/team/plain.yaml", extends: undefined },
      ],
      GRANT,
      own,
    );
    expect(found).toEqual([
      "access-requests/team/alice-db-2.grant.json",
      "access-requests/team/broken.yaml",
    ]);
  });
});

describe("gatherSiblingExtensions: the siblings from what a shell listed and read", () => {
  const record = grantRecord({ requestPath: GRANT, requester: "alice" });
  const extended = { path: GRANT, record };
  const extendsOf: Record<string, string | undefined | null> = {
    "access-requests/team/bob-db.yaml": undefined,
    "access-requests/team/alice-db-2.yaml": GRANT,
    "access-requests/alice/db-more.yaml": GRANT,
    "access-requests/alice/db-more.grant.json": GRANT,
    "access-requests/alice/broken.yaml": null,
    "access-requests/alice/sub/deep.yaml": GRANT,
    "access-requests/alice/db-more.audit.json": GRANT,
  };
  const listed = (directory: string) =>
    Object.keys(extendsOf).filter((p) => p.startsWith(directory));

  it("finds the other extensions in both directories, leaving out its own files", () => {
    const asked: string[] = [];
    const found = gatherSiblingExtensions(extended, "access-requests/alice/db-more.yaml", {
      listed,
      extendsOf: (p) => {
        asked.push(p);
        return extendsOf[p];
      },
    });
    expect(found).toEqual([
      "access-requests/alice/broken.yaml",
      "access-requests/team/alice-db-2.yaml",
    ]);
    // Only request files and grant records directly in each directory are asked about.
    expect(asked).not.toContain("access-requests/alice/sub/deep.yaml");
    expect(asked).not.toContain("access-requests/alice/db-more.audit.json");
  });

  it("looks nowhere for an extension that sits in neither directory", () => {
    const found = gatherSiblingExtensions(extended, "access-requests/other/db-more.yaml", {
      listed: () => {
        throw new Error("listed");
      },
      extendsOf: () => GRANT,
    });
    expect(found).toBeUndefined();
  });
});

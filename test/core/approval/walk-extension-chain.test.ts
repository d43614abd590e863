import { describe, expect, it } from "vitest";
import {
  MAX_EXTENSION_CHAIN,
  walkExtensionChainWith,
} from "../../../src/core/approval/walk-extension-chain.ts";
import type { GrantRecord } from "../../../src/core/grant/records.ts";
import { grantRecord } from "../history/access-history-fixtures.ts";

/** Grant records by request path: `a` extends `b` extends ... as `links` says. */
function records(links: Record<string, string | undefined>, free: string[] = []) {
  const all = new Map<string, GrantRecord>();
  for (const [path, extendsPath] of Object.entries(links)) {
    all.set(
      path,
      grantRecord({
        requestPath: path,
        ...(extendsPath ? { extends: extendsPath } : {}),
        ...(free.includes(path)
          ? {
              autoApproval: {
                kind: "extension" as const,
                rule: "r",
                limit: "1h",
                extends: extendsPath ?? "",
              },
            }
          : {}),
      }),
    );
  }
  return (path: string) => all.get(path);
}

describe("walkExtensionChain: the one chain walk of the app and verify", () => {
  it("walks back to the original grant, nearest first, naming the free extensions", () => {
    const read = records(
      { "r/c.yaml": "r/b.yaml", "r/b.yaml": "r/a.yaml", "r/a.yaml": undefined },
      ["r/b.yaml"],
    );
    const walked = walkExtensionChainWith("r/c.yaml", read);
    expect(walked.complete).toBe(true);
    expect(walked.record?.requestPath).toBe("r/c.yaml");
    expect(walked.chain).toEqual([
      { path: "r/b.yaml", freeExtension: true },
      { path: "r/a.yaml", freeExtension: false },
    ]);
  });

  it("does not take a record that names another request than the file it is read from", () => {
    const planted = records({ "r/a.yaml": undefined });
    const walked = walkExtensionChainWith("r/b.yaml", (p) =>
      planted(p === "r/b.yaml" ? "r/a.yaml" : p),
    );
    expect(walked).toEqual({ record: undefined, chain: [], complete: false });
  });

  it("stops at a loop and at a missing record, incomplete", () => {
    const loop = records({ "r/a.yaml": "r/b.yaml", "r/b.yaml": "r/a.yaml" });
    expect(walkExtensionChainWith("r/a.yaml", loop).complete).toBe(false);
    const gap = records({ "r/a.yaml": "r/b.yaml" });
    expect(walkExtensionChainWith("r/a.yaml", gap).complete).toBe(false);
  });

  it(`reads at most ${MAX_EXTENSION_CHAIN} grants behind the extended one`, () => {
    const chain = (length: number) => {
      const links: Record<string, string | undefined> = {};
      for (let i = 0; i <= length; i++)
        links[`r/${i}.yaml`] = i < length ? `r/${i + 1}.yaml` : undefined;
      return walkExtensionChainWith("r/0.yaml", records(links));
    };
    expect(chain(MAX_EXTENSION_CHAIN).complete).toBe(true);
    expect(chain(MAX_EXTENSION_CHAIN + 1).complete).toBe(false);
  });
});

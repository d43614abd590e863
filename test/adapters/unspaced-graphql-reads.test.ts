import type { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { unspacedGraphQlReads } from "../../src/adapters/unspaced-graphql-reads.ts";

/** An Octokit of a class that records how it is built; `auth` answers `token` or throws. */
function fakeOctokit(token: string | Error) {
  const built: object[] = [];
  const sent: string[] = [];
  class Fake {
    options: object;
    constructor(options: object) {
      this.options = options;
      built.push(options);
    }
    async auth() {
      if (token instanceof Error) throw token;
      return { type: "token", token };
    }
    request = { endpoint: { DEFAULTS: { baseUrl: "https://ghe.example/api/v3" } } };
    async graphql(query: string) {
      sent.push(`${built.indexOf(this.options)}: ${query}`);
      return {};
    }
  }
  return { octokit: new Fake({ event: true }) as unknown as ProbotOctokit, built, sent };
}

describe("unspacedGraphQlReads", () => {
  it("sends queries through a client of the same class with the token and throttling off", async () => {
    const { octokit, built, sent } = fakeOctokit("ghs_installation");
    const read = unspacedGraphQlReads(octokit);
    await read("query A", {});
    await read("query B", {});
    // Built once, on first use.
    expect(built).toEqual([
      { event: true },
      {
        auth: { token: "ghs_installation" },
        baseUrl: "https://ghe.example/api/v3",
        throttle: { enabled: false },
      },
    ]);
    expect(sent).toEqual(["1: query A", "1: query B"]);
  });

  it("falls back to the event's own (spaced) client when no token can be had", async () => {
    const { octokit, built, sent } = fakeOctokit(new Error("no installation"));
    await unspacedGraphQlReads(octokit)("query A", {});
    expect(built).toHaveLength(1);
    expect(sent).toEqual(["0: query A"]);
  });
});

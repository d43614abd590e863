import { describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../../src/core/history/build-access-history.ts";
import {
  accountAliases,
  unknownFilterName,
} from "../../../src/core/history/check-history-filter.ts";
import { examplePolicies } from "../../support/example-policies.ts";

const policies = examplePolicies();

/** An entry of a request for a role and account no longer in policies/. */
const retired = {
  requestPath: "access-requests/old/x.yaml",
  request: { requester: "erin", role: "retired-role", account: "retired-account" },
  grant: null,
} as unknown as HistoryEntry;

describe("accountAliases", () => {
  it.each([
    ["production", ["production", "123456789012"]],
    ["123456789012", ["123456789012", "production"]],
    ["999999999999", ["999999999999"]],
    ["nowhere", ["nowhere"]],
  ])("%s matches %j", (given, aliases) => {
    expect(accountAliases(given, policies)).toEqual(aliases);
  });

  it("is the name alone when policies do not load", () => {
    expect(accountAliases("production", undefined)).toEqual(["production"]);
  });
});

describe("unknownFilterName", () => {
  it.each([
    [{ requester: "ALICE" }, undefined],
    [{ account: "123456789012" }, undefined],
    [{ role: "retired-role", account: "retired-account", requester: "erin" }, undefined],
    [
      { role: "db-admn" },
      '--role "db-admn" names no role in policies/ or in the history. Did you mean "db-admin"?',
    ],
    [{ requester: "zed" }, '--requester "zed" names no requester in policies/ or in the history.'],
  ])("%j: %s", (filters, message) => {
    expect(unknownFilterName(filters, [retired], policies)).toBe(message);
  });

  it("never suggests an account id for a name", () => {
    expect(unknownFilterName({ account: "12345678901" }, [], policies)).toBe(
      '--account "12345678901" names no account in policies/ or in the history.',
    );
  });
});

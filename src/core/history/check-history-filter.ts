import type { Policies } from "../policy/policy-format.ts";
import { didYouMean } from "../source/suggest-name.ts";
import type { HistoryEntry, HistoryFilter } from "./build-access-history.ts";

/** A 12-digit AWS account id, as `--account` may be given. */
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The values an account filter matches: the account given by name or by id, and its other
 * name (its id, or the names of the accounts with that id) in policies at the revision. So
 * `--account 123456789012` keeps requests that name the account only by name and were never
 * granted (no grant record holds the id), and a name keeps grants that recorded its id.
 */
export function accountAliases(given: string, policies: Policies | undefined): string[] {
  const aliases = new Set([given]);
  for (const [name, account] of Object.entries(policies?.accounts ?? {})) {
    if (name === given) aliases.add(account.id);
    if (ACCOUNT_ID.test(given) && account.id === given) aliases.add(name);
  }
  return [...aliases];
}

/** The name filters, as the command line spells them. */
export interface NameFilters {
  requester?: string;
  account?: string;
  role?: string;
}

/**
 * The first name filter that names nothing, neither in policies at the revision nor anywhere
 * in the history (`entries` unfiltered: a role or account removed from policies still has
 * its past requests), as a message with "did you mean"; undefined when every name is known.
 * An unknown name would otherwise print "0 requests; no findings", which reads as a clean
 * audit of someone who was merely misspelt.
 */
export function unknownFilterName(
  filters: NameFilters,
  entries: readonly HistoryEntry[],
  policies: Policies | undefined,
): string | undefined {
  const known = namesOf(entries, policies);
  for (const kind of ["requester", "account", "role"] as const) {
    const given = filters[kind];
    if (given === undefined) continue;
    const names = known[kind];
    // Logins are case-insensitive on GitHub; account and role names are exact.
    const found =
      kind === "requester"
        ? [...names].some((n) => n.toLowerCase() === given.toLowerCase())
        : names.has(given);
    if (!found) {
      const candidates = ACCOUNT_ID.test(given)
        ? []
        : [...names].filter((n) => !ACCOUNT_ID.test(n));
      return `--${kind} "${given}" names no ${kind} in policies/ or in the history.${didYouMean(given, candidates)}`;
    }
  }
  return undefined;
}

function namesOf(
  entries: readonly HistoryEntry[],
  policies: Policies | undefined,
): Record<keyof NameFilters, Set<string>> {
  const requester = new Set(Object.keys(policies?.identities ?? {}));
  const role = new Set(Object.keys(policies?.roles ?? {}));
  const account = new Set<string>();
  for (const [name, { id }] of Object.entries(policies?.accounts ?? {})) {
    account.add(name).add(id);
  }
  for (const { request, grant, requestPath } of entries) {
    for (const value of [request?.requester, grant?.requester]) if (value) requester.add(value);
    for (const value of [request?.role, grant?.role]) if (value) role.add(value);
    for (const value of [request?.account, grant?.account.name, grant?.account.id]) {
      if (value) account.add(value);
    }
    const unrecorded = /^access-requests\/unrecorded\/(\d{12})\//.exec(requestPath)?.[1];
    if (unrecorded) account.add(unrecorded);
  }
  return { requester, account, role };
}

/** Whether the filter names a requester, an account or a role. */
export function hasNameFilter(filter: HistoryFilter): boolean {
  return (
    filter.requester !== undefined || filter.account !== undefined || filter.role !== undefined
  );
}

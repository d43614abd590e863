/**
 * The one walk of a chain of extensions (`extends:` in the grant records), shared by the app's
 * evaluation, its merge re-check and `hallpass verify`, so that all three judge the same chain
 * the same way. Pure: the walk asks for each grant record it needs by yielding its request path,
 * and the shell answers with the record it read (from GitHub, or from a clone) or undefined.
 */

import type { GrantRecord } from "../grant/records.ts";
import type { ExtendedGrant } from "./find-auto-approval.ts";

/** Extensions of extensions are rare; a longer chain is not read (and admits no free one). */
export const MAX_EXTENSION_CHAIN = 20;

/** What the walk found: the extended grant's record and the chain behind it. */
export type ExtensionChain = Pick<ExtendedGrant, "record" | "chain" | "complete">;

/**
 * Walks the chain from the grant of `path` back to its start. Yields the request path whose
 * grant record (`<stem>.grant.json`) it needs next, `path` itself first; send back what that
 * file holds. A record
 * that names another request than the file it is in counts as missing: the walk must not
 * follow a record copied or planted under another name.
 */
export function* walkExtensionChain(
  path: string,
): Generator<string, ExtensionChain, GrantRecord | undefined> {
  const record = own(path, yield path);
  const chain: ExtensionChain["chain"] = [];
  const seen = new Set([path]);
  let next = record?.extends;
  while (next !== undefined) {
    if (seen.has(next) || chain.length >= MAX_EXTENSION_CHAIN) {
      return { record, chain, complete: false };
    }
    seen.add(next);
    const earlier = own(next, yield next);
    if (!earlier) return { record, chain, complete: false };
    chain.push({ path: next, freeExtension: earlier.autoApproval?.kind === "extension" });
    next = earlier.extends;
  }
  return { record, chain, complete: record !== undefined };
}

/** Runs the walk with a reader that answers at once (a clone already read). */
export function walkExtensionChainWith(
  path: string,
  read: (requestPath: string) => GrantRecord | undefined,
): ExtensionChain {
  const walk = walkExtensionChain(path);
  let step = walk.next(undefined);
  while (!step.done) step = walk.next(read(step.value));
  return step.value;
}

/** `record` when it is the grant of `path` (not of its twin or of another request). */
function own(path: string, record: GrantRecord | undefined): GrantRecord | undefined {
  return record?.requestPath === path ? record : undefined;
}

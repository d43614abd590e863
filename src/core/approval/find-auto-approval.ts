/**
 * Whether a policy rule approves a request without review: a role's `autoApproval` (a short
 * request) or its `extension.withoutApproval` (one short extension of a live grant). Pure: the
 * shells read the changed files and the extended grant's records, and pass them in; the answer
 * goes into `decideApproval` as its `autoApproval`.
 *
 * Fails closed everywhere: a rule applies only when every condition is known to hold. The
 * policies are those of the base (or merge) commit, so a role that drops its rule before the
 * merge is refused at the merge unless the reviews approve.
 */

import type { AutoApprovalBasis, GrantRecord } from "../grant/records.ts";
import type { Approval, Role, Settings } from "../policy/policy-format.ts";
import type { ChangedPath } from "../request/check-pull-request-contents.ts";
import { formatDuration, parseDuration } from "../request/duration.ts";
import { directoryOf, extensionDirectories } from "./find-sibling-extensions.ts";

/** What git says about the grant an extension names, read at the rules' commit. */
export interface ExtendedGrant {
  /** The extended request's grant record; undefined when none is recorded (or unreadable). */
  record: GrantRecord | undefined;
  /** Whether a revocation of it is recorded. */
  revoked: boolean;
  /**
   * The grant records of the chain behind it (what it extends, and so on), nearest first, each
   * as its path and whether it was an extension without approval. `complete` is false when the
   * chain could not be read to its start (a missing record, a loop, too long).
   */
  chain: { path: string; freeExtension: boolean }[];
  complete: boolean;
  /**
   * The other request files and grant records that extend it too, or might (unreadable), among
   * the direct children of `extensionDirectories` at the rules' commit: `findSiblingExtensions`.
   * Undefined when they were not read.
   */
  siblings: readonly string[] | undefined;
}

export interface AutoApprovalContext {
  requestPath: string;
  /** The pull request's changed files: the rule applies only to one added request file. */
  changedFiles: readonly ChangedPath[];
  role: Role;
  roleName: string;
  accountName: string;
  requester: string;
  emergency: boolean;
  /** The request's `extends:`. */
  extends: string | undefined;
  durationSeconds: number;
  /**
   * When the window starts (ISO-8601): the request's `start`, or undefined for "when merged".
   * A free extension must start by the end of the grant it extends.
   */
  start?: string;
  /** The clock of the decision (ISO-8601): the extended grant must be live at it. */
  decidedAt: string;
  /** For an extension: the extended grant as git records it. */
  extended?: ExtendedGrant;
}

/** `applies`: the basis for `decideApproval`. Otherwise why not, when the role has such a rule. */
export type AutoApprovalFinding =
  | { applies: true; basis: AutoApprovalBasis }
  | { applies: false; why: string | undefined };

const NO = { applies: false, why: undefined } as const;

/** Which rule, if any, approves the request without review. */
export function findAutoApproval(context: AutoApprovalContext): AutoApprovalFinding {
  const { role } = context;
  const rule = context.extends === undefined ? role.autoApproval : role.extension;
  if (!rule) return NO;
  const not = (why: string): AutoApprovalFinding => ({ applies: false, why });
  // Policy and CODEOWNERS changes need their owners: only a pull request that holds its one
  // request file and nothing else may pass without review (the evaluation refuses anything
  // else too; this rule does not lean on that).
  const [only, ...others] = context.changedFiles;
  if (others.length > 0 || only?.status !== "added" || only.path !== context.requestPath) {
    return not("it applies only to a pull request that adds one request file and nothing else");
  }
  if (context.emergency) {
    return not("it never applies to an emergency request, which follows break-glass");
  }
  const limitText = "maxDuration" in rule ? rule.maxDuration : rule.withoutApproval;
  const limit = parseDuration(limitText);
  if (!limit.ok || !(context.durationSeconds <= limit.seconds)) {
    return not(
      `it covers up to ${limitText} and this request asks for ${formatDuration(context.durationSeconds)}`,
    );
  }
  if (context.extends === undefined) {
    const name = role.autoApproval?.name ?? `auto-approval up to ${limitText}`;
    return { applies: true, basis: { kind: "auto-approval", rule: name, limit: limitText } };
  }
  const refusal = checkExtendedGrant(context, context.extends);
  if (refusal) return not(refusal);
  return {
    applies: true,
    basis: {
      kind: "extension",
      rule: `one extension without approval up to ${limitText}`,
      limit: limitText,
      extends: context.extends,
    },
  };
}

/** Why the extended grant does not admit a free extension; undefined when it does. */
function checkExtendedGrant(context: AutoApprovalContext, path: string): string | undefined {
  const extended = context.extended;
  const record = extended?.record;
  if (!extended || !record) return `no grant of ${path} is recorded`;
  if (record.requester.toLowerCase() !== context.requester.toLowerCase()) {
    return `the grant of ${path} is @${record.requester}'s, not the requester's`;
  }
  if (record.role !== context.roleName || record.account.name !== context.accountName) {
    return `the grant of ${path} is for ${record.role} in ${record.account.name}: an extension keeps the role and the account`;
  }
  const now = Date.parse(context.decidedAt);
  if (extended.revoked || !(now < Date.parse(record.window.end))) {
    return `the grant of ${path} is no longer live (${extended.revoked ? "revoked" : `it ended at ${record.window.end}`})`;
  }
  // Starting later, it would leave the extended grant live (nothing replaces it until then),
  // so each further request extending it would be free too: access without review, again and
  // again. Starting by its end, no free extension reaches past its end plus the limit.
  if (
    context.start !== undefined &&
    !(Date.parse(context.start) <= Date.parse(record.window.end))
  ) {
    return `a free extension starts by the end of the grant it extends (${record.window.end}), and this one starts at ${context.start}`;
  }
  if (!extended.complete) {
    return `the chain of extensions behind ${path} could not be read to its start`;
  }
  return (
    checkChain(path, record, extended) ??
    checkSiblings(context.requestPath, path, extensionDirectories(path, record), extended.siblings)
  );
}

/**
 * While the extended grant stays live (the extension starts later, or replacing it failed), a
 * second extension of it would look like the first again: no free one beside another. Its
 * siblings are looked for in `directories`, so a free extension must be in one of them too.
 */
function checkSiblings(
  requestPath: string,
  path: string,
  directories: readonly string[],
  siblings: readonly string[] | undefined,
): string | undefined {
  if (!directories.includes(directoryOf(requestPath))) {
    return `a free extension sits in the same directory as the grant it extends, or in its requester's (${directories.join(" or ")}), and this one does not`;
  }
  if (siblings === undefined) return `the other extensions of ${path} could not all be read`;
  if (siblings.length > 0) {
    return `${path} is already extended by ${siblings.join(", ")}: at most one extension without approval per grant`;
  }
  return undefined;
}

/** At most one free extension along the chain of `extends:` behind the extension. */
function checkChain(
  path: string,
  record: GrantRecord,
  extended: ExtendedGrant,
): string | undefined {
  const before = [
    ...(record.autoApproval?.kind === "extension" ? [path] : []),
    ...extended.chain.filter((c) => c.freeExtension).map((c) => c.path),
  ];
  if (before.length > 0) {
    return `the original grant was already extended once without approval (${before.join(", ")})`;
  }
  return undefined;
}

/**
 * How long an approval counts under `approval` (the role's, or its break-glass one): its
 * `maxAge`, else `settings.approvalMaxAge`, else no limit. A limit that does not parse (validated
 * policies never hold one) is zero: no approval counts.
 */
export function maxApprovalAgeOf(
  approval: Approval,
  settings: Pick<Settings, "approvalMaxAge">,
): { seconds: number; text: string } | undefined {
  const text = approval.maxAge ?? settings.approvalMaxAge;
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  return { seconds: parsed.ok ? parsed.seconds : 0, text };
}

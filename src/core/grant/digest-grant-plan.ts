import { createHash } from "node:crypto";
import { z } from "zod";
import { persistenceClass, persistenceClassesOf } from "../policy/persistence-classes.ts";
import type { GrantPlan } from "./plan-grant.ts";
import { planRevocation, REVOKE_POLICY_NAME } from "./plan-revocation.ts";

/**
 * Desired versus actual for one grant role's documents. The grant record (written only by the
 * app, in git) carries a digest of what the planned role holds; the sweep digests what IAM says
 * the role holds and compares the two. Tags are not part of it: anyone who can edit the role can
 * edit its tags, so git, not a tag, is the authority.
 */

/** What a role holds, as IAM returns it (documents already URL-decoded) or as planned. */
export interface RoleDocuments {
  /** Trust policy JSON text. */
  trustPolicy: string;
  /** Inline policy name -> policy JSON text. */
  inlinePolicies: Record<string, string>;
  managedPolicyArns: readonly string[];
  /** Permissions boundary ARN; undefined when the role has none. */
  permissionsBoundary: string | undefined;
  /** MaxSessionDuration in seconds; undefined when the reader could not see it. */
  maxSessionDuration: number | undefined;
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * The recorded digest of a grant role: hashes of its canonical documents, its managed policy
 * ARNs (sorted: IAM attaches a set) and its boundary and session length in clear, so a
 * difference can be named ("inline policy x edited") without storing the documents twice.
 */
export const planDigestSchema = z.strictObject({
  version: z.literal(1),
  trustPolicy: sha256.describe("SHA-256 of the canonical trust policy."),
  inlinePolicies: z
    .record(z.string(), sha256)
    .describe("Inline policy name -> SHA-256 of its canonical document."),
  managedPolicyArns: z.array(z.string()).describe("Attached managed policy ARNs, sorted."),
  permissionsBoundary: z.string().describe("Permissions boundary ARN."),
  maxSessionDuration: z.number().int().describe("The role's MaxSessionDuration in seconds."),
  allowPersistence: z
    .array(persistenceClass)
    .optional()
    .describe(
      "The persistence classes the role's tags lift in the boundary (its role's allowPersistence); absent when none.",
    ),
});

export type PlanDigest = z.infer<typeof planDigestSchema>;

/**
 * Canonical JSON of a policy document: object keys sorted, arrays kept in order (IAM returns
 * documents as submitted), and a one-element array written as its element, which the IAM policy
 * grammar treats the same ("Action": ["s3:Get*"] is "Action": "s3:Get*"). Whitespace goes.
 * Throws for text that is not JSON.
 */
export function canonicalJson(text: string): string {
  return JSON.stringify(canonical(JSON.parse(text)));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.length === 1 ? canonical(value[0]) : value.map(canonical);
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

function hashOf(text: string): string {
  let body: string;
  try {
    body = canonicalJson(text);
  } catch {
    // Not JSON (IAM never returns that for a policy): hashed as is, so it never matches a plan.
    body = `unparsed:${text}`;
  }
  return createHash("sha256").update(body).digest("hex");
}

/** The documents of a role hallpass makes: it always has a boundary and a session length. */
type PlannedDocuments = RoleDocuments & { permissionsBoundary: string; maxSessionDuration: number };

/** What the planned role holds. */
export function planDocuments(plan: GrantPlan): PlannedDocuments {
  return {
    trustPolicy: plan.trustPolicy,
    inlinePolicies: plan.inlinePolicies,
    managedPolicyArns: plan.managedPolicyArns,
    permissionsBoundary: plan.permissionsBoundary,
    maxSessionDuration: plan.maxSessionDuration,
  };
}

/**
 * The digest of a grant plan, stored in its grant record. The persistence opt-ins are tags, not
 * documents, but they widen what the boundary lets through, so the record names them.
 */
export function digestGrantPlan(plan: GrantPlan): PlanDigest {
  const digest = digestRoleDocuments(planDocuments(plan));
  const classes = persistenceClassesOf(plan.tags);
  return classes.length > 0 ? { ...digest, allowPersistence: classes } : digest;
}

/** The digest of documents a role is to hold (a grant role always has a boundary). */
export function digestRoleDocuments(documents: PlannedDocuments): PlanDigest {
  return {
    version: 1,
    trustPolicy: hashOf(documents.trustPolicy),
    inlinePolicies: Object.fromEntries(
      Object.keys(documents.inlinePolicies)
        .sort()
        .map((name) => [name, hashOf(documents.inlinePolicies[name] ?? "")]),
    ),
    managedPolicyArns: [...new Set(documents.managedPolicyArns)].sort(),
    permissionsBoundary: documents.permissionsBoundary,
    maxSessionDuration: documents.maxSessionDuration,
  };
}

/**
 * True when the role holds hallpass's own revocation deny (exactly what `planRevocation` writes,
 * for some second): the role is being revoked and is denied everything, so policies already
 * removed or still there are a revocation in progress, not a change by hand. A hand-written
 * policy under that name never passes: its document must be the deny, to the character.
 */
export function holdsRevocationDeny(actual: RoleDocuments): boolean {
  const text = actual.inlinePolicies[REVOKE_POLICY_NAME];
  if (text === undefined) return false;
  try {
    const doc = JSON.parse(text) as { Statement?: { Condition?: Record<string, unknown> }[] };
    const at = (
      doc.Statement?.[0]?.Condition?.DateLessThan as Record<string, unknown> | undefined
    )?.["aws:TokenIssueTime"];
    if (typeof at !== "string" || Number.isNaN(Date.parse(at))) return false;
    return canonicalJson(text) === canonicalJson(planRevocation(new Date(at)).document);
  } catch {
    return false;
  }
}

/**
 * True when a policy document only denies: every statement's Effect is Deny. Such a policy on a
 * grant role can only take access away (an administrator's containment, such as the IAM
 * console's "Revoke active sessions"), so removing it would give access back. False for text
 * that is not a policy document.
 */
export function onlyDenies(document: string): boolean {
  try {
    const statements = (JSON.parse(document) as { Statement?: unknown }).Statement;
    const list = Array.isArray(statements) ? statements : [statements];
    return (
      list.length > 0 &&
      list.every(
        (s) => typeof s === "object" && s !== null && (s as { Effect?: unknown }).Effect === "Deny",
      )
    );
  } catch {
    return false;
  }
}

/**
 * What differs between the documents a role holds and its recorded digest, in words, or []
 * when they agree. Fails closed: a document that cannot be parsed differs.
 */
export function describeDocumentDrift(actual: RoleDocuments, expected: PlanDigest): string[] {
  const drift: string[] = [];
  if (hashOf(actual.trustPolicy) !== expected.trustPolicy) {
    // IAM rewrites a principal ARN to the principal's unique id (AIDA..., AROA...) once that
    // user or role is deleted: the grant is then unusable, and nobody edited the policy.
    drift.push(
      /"A[A-Z0-9]{15,127}"/.test(actual.trustPolicy)
        ? "trust policy edited, or its principal was deleted (IAM shows a unique id for it)"
        : "trust policy edited",
    );
  }
  const names = new Set([
    ...Object.keys(actual.inlinePolicies),
    ...Object.keys(expected.inlinePolicies),
  ]);
  for (const name of [...names].sort()) {
    const want = expected.inlinePolicies[name];
    const have = actual.inlinePolicies[name];
    if (want === undefined) drift.push(`inline policy ${name} added`);
    else if (have === undefined) drift.push(`inline policy ${name} removed`);
    else if (hashOf(have) !== want) drift.push(`inline policy ${name} edited`);
  }
  const attached = new Set(actual.managedPolicyArns);
  const planned = new Set(expected.managedPolicyArns);
  for (const arn of [...attached].sort()) {
    if (!planned.has(arn)) drift.push(`managed policy ${arn} attached`);
  }
  for (const arn of [...planned].sort()) {
    if (!attached.has(arn)) drift.push(`managed policy ${arn} detached`);
  }
  drift.push(...describeBoundaryDrift(actual, expected.permissionsBoundary));
  if (
    actual.maxSessionDuration !== undefined &&
    actual.maxSessionDuration !== expected.maxSessionDuration
  ) {
    drift.push(
      `maximum session duration ${actual.maxSessionDuration}s instead of ${expected.maxSessionDuration}s`,
    );
  }
  return drift;
}

/**
 * Whether a role holds part of its plan and nothing else: the trust policy, boundary and session
 * length as planned, and only planned policies, each as planned, some not there yet. That is a
 * role the app is still putting together (CreateRole comes before its policies are put and
 * attached), which a sweep can list in between.
 */
export function holdsPartOfPlan(actual: RoleDocuments, expected: PlanDigest): boolean {
  const present: PlanDigest = {
    ...expected,
    inlinePolicies: Object.fromEntries(
      Object.entries(expected.inlinePolicies).filter(([name]) =>
        Object.hasOwn(actual.inlinePolicies, name),
      ),
    ),
    managedPolicyArns: expected.managedPolicyArns.filter((arn) =>
      actual.managedPolicyArns.includes(arn),
    ),
  };
  return describeDocumentDrift(actual, present).length === 0;
}

/**
 * The check left for a grant recorded before digests existed: its role must still carry a
 * permissions boundary (the one planned when `expected` is known).
 */
export function describeBoundaryDrift(
  actual: RoleDocuments,
  expected: string | undefined,
): string[] {
  if (actual.permissionsBoundary === undefined) return ["permissions boundary removed"];
  if (expected !== undefined && actual.permissionsBoundary !== expected) {
    return [`permissions boundary ${actual.permissionsBoundary} instead of ${expected}`];
  }
  return [];
}

import { parseJsonOrUndefined } from "../text/error-message.ts";
import {
  type GrantRecord,
  grantRecordSchema,
  type RevocationRecord,
  revocationRecordSchema,
} from "./records.ts";

/** What the text of a grant record file holds: no file, a file that is no record, or the record. */
export type GrantRecordRead =
  | { status: "missing" }
  | { status: "unreadable"; problem: string }
  | { status: "found"; record: GrantRecord };

/**
 * Reads the text of a grant record file (`undefined`: there is no file). Never throws: each
 * caller fails closed in its own words. Whether the record is the right request's
 * (`record.requestPath`) is the caller's check, since `x.yaml` and `x.yml` share their records.
 */
export function parseGrantRecord(text: string | undefined): GrantRecordRead {
  if (text === undefined) return { status: "missing" };
  const parsed = grantRecordSchema.safeParse(parseJsonOrUndefined(text));
  return parsed.success
    ? { status: "found", record: parsed.data }
    : { status: "unreadable", problem: parsed.error.issues[0]?.message ?? "invalid" };
}

/**
 * The revocation record read from the text of a revocation record file; undefined when there is
 * no file or the text is no record. Never throws. Any revocation file at all means revoked (fail
 * closed): the record is for what it says (whose role, why, when), never for whether.
 */
export function parseRevocation(text: string | undefined): RevocationRecord | undefined {
  if (text === undefined) return undefined;
  const parsed = revocationRecordSchema.safeParse(parseJsonOrUndefined(text));
  return parsed.success ? parsed.data : undefined;
}

/** ` (reason, revokedAt)` of a revocation record; empty when there is none (no file, no record). */
export function revocationNote(revocation: RevocationRecord | undefined): string {
  return revocation ? ` (${revocation.reason}, ${revocation.revokedAt})` : "";
}

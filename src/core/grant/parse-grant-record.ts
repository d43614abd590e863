import { parseJsonOrUndefined } from "../text/error-message.ts";
import { type GrantRecord, grantRecordSchema } from "./records.ts";

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

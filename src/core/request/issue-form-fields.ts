/**
 * The access-request issue form's fields, shared by the form's renderer and the parser of the
 * issues it produces. GitHub renders a submitted form as one `### <label>` section per field,
 * so the labels here are what the parser looks for: change one and the other follows.
 */

import type { AccessRequest } from "./request-format.ts";

/** Where the form lives: GitHub offers every form in this folder on "New issue". */
export const ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/access-request.yml";

/**
 * The label the form puts on its issues, which the app acts on. Anyone who can open an issue
 * can also write this label's sections by hand: the app trusts the label to pick the issues,
 * never the content, which is validated like any request file.
 */
export const ISSUE_FORM_LABEL = "access-request";

/** The request fields the form asks for, in its order. */
export type FormField = keyof Pick<
  AccessRequest,
  "role" | "account" | "duration" | "reason" | "ticket"
>;

/** Each field's label (its `### ` heading in the issue), and whether the form requires it. */
export const FORM_FIELDS: readonly { field: FormField; label: string; required: boolean }[] = [
  { field: "role", label: "Role", required: true },
  { field: "account", label: "Account", required: true },
  { field: "duration", label: "Duration", required: true },
  { field: "reason", label: "Reason", required: true },
  { field: "ticket", label: "Ticket", required: false },
];

/** What GitHub writes for an optional field left empty. */
export const NO_RESPONSE = "_No response_";

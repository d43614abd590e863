import { stringify } from "yaml";
import type { AccessRequest } from "./request-format.ts";

/**
 * The text of a request file that hallpass writes (`hallpass new`, the issue form,
 * `/hallpass extend`): the editor's schema line (`schema`, relative to the file), a comment line
 * when `note` is given (who wrote it and why), then the fields in their order in `request`, each
 * on one line however long (`lineWidth: 0`: a reason is never folded).
 */
export function renderRequestFile(
  request: Partial<AccessRequest>,
  header: { schema: string; note?: string },
): string {
  return [
    `# yaml-language-server: $schema=${header.schema}`,
    ...(header.note === undefined ? [] : [`# ${header.note}`]),
    stringify(request, { lineWidth: 0 }),
  ].join("\n");
}

import type { ActionCatalogue } from "../core/approval/describe-role-access.ts";

/**
 * Reads AWS's published service authorisation data for the given services (lower-case
 * prefixes); a service it does not know is left out of the answer.
 */
export type ReadActionCatalogue = (services: readonly string[]) => Promise<ActionCatalogue>;

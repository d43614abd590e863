import { describeSchemaIssues } from "../source/describe-schema-issues.ts";
import { type ParsedYaml, parseYaml } from "../source/parse-yaml.ts";
import { hasErrors, type Problem } from "../source/problem.ts";
import { sortProblems } from "../source/sort-problems.ts";
import type { SourceFile } from "../source/source-file.ts";
import { type Policies, type PolicyFile, policyFileSchema } from "./policy-format.ts";
import { type PolicyLocator, validatePolicies } from "./validate-policies.ts";

/** Largest policy file accepted. Generous for a big organisation, small enough to parse at once. */
export const MAX_POLICY_FILE_BYTES = 256 * 1024;

/** Where policy problems are reported when no single file is at fault. */
export const POLICIES_DIRECTORY = "policies/";

const SECTIONS = ["accounts", "identities", "roles"] as const;

/**
 * Reads every policy file, merges them and checks the result. Each file may hold any of the
 * sections (`accounts`, `identities`, `roles`, `settings`); a name defined twice is an error
 * at its second definition, and `settings` must be defined exactly once. Every reference must
 * resolve, durations must parse, IAM statements must be well-formed and fit IAM's size limits.
 *
 * Fails closed: `policies` is undefined when there is any error, so no decision is ever made
 * on policies that are partly wrong. Warnings do not block.
 */
export function loadPolicies(files: SourceFile[]): {
  policies: Policies | undefined;
  problems: Problem[];
} {
  const problems: Problem[] = [];
  if (files.length === 0) {
    problems.push(
      wholeDirectory(
        "no policy files found: add YAML files under policies/ defining accounts, identities, roles and settings (see the README).",
      ),
    );
    return { policies: undefined, problems };
  }

  const sorted = [...files].sort((a, b) => a.path.localeCompare(b.path));
  const parsedFiles: { path: string; parsed: ParsedYaml; value: PolicyFile }[] = [];
  for (const file of sorted) {
    const { parsed, problems: syntax } = parseYaml(file, {
      maxBytes: MAX_POLICY_FILE_BYTES,
      kind: "policy file",
    });
    problems.push(...syntax);
    if (!parsed) continue;
    const result = policyFileSchema.safeParse(parsed.value);
    if (!result.success) {
      problems.push(
        ...describeSchemaIssues(file.path, parsed, policyFileSchema, result.error.issues),
      );
      continue;
    }
    // A file with duplicate keys had its schema checked on each key's last value, but it is
    // left out of the merge: a definition lost with an earlier occurrence would make the
    // cross-file checks report references to it as missing, burying the real problem.
    if (hasErrors(syntax)) continue;
    parsedFiles.push({ path: file.path, parsed, value: result.data });
  }

  // Merge, remembering where each name was defined so later rules can point at it.
  const merged = {
    accounts: {},
    identities: {},
    roles: {},
  } as Pick<Policies, (typeof SECTIONS)[number]>;
  const origins = new Map<string, { path: string; parsed: ParsedYaml }>();
  let settings: { value: Policies["settings"]; path: string; parsed: ParsedYaml } | undefined;
  for (const { path, parsed, value } of parsedFiles) {
    for (const section of SECTIONS) {
      for (const [name, entry] of Object.entries(value[section] ?? {})) {
        const key = `${section}\u0000${name}`;
        const first = origins.get(key);
        if (first) {
          const at = first.parsed.locate([section, name], "key");
          problems.push(
            locatedIn(
              path,
              parsed,
              [section, name],
              `${singular(section)} "${name}" is already defined at ${first.path}:${at.line}; names must be unique across all policy files. Remove or rename one.`,
            ),
          );
          continue;
        }
        origins.set(key, { path, parsed });
        (merged[section] as Record<string, unknown>)[name] = entry;
      }
    }
    if (value.settings) {
      if (settings) {
        const at = settings.parsed.locate(["settings"], "key");
        problems.push(
          locatedIn(
            path,
            parsed,
            ["settings"],
            `settings are already defined at ${settings.path}:${at.line}; define them in exactly one policy file.`,
          ),
        );
      } else {
        settings = { value: value.settings, path, parsed };
      }
    }
  }

  if (parsedFiles.length < sorted.length) {
    // Some files did not parse: references into them would be reported as missing, which
    // would bury the real problem. Report only what is certain.
    return { policies: undefined, problems: sortProblems(problems) };
  }
  if (!settings) {
    problems.push(
      wholeDirectory(
        "no policy file defines settings: add a settings: section (permissionsBoundary at least) to one file under policies/.",
      ),
    );
    return { policies: undefined, problems };
  }

  const policies: Policies = { ...merged, settings: settings.value };
  const settingsOrigin = settings;
  const locate: PolicyLocator = (fieldPath, part = "value") => {
    const [section, name] = fieldPath;
    const origin =
      section === "settings"
        ? settingsOrigin
        : origins.get(`${String(section)}\u0000${String(name)}`);
    if (!origin) return { file: POLICIES_DIRECTORY, line: 1, column: 1 };
    const position = origin.parsed.locate(fieldPath, part);
    return { file: origin.path, ...position };
  };
  problems.push(...validatePolicies(policies, locate));
  return {
    policies: hasErrors(problems) ? undefined : policies,
    problems: sortProblems(problems),
  };
}

function singular(section: (typeof SECTIONS)[number]): string {
  return section === "accounts" ? "account" : section === "identities" ? "identity" : "role";
}

function wholeDirectory(message: string): Problem {
  return { file: POLICIES_DIRECTORY, line: 1, column: 1, severity: "error", message };
}

function locatedIn(
  path: string,
  parsed: ParsedYaml,
  fieldPath: string[],
  message: string,
): Problem {
  const { line, column } = parsed.locate(fieldPath, "key");
  return { file: path, line, column, field: fieldPath.join("."), severity: "error", message };
}

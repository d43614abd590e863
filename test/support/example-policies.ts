import { loadPolicies } from "../../src/core/policy/load-policies.ts";
import type { Policies } from "../../src/core/policy/policy-format.ts";

/**
 * A small, valid set of policy files for tests: two accounts, three roles (one without
 * ticket or break-glass, one with both, one break-glass admin), three identities.
 */
export const examplePolicyFiles = {
  "policies/accounts.yaml": `accounts:
  staging:
    id: "210987654321"
    brokerRole: arn:aws:iam::210987654321:role/hallpass-broker
    regions: [eu-west-1]
  production:
    id: "123456789012"
    brokerRole: arn:aws:iam::123456789012:role/hallpass-broker
    regions: [eu-west-1, us-east-1]
`,
  "policies/identities.yaml": `identities:
  alice:
    awsPrincipal: arn:aws:iam::444455556666:user/alice
  bob:
    awsPrincipal: arn:aws:iam::444455556666:user/bob
  carol:
    awsPrincipal: arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Eng_0123/carol@example.com
`,
  "policies/roles.yaml": `roles:
  prod-readonly:
    description: Read-only view of production.
    accounts: [staging, production]
    maxDuration: 8h
    permissions:
      managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    approval:
      rules:
        - count: 1
          from: ["@acme/sre"]
  db-admin:
    description: Administer the databases.
    accounts: [production]
    maxDuration: 4h
    permissions:
      statements:
        - sid: Rds
          actions: ["rds:*"]
    approval:
      rules:
        - count: 1
          from: ["@acme/dba"]
    ticket:
      required: true
      pattern: "^(INC|CHG)-[0-9]+$"
    breakGlass:
      allowed: true
      maxDuration: 1h
      approval:
        rules:
          - count: 1
  staging-only:
    description: Staging experiments.
    accounts: [staging]
    maxDuration: 1d
    permissions:
      managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
    approval:
      rules:
        - count: 1
`,
  "policies/settings.yaml": `settings:
  permissionsBoundary: arn:aws:iam::{accountId}:policy/hallpass-boundary
  reasonMinLength: 20
`,
} as const;

/** The example policy files as SourceFiles, with optional replacements or additions. */
export function examplePolicySources(overrides: Record<string, string> = {}) {
  const files: Record<string, string> = { ...examplePolicyFiles, ...overrides };
  return Object.entries(files).map(([path, content]) => ({ path, content }));
}

/** The example policies, loaded; throws if they do not load (the fixture itself is broken). */
export function examplePolicies(): Policies {
  const { policies, problems } = loadPolicies(examplePolicySources());
  if (!policies) throw new Error(`example policies are invalid: ${JSON.stringify(problems)}`);
  return policies;
}

import type { Policies } from "../../src/core/policy/policy-format.ts";
import type { ValidatedRequest } from "../../src/core/request/validate-request.ts";

/** Hand-built policies for grant tests: one account, two people, a read-only and an admin role. */
export function grantPolicies(): Policies {
  return {
    accounts: {
      prod: {
        id: "111122223333",
        brokerRole: "arn:aws:iam::111122223333:role/hallpass-broker",
        regions: ["eu-west-1"],
      },
    },
    identities: {
      alice: { awsPrincipal: "arn:aws:iam::999988887777:user/alice" },
      bob: { awsPrincipal: "arn:aws:iam::999988887777:user/bob" },
    },
    roles: {
      "db-read": {
        description: "Read RDS and the orders bucket",
        accounts: ["prod"],
        maxDuration: "8h",
        permissions: {
          managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          statements: [
            {
              sid: "ReadOrders",
              effect: "Allow",
              actions: ["s3:GetObject", "s3:ListBucket"],
              resources: ["arn:aws:s3:::orders", "arn:aws:s3:::orders/*"],
            },
            {
              effect: "Deny",
              actions: ["s3:GetObject"],
              resources: ["arn:aws:s3:::orders/secret/*"],
            },
          ],
        },
        approval: { rules: [{ count: 1 }] },
      },
    },
    settings: {
      permissionsBoundary: "arn:aws:iam::{accountId}:policy/hallpass-boundary",
      reasonMinLength: 20,
      auditDelay: "30m",
      alerts: [],
      notifications: {},
      recordWriters: { app: "hallpass[bot]", action: "hallpass[bot]" },
    },
  };
}

/** A validated request of alice for db-read in prod, as validate-request returns it. */
export function aliceRequest(overrides: Partial<ValidatedRequest> = {}): ValidatedRequest {
  const policies = grantPolicies();
  return {
    path: "access-requests/alice-db.yaml",
    request: {
      requester: "alice",
      role: "db-read",
      account: "prod",
      duration: "2h",
      reason: "Investigate the failed order exports of INC-42",
      ticket: "INC-42",
    },
    durationSeconds: 7_200,
    start: undefined,
    role: policies.roles["db-read"]!,
    account: policies.accounts.prod!,
    identity: policies.identities.alice!,
    emergency: false,
    ...overrides,
  };
}

export const MERGE_COMMIT = "4f2c9d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d";
export const MERGED_AT = new Date("2026-11-26T10:00:00Z");

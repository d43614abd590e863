import { z } from "zod";

/**
 * Classes of access that can outlive a grant: things a grant holder could plant during the window
 * that still admit someone after the expiry. The permissions boundary of
 * `deploy/account-setup.yaml` denies each class unless the grant role carries the class's tag
 * (set only by the broker, from the role's `allowPersistence` in `policies/`). A grant can never
 * tag a role, so it cannot lift a class for itself.
 */
export const PERSISTENCE_CLASSES = [
  "federation",
  "other-principals",
  "resource-policies",
  "sign-in-routes",
] as const;

export type PersistenceClass = (typeof PERSISTENCE_CLASSES)[number];

/** What each class lets a grant plant, in words for the check reviewers read. */
export const PERSISTENCE_CLASS_DESCRIPTIONS: Record<PersistenceClass, string> = {
  federation:
    "identity providers: create or update SAML and OIDC providers, IAM Roles Anywhere trust anchors and profiles, Cognito identity pools",
  "other-principals":
    "other roles, users and groups: trust policies, role settings, inline and managed policies, permission boundaries (a role it creates carries no boundary, so this lifts the rest too)",
  "resource-policies":
    "resource policies that can admit outside principals: S3 bucket policies and ACLs, KMS key policies and grants, Secrets Manager, SNS, SQS, ECR and Lambda policies, Lambda function URLs, snapshot and image sharing, RAM shares",
  "sign-in-routes":
    "new ways to sign in: Cognito users created by an administrator, EC2 Instance Connect keys, EC2 key pairs, Transfer Family users",
};

/** The zod enum of class names, the single source of the `allowPersistence` entries. */
export const persistenceClass = z.enum(PERSISTENCE_CLASSES);

/**
 * The grant-role tag that lifts a class in the boundary (`hallpass:allow-persistence-<class>`
 * = `true`). The boundary's deny statements name these keys literally.
 */
export function persistenceTagKey(name: PersistenceClass): string {
  return `hallpass:allow-persistence-${name}`;
}

/**
 * The classes a role's tags lift: those whose tag is exactly `true`, as the boundary's
 * `StringNotEquals` reads it (any other value, or none, keeps the class denied).
 */
export function persistenceClassesOf(tags: Readonly<Record<string, string>>): PersistenceClass[] {
  return PERSISTENCE_CLASSES.filter((name) => tags[persistenceTagKey(name)] === "true");
}

/** The tags a grant role carries for its opt-ins, in class order. */
export function persistenceTags(classes: readonly PersistenceClass[]): Record<string, string> {
  return Object.fromEntries(
    PERSISTENCE_CLASSES.filter((name) => classes.includes(name)).map((name) => [
      persistenceTagKey(name),
      "true",
    ]),
  );
}

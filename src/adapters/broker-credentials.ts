/**
 * The one credential provider for an account's broker role, shared by the IAM adapter (grant
 * roles) and the CloudTrail adapter (activity): STS `AssumeRole` on first use, the session kept
 * and renewed before it expires, and concurrent callers sharing one STS call.
 */

import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AccountTarget } from "../ports/aws.ts";

/** Credentials as the SDK takes them (structurally its AwsCredentialIdentity). */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** A source of credentials the SDK calls when it needs them. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** How long before a broker session's expiry it is renewed. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** The broker's session length: short, and within role chaining's 1 h cap. */
export const BROKER_SESSION_SECONDS = 3_600;

/**
 * Credentials of the broker role of `account`, assumed with `sts` as session `sessionName` (what
 * CloudTrail shows as the actor: `hallpass-app`, `hallpass-action`). `clock` is injectable for
 * tests; the default is the system clock.
 */
export function brokerCredentials(
  sts: Pick<STSClient, "send">,
  account: AccountTarget,
  sessionName: string,
  clock: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current?.expiration && current.expiration.getTime() - clock() > RENEW_BEFORE_MS) {
      return current;
    }
    pending ??= (async () => {
      try {
        const out = await sts.send(
          new AssumeRoleCommand({
            RoleArn: account.brokerRole,
            RoleSessionName: sessionName,
            DurationSeconds: BROKER_SESSION_SECONDS,
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) {
          throw new Error(`STS returned no credentials for ${account.brokerRole}`);
        }
        current = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        };
        return current;
      } catch (error) {
        throw new Error(
          `cannot assume the broker role ${account.brokerRole} of account ${account.name} (${account.id}): ${describe(error)}. Check that deploy/account-setup.yaml is deployed there and trusts this principal.`,
          { cause: error },
        );
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

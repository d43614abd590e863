import type { Policies } from "../policy/policy-format.ts";

/**
 * The permissions boundary ARN every grant role in an account carries: the account's own
 * `permissionsBoundary`, or `settings.permissionsBoundary` with `{accountId}` replaced by the
 * account's id. Throws for an account that is not defined: callers only ask for accounts of
 * validated requests, so this is a programming error, and a grant must never go unbounded.
 */
export function permissionsBoundaryFor(policies: Policies, accountName: string): string {
  const account = Object.hasOwn(policies.accounts, accountName)
    ? policies.accounts[accountName]
    : undefined;
  if (!account) throw new Error(`account "${accountName}" is not defined in policies/`);
  return (
    account.permissionsBoundary ??
    policies.settings.permissionsBoundary.replaceAll("{accountId}", account.id)
  );
}

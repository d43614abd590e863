/**
 * The lifecycle records hallpass commits next to a request file. A request file is never
 * changed after merge; everything that happens to it afterwards is a separate file beside it,
 * so `git log` of one folder tells the whole story offline.
 *
 *   access-requests/team/alice-db.yaml             the request (the engineer's PR)
 *   access-requests/team/alice-db.grant.json       written by the app on merge
 *   access-requests/team/alice-db.revocation.json  written by whoever revoked (app or action)
 *   access-requests/team/alice-db.audit.json       written by the action after expiry + delay
 *   access-requests/team/alice-db.audit.md         the same summary for people
 *   access-requests/team/alice-db.alerts.json      alerts raised on the live grant (the action)
 *   access-requests/team/alice-db.ungranted.json   merged, but refused: why (the app at merge, else the action)
 */

export type RecordKind = "grant" | "revocation" | "audit" | "alerts" | "ungranted";

/** Path of a lifecycle record for a request file: `x/y.yaml` -> `x/y.grant.json`. */
export function recordPath(
  requestPath: string,
  kind: RecordKind,
  ext: "json" | "md" = "json",
): string {
  return `${requestPath.replace(/\.ya?ml$/, "")}.${kind}.${ext}`;
}

/**
 * The other spelling of a request file's name: `x/y.yaml` -> `x/y.yml` and back. The two share
 * every record path (`recordPath` drops the extension), so only one of them can ever be granted.
 */
export function requestTwinPath(requestPath: string): string {
  return requestPath.endsWith(".yaml")
    ? `${requestPath.slice(0, -".yaml".length)}.yml`
    : requestPath.replace(/\.yml$/, ".yaml");
}

/** True for a request file (YAML under access-requests/), false for records and schemas. */
export function isRequestPath(path: string): boolean {
  return path.startsWith("access-requests/") && /\.ya?ml$/.test(path);
}

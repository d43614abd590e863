/**
 * When a grant's expiry warning is due. Pure: the sweep asks it for every live grant, and the
 * warning comment on the grant's pull request is the record that it was told (once per grant).
 */

/**
 * Whether a grant's expiry warning is due: its window ends within `leadSeconds` of `now` and
 * has not ended yet. Returns the seconds left, or undefined.
 */
export function expiryWarningDue(
  windowEnd: string,
  now: Date,
  leadSeconds: number | undefined,
): number | undefined {
  if (leadSeconds === undefined) return undefined;
  const left = Math.floor((Date.parse(windowEnd) - now.getTime()) / 1000);
  return Number.isFinite(left) && left > 0 && left <= leadSeconds ? left : undefined;
}

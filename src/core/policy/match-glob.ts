/**
 * Whether `text` matches `glob`, as alert rules' `actions` are read: `*` stands for any run of
 * characters (none included), `?` for exactly one character, and every other character for
 * itself, compared case-insensitively (IAM action and event names are case-insensitive). The
 * glob must match the whole text.
 *
 * Linear in the text for a given glob: at most (text length x glob length) steps. A glob turned
 * into a backtracking regular expression (`.*a.*a…`) takes time exponential in its stars, and
 * the event names come from CloudTrail, that is from whoever holds a grant.
 */
export function matchesGlob(glob: string, text: string): boolean {
  const pattern = glob.toLowerCase();
  const subject = text.toLowerCase();
  let p = 0;
  let s = 0;
  // The last star seen and where in the text it was tried: on a mismatch, that star takes one
  // more character. Earlier stars never need to be revisited, since the last one can absorb
  // anything they would.
  let star = -1;
  let resume = 0;
  while (s < subject.length) {
    const c = pattern[p];
    if (c === "*") {
      star = p++;
      resume = s;
    } else if (c !== undefined && (c === "?" || c === subject[s])) {
      p++;
      s++;
    } else if (star !== -1) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/**
 * The indefinite article for a word as it is read aloud: "an account", "a role". A word that
 * starts with a, e, i or o takes "an"; one with u takes "an" unless the u sounds like "you"
 * (user, unit, url, usage, utility); anything else, quotes and symbols included, takes "a".
 * Field names are lower-case English words, which this covers; it is no phonetic dictionary.
 */
export function articleFor(word: string): "a" | "an" {
  if (/^[aeio]/i.test(word)) return "an";
  if (/^u/i.test(word)) return /^u(?:ni|s|r[il]|ti)/i.test(word) ? "a" : "an";
  return "a";
}

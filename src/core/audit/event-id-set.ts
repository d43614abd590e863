/**
 * A set of CloudTrail event ids that holds no strings: ids in the form CloudTrail writes (a
 * lower-case UUID, `8-4-4-4-12` hex digits) are kept as their 16 bytes in an open-addressing
 * table of typed arrays, compared in full on every probe, so two ids are never confused
 * whatever their hash. Any other id goes to a plain `Set` of strings: a string that is not a
 * lower-case UUID can never equal one that is, so the two parts never need to meet.
 *
 * Why not a `Set<string>`: the tally's duplicate check remembers the ids of its latest seconds,
 * and a set of strings kept every id alive across the young generation's collections, which
 * copied and then promoted nearly all of them (one per event, about 0.4 s of a million-event
 * audit). Bytes copied into a table are not the collector's business.
 */
export interface EventIdSet {
  /** Adds `id`; true when it was there already (and nothing changed). */
  add(id: string): boolean;
  /** Forgets every id, keeping the table's storage for the next ones. */
  clear(): void;
  /** Ids held. */
  readonly size: number;
}

/** A hash of an id's four 32-bit words; any function is correct (probes compare in full). */
export type WordsHash = (w0: number, w1: number, w2: number, w3: number) => number;

/** Hex digit values by character code (lower-case only), -1 elsewhere. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = 10 + c;

/** The value of `count` hex digits of `id` from `at`, or -1 if one is not a lower-case digit. */
function hexWord(id: string, at: number, count: number): number {
  let word = 0;
  for (let i = at; i < at + count; i++) {
    const c = id.charCodeAt(i);
    const digit = c < 128 ? HEX[c]! : -1;
    if (digit < 0) return -1;
    word = (word << 4) | digit;
  }
  return word >>> 0;
}

/**
 * Writes the 16 bytes of a lower-case UUID into `out` as four unsigned words; false (and `out`
 * unspecified) for any other string.
 */
export function uuidWords(id: string, out: Uint32Array): boolean {
  if (
    id.length !== 36 ||
    id.charCodeAt(8) !== 45 || // -
    id.charCodeAt(13) !== 45 ||
    id.charCodeAt(18) !== 45 ||
    id.charCodeAt(23) !== 45
  ) {
    return false;
  }
  const w0 = hexWord(id, 0, 8);
  const a = hexWord(id, 9, 4);
  const b = hexWord(id, 14, 4);
  const c = hexWord(id, 19, 4);
  const d = hexWord(id, 24, 4);
  const w3 = hexWord(id, 28, 8);
  if (w0 < 0 || a < 0 || b < 0 || c < 0 || d < 0 || w3 < 0) return false;
  out[0] = w0;
  out[1] = (a << 16) | b;
  out[2] = (c << 16) | d;
  out[3] = w3;
  return true;
}

/** Mixes the four words (murmur3's finaliser constants): ids that differ in any bit spread. */
export const mixWords: WordsHash = (w0, w1, w2, w3) => {
  let h = w0 ^ Math.imul(w1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ w2;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ w3;
  h = Math.imul(h ^ (h >>> 16), 0x27d4eb2d);
  return h ^ (h >>> 15);
};

const FIRST_CAPACITY = 16;

/** Starts an empty set; `hash` is for tests that force collisions. */
export function createEventIdSet(hash: WordsHash = mixWords): EventIdSet {
  let capacity = FIRST_CAPACITY;
  /** Four words a slot; a slot is taken when its stamp is the current generation. */
  let words = new Uint32Array(capacity * 4);
  let stamps = new Uint32Array(capacity);
  let generation = 1;
  let count = 0;
  let others: Set<string> | undefined;
  const key = new Uint32Array(4);

  /** The slot holding the id of these words, or the empty slot where it belongs. */
  function probe(w0: number, w1: number, w2: number, w3: number): number {
    const mask = capacity - 1;
    for (let slot = hash(w0, w1, w2, w3) & mask; ; slot = (slot + 1) & mask) {
      if (stamps[slot] !== generation) return slot;
      const at = slot * 4;
      if (words[at] === w0 && words[at + 1] === w1 && words[at + 2] === w2 && words[at + 3] === w3)
        return slot;
    }
  }

  function put(slot: number, w0: number, w1: number, w2: number, w3: number): void {
    const at = slot * 4;
    words[at] = w0;
    words[at + 1] = w1;
    words[at + 2] = w2;
    words[at + 3] = w3;
    stamps[slot] = generation;
  }

  /** Doubles the table, moving the ids of this generation (kept at most half full). */
  function grow(): void {
    const oldWords = words;
    const oldStamps = stamps;
    const oldGeneration = generation;
    capacity *= 2;
    words = new Uint32Array(capacity * 4);
    stamps = new Uint32Array(capacity);
    generation = 1;
    for (let s = 0; s < oldStamps.length; s++) {
      if (oldStamps[s] !== oldGeneration) continue;
      const at = s * 4;
      const w0 = oldWords[at]!;
      const w1 = oldWords[at + 1]!;
      const w2 = oldWords[at + 2]!;
      const w3 = oldWords[at + 3]!;
      put(probe(w0, w1, w2, w3), w0, w1, w2, w3);
    }
  }

  return {
    add(id) {
      if (!uuidWords(id, key)) {
        others ??= new Set();
        if (others.has(id)) return true;
        others.add(id);
        return false;
      }
      const w0 = key[0]!;
      const w1 = key[1]!;
      const w2 = key[2]!;
      const w3 = key[3]!;
      let slot = probe(w0, w1, w2, w3);
      if (stamps[slot] === generation) return true;
      if ((count + 1) * 2 > capacity) {
        grow();
        slot = probe(w0, w1, w2, w3);
      }
      put(slot, w0, w1, w2, w3);
      count++;
      return false;
    },
    clear() {
      count = 0;
      // A fresh set, never a cleared one: a cleared Set's old table keeps its strings alive.
      others = undefined;
      generation++;
      // After 2^32 - 1 clears the stamps would come round again: start them afresh.
      if (generation > 0xffffffff) {
        stamps.fill(0);
        generation = 1;
      }
    },
    get size() {
      return count + (others?.size ?? 0);
    },
  };
}

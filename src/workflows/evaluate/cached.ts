/** A read through the evaluation's cache, for what does not change within a commit. */

import type { KeyValueCache } from "../../ports/cache.ts";

/** The value cached under `key`, or `load()`'s, then cached. Without a cache, `load()`'s. */
export async function cached<T>(
  cache: KeyValueCache | undefined,
  key: string,
  load: () => Promise<T>,
): Promise<T> {
  const hit = cache?.get(key);
  if (hit !== undefined) return hit as T;
  const value = await load();
  cache?.set(key, value);
  return value;
}

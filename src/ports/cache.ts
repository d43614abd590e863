/**
 * A small key-value cache for what never changes under its key: files at a commit SHA,
 * policies and CODEOWNERS at a base SHA, a check run's id for a head SHA. The app injects an
 * in-memory LRU (`createMemoryCache`); tests inject a Map or nothing. A cache is only ever an
 * optimisation: every caller works the same, only with more requests, without one.
 */
export interface KeyValueCache {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/**
 * An in-memory LRU with a time-to-live. The TTL bounds how long anything that can change
 * under its key (team membership) is trusted.
 */
export function createMemoryCache(options: {
  maxEntries: number;
  ttlMs: number;
  now?: () => number;
}): KeyValueCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: unknown; expires: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expires <= now()) return undefined;
      entries.set(key, entry); // most recently used goes last
      return entry.value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + options.ttlMs });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
  };
}

import type { CommentLookup, FoundComment } from "../../src/ports/github.ts";

/**
 * The port's sticky comments (`findComment`, `upsertComment`) over the fakes' map of
 * `${issueNumber} ${marker}` -> body: ids as GitHub gives them, the comment lists the Octokit
 * adapter would make, and a lookup checked against what is there, so that a test fails where the
 * adapter would post a second comment or edit another one.
 */
export class StickyComments {
  readonly #bodies: Map<string, string>;
  readonly #ids = new Map<string, number>();
  #nextId = 1;
  /** Comment lists the adapter would make: one per `find`, one per `upsert` without a lookup. */
  lists = 0;

  constructor(bodies: Map<string, string>) {
    this.#bodies = bodies;
  }

  find(issueNumber: number, marker: string): FoundComment | undefined {
    this.lists++;
    const key = `${issueNumber} ${marker}`;
    const body = this.#bodies.get(key);
    return body === undefined ? undefined : { id: this.#idOf(key), body };
  }

  upsert(issueNumber: number, marker: string, body: string, lookup?: CommentLookup): FoundComment {
    const key = `${issueNumber} ${marker}`;
    const there = this.#bodies.has(key) ? this.#idOf(key) : undefined;
    const found = lookup ? lookup.found : this.find(issueNumber, marker);
    if (found?.id !== there) {
      throw new Error(
        `upsertComment on #${issueNumber} with a stale lookup (it found ${found?.id ?? "none"}, comment ${there ?? "none"} is there): the adapter would ${found ? "edit another comment" : "post a second one"}`,
      );
    }
    this.#bodies.set(key, body);
    return { id: this.#idOf(key), body };
  }

  #idOf(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(key, id);
    }
    return id;
  }
}

import { createHash } from "node:crypto";
import type { Signature, TreeEntry } from "../../src/demo/git-store.ts";
import type { RepositoryStore } from "../../src/demo/github-stand-in.ts";

/**
 * The git object store of the GitHub stand-in, in memory, for tests that need it fast (the
 * demo's GitStore runs git for every object). Trees are flat snapshots (path -> content) named
 * by a hash of their content, so equal content is the same tree as in git; a subtree is named
 * `<tree>:<folder>`. Commits are named by a hash of tree, parents and a counter.
 */
export class MemoryGitStore implements RepositoryStore {
  readonly #trees = new Map<string, Map<string, string>>();
  readonly #commits = new Map<string, { tree: string; parents: string[]; message: string }>();
  readonly #branches = new Map<string, string>();
  readonly #tags = new Map<string, string>();

  #hash(value: unknown): string {
    return createHash("sha1").update(JSON.stringify(value)).digest("hex");
  }

  /**
   * The commit a name points at, as git resolves it: a commit id is itself, a full ref name is
   * that ref, and a short name is a tag before a branch (`git rev-parse`'s order).
   */
  #commitNamed(name: string): string | undefined {
    if (this.#commits.has(name)) return name;
    if (name.startsWith("refs/heads/")) return this.#branches.get(name.slice("refs/heads/".length));
    if (name.startsWith("refs/tags/")) return this.#tags.get(name.slice("refs/tags/".length));
    return this.#tags.get(name) ?? this.#branches.get(name);
  }

  resolve(rev: string): string | undefined {
    const commit = this.#commitNamed(rev);
    if (commit) return commit;
    return this.treeOf(rev) === rev ? rev : undefined;
  }

  treeOf(rev: string): string | undefined {
    const [id = "", folder] = rev.split(":");
    const commit = this.#commits.get(this.#commitNamed(id) ?? id);
    const tree = commit ? commit.tree : this.#trees.has(id) ? id : undefined;
    if (tree === undefined) return undefined;
    if (!folder) return tree;
    const prefix = `${folder}/`;
    return [...this.#trees.get(tree)!.keys()].some((p) => p.startsWith(prefix))
      ? `${tree}:${folder}`
      : undefined;
  }

  /** path -> content under the tree (or subtree) `rev` names, paths relative to it. */
  #snapshot(rev: string): Map<string, string> | undefined {
    const tree = this.treeOf(rev);
    if (tree === undefined) return undefined;
    const [id = "", folder] = tree.split(":");
    const all = this.#trees.get(id)!;
    if (!folder) return new Map(all);
    const prefix = `${folder}/`;
    return new Map(
      [...all].filter(([p]) => p.startsWith(prefix)).map(([p, c]) => [p.slice(prefix.length), c]),
    );
  }

  readFile(rev: string, path: string): string | undefined {
    return this.#snapshot(rev)?.get(path);
  }

  listTree(treeish: string, recursive: boolean): TreeEntry[] | undefined {
    const snapshot = this.#snapshot(treeish);
    const tree = this.treeOf(treeish);
    if (!snapshot || !tree) return undefined;
    const blob = (path: string) => ({ path, type: "blob" as const, sha: this.#hash(path) });
    if (recursive) return [...snapshot.keys()].sort().map(blob);
    const entries = new Map<string, TreeEntry>();
    for (const path of [...snapshot.keys()].sort()) {
      const [first = "", ...more] = path.split("/");
      const sub = tree.includes(":") ? `${tree}/${first}` : `${tree}:${first}`;
      entries.set(first, more.length > 0 ? { path: first, type: "tree", sha: sub } : blob(first));
    }
    return [...entries.values()];
  }

  writeTree(base: string | undefined, files: readonly { path: string; content: string }[]): string {
    const next = new Map(base ? this.#snapshot(base) : []);
    for (const file of files) next.set(file.path, file.content);
    const sha = this.#hash([...next.entries()].sort());
    this.#trees.set(sha, next);
    return sha;
  }

  writeCommit(tree: string, parents: readonly string[], message: string, _by: Signature): string {
    const sha = this.#hash([tree, parents, this.#commits.size]);
    this.#commits.set(sha, { tree, parents: [...parents], message });
    return sha;
  }

  updateBranch(branch: string, sha: string, expected: string | undefined): boolean {
    if (this.#branches.get(branch) !== expected) return false;
    this.#branches.set(branch, sha);
    return true;
  }

  createTag(name: string, sha: string): boolean {
    if (this.#tags.has(name)) return false;
    this.#tags.set(name, sha);
    return true;
  }

  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (next === ancestor) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.#commits.get(next)?.parents ?? []));
    }
    return false;
  }

  /** First-parent line from `head` back to (not including) `base`, oldest first. */
  #line(base: string, head: string): string[] {
    const line: string[] = [];
    for (let c: string | undefined = head; c && c !== base; c = this.#commits.get(c)?.parents[0]) {
      line.unshift(c);
    }
    return line;
  }

  commitsBetween(base: string, head: string): { sha: string; email: string }[] {
    return this.#line(base, head).map((sha) => ({ sha, email: "" }));
  }

  changedFiles(base: string, head: string): { path: string; status: string }[] {
    const before = this.#snapshot(base) ?? new Map<string, string>();
    const after = this.#snapshot(head) ?? new Map<string, string>();
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
    return paths
      .filter((p) => before.get(p) !== after.get(p))
      .map((p) => ({ path: p, status: !before.has(p) ? "A" : !after.has(p) ? "D" : "M" }));
  }

  commitsTouching(rev: string, path: string, limit: number): string[] {
    const head = this.resolve(rev);
    if (!head) return [];
    return this.#line("", head)
      .filter((sha) => {
        const parent = this.#commits.get(sha)?.parents[0];
        return this.readFile(sha, path) !== (parent ? this.readFile(parent, path) : undefined);
      })
      .reverse()
      .slice(0, limit);
  }
}

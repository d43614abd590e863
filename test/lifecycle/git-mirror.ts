import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";

/**
 * A real git repository holding a generated lifecycle's default branch, commit by commit, so
 * that `hallpass verify` (which reads git) can judge the trail the app and the action wrote.
 * The world names its merge commits with made-up ids, which grant records quote; each is
 * replaced by the real id of the commit that stands for it, in every file written after it.
 * Objects are hashed and written here (one `git init`, no process per object), as git itself
 * stores loose objects; git reads them back, so a wrong hash would fail the verification.
 */

/** One commit of the branch: who made it, when, and the whole tree after it. */
export interface MainCommit {
  /** GitHub login; the commit is authored with its no-reply address, as API commits are. */
  author: string;
  at: Date;
  message: string;
  tree: ReadonlyMap<string, string>;
  /** The world's made-up id of this commit (a merge), replaced by the real one in later files. */
  stands?: string;
}

/** Writes `commits` as the history of `main` in a new repository at `root`; the real ids. */
export function writeMirror(root: string, commits: readonly MainCommit[]): string[] {
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", root], { stdio: "ignore" });
  const store: ObjectStore = { root, written: new Map() };
  const real = new Map<string, string>();
  const ids: string[] = [];
  let parent: string | undefined;
  for (const commit of commits) {
    const files = new Map<string, string>();
    for (const [path, text] of commit.tree) {
      files.set(
        path,
        text.replace(/[0-9a-f]{40}/g, (id) => real.get(id) ?? id),
      );
    }
    const tree = writeTree(store, files, "");
    const when = `${Math.floor(commit.at.getTime() / 1000)} +0000`;
    const who = `${commit.author} <1+${commit.author}@users.noreply.github.com> ${when}`;
    const body = [
      `tree ${tree}`,
      ...(parent ? [`parent ${parent}`] : []),
      `author ${who}`,
      `committer ${who}`,
      "",
      commit.message,
      "",
    ].join("\n");
    parent = writeObject(store, "commit", Buffer.from(body));
    if (commit.stands) real.set(commit.stands, parent);
    ids.push(parent);
  }
  if (parent) writeFileSync(join(root, ".git", "refs", "heads", "main"), `${parent}\n`);
  return ids;
}

/**
 * The repository objects are written to, and the id of each object written there so far, by
 * type and body: a lifecycle's commits share most of their files, so each is hashed and written
 * once.
 */
interface ObjectStore {
  root: string;
  written: Map<string, string>;
}

/** Writes the tree of the files under `prefix` (with its trailing slash), and its subtrees. */
function writeTree(store: ObjectStore, files: ReadonlyMap<string, string>, prefix: string): string {
  const entries: { name: string; mode: string; id: string }[] = [];
  const folders = new Set<string>();
  for (const [path, text] of files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const slash = rest.indexOf("/");
    if (slash >= 0) {
      folders.add(rest.slice(0, slash));
      continue;
    }
    entries.push({ name: rest, mode: "100644", id: writeObject(store, "blob", Buffer.from(text)) });
  }
  for (const folder of folders) {
    entries.push({
      name: folder,
      mode: "40000",
      id: writeTree(store, files, `${prefix}${folder}/`),
    });
  }
  // Git orders a tree's entries by name, a folder's name as if it ended with a slash.
  const key = (e: { name: string; mode: string }) => (e.mode === "40000" ? `${e.name}/` : e.name);
  entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const body = Buffer.concat(
    entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.id, "hex")]),
  );
  return writeObject(store, "tree", body);
}

/** Stores one loose object as git does (zlib of `<type> <size>\0<body>`); its id. */
function writeObject(store: ObjectStore, type: "blob" | "tree" | "commit", body: Buffer): string {
  const { root, written } = store;
  const key = `${type}\0${body.toString("latin1")}`;
  const known = written.get(key);
  if (known) return known;
  const object = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
  const id = createHash("sha1").update(object).digest("hex");
  const folder = join(root, ".git", "objects", id.slice(0, 2));
  const file = join(folder, id.slice(2));
  mkdirSync(folder, { recursive: true });
  writeFileSync(file, deflateSync(object));
  written.set(key, id);
  return id;
}

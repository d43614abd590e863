/**
 * The other extensions of one grant. `extension.withoutApproval` admits one extension per
 * original grant; when the extended grant stays live (the extension starts later, or replacing
 * it failed), a second extension of it would again look like the first. So a free extension is
 * refused while any other request or grant record extends the same grant. A free extension
 * must sit where its siblings are looked for: beside the grant it extends, or in its
 * requester's directory (where `/hallpass extend` writes it). The shells read the direct
 * children of those directories at the rules' commit, and call this.
 */

import type { GrantRecord } from "../grant/records.ts";
import { MAX_REQUEST_FILE_BYTES } from "../request/validate-request.ts";
import { parsePlainMapping } from "../source/parse-plain-mapping.ts";
import { parseYaml } from "../source/parse-yaml.ts";
import type { SourceFile } from "../source/source-file.ts";
import { parseJsonOrUndefined } from "../text/error-message.ts";

/** The directory a request file sits in, with its trailing slash (`access-requests/team/`). */
export function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

/**
 * Where the extensions of the grant of `path` (`record`) may sit to be approved without review:
 * beside it, or in `access-requests/<requester>/`, as `buildExtensionRequest` names them.
 */
export function extensionDirectories(path: string, record: GrantRecord): string[] {
  const beside = directoryOf(path);
  const requester = `access-requests/${record.requester}/`;
  return beside === requester ? [beside] : [beside, requester];
}

/**
 * The directories to look in for the other extensions of the grant of `extended.path`
 * (`extensionDirectories`); undefined when the extension `own` sits in neither, and so is no
 * free extension: nothing to look for.
 */
export function siblingDirectories(
  extended: { path: string; record: GrantRecord },
  own: string,
): string[] | undefined {
  const directories = extensionDirectories(extended.path, extended.record);
  return directories.includes(directoryOf(own)) ? directories : undefined;
}

/**
 * The other extensions of the grant of `extended.path` (`findSiblingExtensions`), gathered at
 * one commit from what a shell read there: `listed(directory)`, the paths directly in each of
 * `siblingDirectories` that are there (others are passed over), and `extendsOf(path)`, what one
 * of them extends (`extendsNamedIn`). `verify` reads these from its clone's history (the app,
 * which lists and reads them through GitHub itself, calls `findSiblingExtensions`). Undefined
 * when `own` sits in neither directory.
 */
export function gatherSiblingExtensions(
  extended: { path: string; record: GrantRecord },
  own: string,
  at: {
    listed: (directory: string) => Iterable<string>;
    extendsOf: (path: string) => string | undefined | null;
  },
): string[] | undefined {
  const directories = siblingDirectories(extended, own);
  if (!directories) return undefined;
  const beside: { path: string; extends: string | undefined | null }[] = [];
  for (const directory of directories) {
    for (const path of at.listed(directory)) {
      if (isSiblingCandidate(path, directory)) beside.push({ path, extends: at.extendsOf(path) });
    }
  }
  return findSiblingExtensions(beside, extended.path, own);
}

/** Whether `path` is a request file or a grant record directly in `directory`. */
export function isSiblingCandidate(path: string, directory: string): boolean {
  if (!path.startsWith(directory) || path.includes("/", directory.length)) return false;
  return /\.grant\.json$/.test(path) || /\.ya?ml$/.test(path);
}

/**
 * What a request file or a grant record says it extends: its `extends:`, undefined when it
 * extends nothing, null when it cannot be read (and so might extend anything).
 */
export function extendsNamedIn(file: SourceFile): string | undefined | null {
  let value: unknown;
  if (file.path.endsWith(".json")) {
    const text =
      typeof file.content === "string" ? file.content : new TextDecoder().decode(file.content);
    value = parseJsonOrUndefined(text);
  } else {
    value =
      parsePlainMapping(file.content, MAX_REQUEST_FILE_BYTES) ??
      parseYaml(file, { maxBytes: MAX_REQUEST_FILE_BYTES, kind: "request file" }).parsed?.value;
  }
  if (typeof value !== "object" || value === null) return null;
  const named = (value as { extends?: unknown }).extends;
  return named === undefined ? undefined : typeof named === "string" ? named : null;
}

/**
 * The files among `beside` (what `extendsNamedIn` found in each) that extend `extended` too,
 * or might (unreadable), leaving out the extension `own` itself (its request file and grant
 * record).
 */
export function findSiblingExtensions(
  beside: Iterable<{ path: string; extends: string | undefined | null }>,
  extended: string,
  own: string,
): string[] {
  const ownStem = own.replace(/\.ya?ml$/, "");
  const found: string[] = [];
  for (const file of beside) {
    if (file.path === own || file.path === `${ownStem}.grant.json`) continue;
    if (file.extends === null || file.extends === extended) found.push(file.path);
  }
  return found.sort();
}

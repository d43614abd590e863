/**
 * The port's reads take a commit id or a branch name. GitHub resolves a bare name as git does
 * (`git rev-parse`): a tag named like the branch wins over the branch, and pushing a tag needs
 * no review. So a tag `main` at an old commit could hide a revocation or grant record from any
 * read at `main`. Every read at a branch therefore names it in full, or reads its head first.
 */

/** A commit id (SHA-1 or SHA-256): it names one commit whatever refs exist. */
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Whether `ref` is a full commit id (which stays as it is), not a name. */
export function isCommitSha(ref: string): boolean {
  return COMMIT_SHA.test(ref);
}

/**
 * `ref` as a name nothing else can take: a commit id or a full ref name (`refs/…`) as it is,
 * a branch as `refs/heads/<branch>`. For APIs that take a full ref name (the contents API's
 * `ref`, GraphQL's `object(expression:)`).
 */
export function qualifiedRef(ref: string): string {
  return isCommitSha(ref) || ref.startsWith("refs/") ? ref : `refs/heads/${ref}`;
}

/**
 * The commit `ref` names, for APIs that take a tree-ish or a start point (`git/trees`, the
 * commits list): a commit id as it is, a branch's head as `branchHead` reads it (the port's
 * `getBranchHead`, through `git/ref/heads/<branch>`, which names a branch only). A missing
 * branch throws: read as nothing, it would make every record on it look absent.
 */
export async function commitOf(
  ref: string,
  branchHead: (branch: string) => Promise<string | undefined>,
): Promise<string> {
  if (isCommitSha(ref)) return ref;
  const head = await branchHead(ref);
  if (head === undefined) {
    throw new Error(`there is no branch ${ref}: name an existing branch or a full commit id`);
  }
  return head;
}

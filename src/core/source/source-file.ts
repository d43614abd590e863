/** A file as read from disk or from GitHub: its repository-relative path and raw content. */
export interface SourceFile {
  /** Repository-relative path with forward slashes (`access-requests/alice-db.yaml`). */
  path: string;
  /** Bytes as read, or text already decoded. Bytes let validation catch binary and non-UTF-8 files. */
  content: string | Uint8Array;
}

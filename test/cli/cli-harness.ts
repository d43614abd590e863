import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CliIo } from "../../src/cli/command.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { examplePolicyFiles } from "../support/example-policies.ts";

/** A throwaway access repository on disk, with the example policies unless told otherwise. */
export function makeRepo(files: Record<string, string | Uint8Array> = {}): {
  root: string;
  cleanup: () => void;
} {
  const root = mkdtempSync(join(tmpdir(), "hallpass-cli-"));
  for (const [path, content] of Object.entries({ ...examplePolicyFiles, ...files })) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(join(root, "access-requests"), { recursive: true });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs the CLI in-process with a fixed clock and captured output. */
export async function run(
  argv: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    gitUser?: string;
    now?: Date;
    /** Both streams take colour, as on a terminal. */
    colour?: boolean;
    /** Receives the URL `--open` would open. */
    openUrl?: (url: string) => Promise<void>;
  },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    cwd: options.cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    now: () => options.now ?? new Date("2026-11-26T12:00:00Z"),
    env: options.env ?? {},
    gitConfig: async (key) => (key === "github.user" ? options.gitUser : undefined),
    colour: { stdout: options.colour === true, stderr: options.colour === true },
    ...(options.openUrl ? { openUrl: options.openUrl } : {}),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A valid request for the example policies. */
export const validRequest = `# yaml-language-server: $schema=../schema.json
requester: alice
role: db-admin
account: production
duration: 2h
reason: Fail over the orders database before the storage maintenance.
ticket: CHG-4821
`;

/**
 * `hallpass history` over a repository of 5,000 requests, each with its grant, alerts,
 * revocation and audit summary (a real one, from recorded CloudTrail events; 25,000 files, 10,000 commits, built with `git fast-import`):
 * time to read git (five git processes whatever the size), to build the history, and to render
 * it, and the heap used.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGitHistory } from "../src/adapters/read-git-history.ts";
import { buildAccessHistory } from "../src/core/history/build-access-history.ts";
import { renderAccessHistory } from "../src/core/history/render-access-history.ts";
import {
  alertsRecord,
  auditFiles,
  grantRecord,
  json,
  requestYaml,
  revocationRecord,
} from "../test/core/history/access-history-fixtures.ts";

const REQUESTS = 5_000;

function fastImportStream(): Buffer {
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s));
  const data = (content: string) => {
    const bytes = Buffer.from(content);
    text(`data ${bytes.length}\n`);
    parts.push(bytes);
    text("\n");
  };
  const audit = auditFiles().json;
  let time = Date.parse("2026-01-01T00:00:00Z") / 1000;
  for (let i = 0; i < REQUESTS; i++) {
    const stem = `access-requests/team-${i % 50}/req-${i}`;
    const requestPath = `${stem}.yaml`;
    text(`commit refs/heads/main\ncommitter Person ${i} <p${i}@example.com> ${time} +0000\n`);
    data(`request ${i}`);
    text(`M 100644 inline ${requestPath}\n`);
    data(requestYaml.replace("CHG-4821", `CHG-${10_000 + i}`)); // a blob of its own, as real requests
    time += 600;
    // One role ARN for all, as in the audit summary made once from the recorded events.
    const roleArn = grantRecord().roleArn;
    text(`commit refs/heads/main\ncommitter hallpass <app@example.com> ${time} +0000\n`);
    data(`records ${i}`);
    text(`M 100644 inline ${stem}.grant.json\n`);
    data(json(grantRecord({ requestPath, roleArn })));
    text(`M 100644 inline ${stem}.alerts.json\n`);
    data(json({ ...alertsRecord(), requestPath, roleArn }));
    text(`M 100644 inline ${stem}.revocation.json\n`);
    data(json(revocationRecord({ requestPath, roleArn })));
    text(`M 100644 inline ${stem}.audit.json\n`);
    data(audit.replaceAll("access-requests/payments/alice-db.yaml", requestPath));
    time += 600;
  }
  return Buffer.concat(parts);
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "hallpass-history-bench-"));
  try {
    const git = (args: string[], input?: Buffer) => {
      const result = spawnSync("git", args, { cwd: root, input, maxBuffer: 1 << 30 });
      if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`);
    };
    git(["init", "-q", "-b", "main"]);
    git(["fast-import", "--quiet"], fastImportStream());
    git(["checkout", "-q", "main"]);

    const heapBefore = process.memoryUsage().heapUsed;
    let t = performance.now();
    const read = await readGitHistory(root);
    const readMs = performance.now() - t;
    t = performance.now();
    const history = buildAccessHistory({
      revision: read.revision,
      files: read.requestFiles,
      deletedRequests: read.deletedRequests,
      changes: read.changes,
      shallow: read.shallow,
      now: new Date("2027-01-01T00:00:00Z"),
      auditDelaySeconds: 1800,
    });
    const buildMs = performance.now() - t;
    t = performance.now();
    const text = renderAccessHistory(history, "text");
    const markdown = renderAccessHistory(history, "markdown");
    const jsonText = JSON.stringify(history);
    const renderMs = performance.now() - t;
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

    if (history.entries.length !== REQUESTS) {
      throw new Error(`expected ${REQUESTS} entries, got ${history.entries.length}`);
    }
    console.log(
      `${REQUESTS} requests, ${read.requestFiles.length} files, ${read.changes.size} paths in history, ${history.findings.length} findings`,
    );
    console.log(`read git (5 git processes): ${readMs.toFixed(0)} ms`);
    console.log(`build history:              ${buildMs.toFixed(0)} ms`);
    console.log(
      `render text+markdown+json:  ${renderMs.toFixed(0)} ms (${(text.length / 2 ** 20).toFixed(1)} + ${(markdown.length / 2 ** 20).toFixed(1)} + ${(jsonText.length / 2 ** 20).toFixed(1)} MB)`,
    );
    console.log(`heap growth:                ${heapMb.toFixed(0)} MB`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

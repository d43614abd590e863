/**
 * CODEOWNERS at scale: parse a 5,000-line file and find the owners of a path in it (the last
 * line matching wins, so a path owned by an early line is the slowest to look up).
 */
import { matchOwners, parseCodeowners } from "../src/core/policy/codeowners.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A realistic mix: anchored directories, extensions, globstars, direct children, teams. */
export function syntheticCodeowners(lines: number): string {
  const out = ["# generated for the benchmark", "* @acme/platform"];
  for (let i = 0; out.length < lines; i++) {
    switch (i % 6) {
      case 0:
        out.push(`/services/svc-${i}/ @acme/team-${i % 50} @owner-${i}`);
        break;
      case 1:
        out.push(`*.ext${i} @owner-${i}`);
        break;
      case 2:
        out.push(`docs/area-${i}/* docs-${i}@example.com`);
        break;
      case 3:
        out.push(`**/generated-${i}/** @acme/codegen`);
        break;
      case 4:
        out.push(`/access-requests/team-${i}/ @acme/team-${i % 50} @acme/security`);
        break;
      default:
        out.push(`# section ${i}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export async function run(): Promise<void> {
  const text = syntheticCodeowners(5_000);
  const parseTimes: number[] = [];
  let parsed = parseCodeowners("CODEOWNERS", text);
  for (let i = 0; i < 20; i++) {
    const start = performance.now();
    parsed = parseCodeowners("CODEOWNERS", text);
    parseTimes.push(performance.now() - start);
  }
  console.log(
    `parse 5,000-line CODEOWNERS (${parsed.rules.length} rules): median ${median(parseTimes).toFixed(2)} ms over 20 runs`,
  );

  const paths = [
    "README.md", // only the first rule matches: every rule is tried
    "access-requests/team-4/alice-db.yaml",
    "services/svc-4986/src/index.ts", // owned by a line near the end
  ];
  for (const path of paths) {
    const times: number[] = [];
    let owners = "";
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      const match = matchOwners(parsed, path);
      times.push(performance.now() - start);
      owners = match ? match.owners.map((o) => o.text).join(" ") : "(none)";
    }
    console.log(`match ${path}: median ${(median(times) * 1000).toFixed(1)} µs -> ${owners}`);
  }
}

/**
 * CODEOWNERS at scale: parse and compile a 5,000-line file, find the owners of single paths
 * (the slowest of several probes), and of every file of a 10,000-file tree. Each figure is
 * the min and median of 7 runs. `matchOwners` (every rule tried) is shown beside the index
 * for single paths; over the whole tree it takes seconds, so it is left out there.
 */
import { matchOwners, parseCodeowners } from "../src/core/policy/codeowners.ts";
import { compileCodeowners } from "../src/core/policy/compile-codeowners.ts";
import { timeRuns } from "./measure.ts";

const RUNS = 7;

/** Times `body` RUNS times (`timeRuns`) and returns "min x, median y" of the times `scale` maps. */
async function measure(
  body: () => void,
  scale: (ms: number) => number,
  unit: string,
): Promise<string> {
  const { min, median } = await timeRuns(RUNS, body);
  return `min ${scale(min).toFixed(2)} ${unit}, median ${scale(median).toFixed(2)} ${unit}`;
}

/** A 10,000-file tree that touches every kind of line in `syntheticCodeowners`. */
export function syntheticTree(files: number): string[] {
  const paths: string[] = [];
  for (let i = 0; paths.length < files; i++) {
    const n = i * 7;
    const kinds = [
      `services/svc-${n % 5_000}/src/handlers/file-${i}.ts`,
      `docs/area-${n % 5_000}/page-${i}.md`,
      `packages/pkg-${i % 40}/generated-${n % 5_000}/out/file-${i}.ext${n % 5_000}`,
      `access-requests/team-${n % 5_000}/user-${i}.yaml`,
      `src/module-${i % 97}/sub-${i % 13}/deep/er/file-${i}.js`,
    ];
    paths.push(kinds[i % kinds.length]!);
  }
  return paths;
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
  let parsed = parseCodeowners("CODEOWNERS", text);
  let index = compileCodeowners(parsed);
  const perRun = (ms: number): number => ms;
  console.log(
    `parse 5,000-line CODEOWNERS (${parsed.rules.length} rules): ${await measure(() => (parsed = parseCodeowners("CODEOWNERS", text)), perRun, "ms")}`,
  );
  console.log(
    `compile its index: ${await measure(() => (index = compileCodeowners(parsed)), perRun, "ms")}`,
  );

  const probes = [
    "README.md", // only the first rule matches: every rule is tried without the index
    "access-requests/team-4/alice-db.yaml",
    "services/svc-4986/src/index.ts", // owned by a line near the end
    "docs/area-2/generated-3/services/svc-0/x.ext1", // several buckets, each a candidate
    Array.from({ length: 60 }, (_, i) => `generated-${i * 6 + 3}`).join("/"), // deep, many names
  ];
  const lookups = 200;
  const perLookup = (ms: number): number => (ms * 1000) / lookups;
  for (const path of probes) {
    const owners =
      index
        .match(path)
        ?.owners.map((o) => o.text)
        .join(" ") ?? "(none)";
    const shown = path.length > 50 ? `${path.slice(0, 47)}...` : path;
    const indexed = await measure(() => repeat(lookups, () => index.match(path)), perLookup, "µs");
    const linear = await measure(
      () => repeat(20, () => matchOwners(parsed, path)),
      (ms) => (ms * 1000) / 20,
      "µs",
    );
    console.log(`owners of ${shown}: index ${indexed}; every rule ${linear} -> ${owners}`);
  }

  const tree = syntheticTree(10_000);
  const all = await measure(
    () => {
      for (const path of tree) index.match(path);
    },
    perRun,
    "ms",
  );
  console.log(`owners of every file of a 10,000-file tree, index: ${all}`);
}

function repeat(times: number, body: () => unknown): void {
  for (let i = 0; i < times; i++) body();
}

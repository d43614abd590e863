/**
 * Bundles the action (`action/index.ts`) into `dist/action/index.js` with esbuild, the file
 * `action.yml` runs (options and the ASCII-only output: `scripts/action-bundle.ts`). The bundle is committed, because GitHub runs an action from its repository
 * without installing anything.
 *
 * It also writes the inputs and outputs tables of `docs/action.md` and `README.md` from
 * `action.yml`, the one source of all three.
 *
 *   npm run build:action    rebuilds them
 *   npm run check:action    fails when the committed files differ from a fresh build
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parse } from "yaml";
import { ACTION_BUNDLE_OPTIONS, asciiOnly } from "./action-bundle.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist/action/index.js");
const check = process.argv.includes("--check");

const result = await build({
  ...ACTION_BUNDLE_OPTIONS,
  absWorkingDir: root,
  entryPoints: ["action/index.ts"],
  outfile,
  write: false,
});

const files: { path: string; text: string }[] = [];
for (const f of result.outputFiles) files.push({ path: f.path, text: await asciiOnly(f.text) });
for (const doc of ["docs/action.md", "README.md"]) {
  files.push({ path: join(root, doc), text: documentAction(doc) });
}
// Mark the folder as ESM whatever package.json sits above it in the checked-out action.
files.push({ path: join(dirname(outfile), "package.json"), text: '{ "type": "module" }\n' });

if (check) {
  const stale = files.filter((f) => {
    try {
      return readFileSync(f.path, "utf8") !== f.text;
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(
      `${stale.map((f) => relative(root, f.path)).join(", ")} ${stale.length === 1 ? "is" : "are"} stale: run \`npm run build:action\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(
    "dist/action and the inputs and outputs tables of docs/action.md and README.md are up to date.",
  );
} else {
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
  }
  const size = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  console.log(`wrote dist/action (${(size / 1024).toFixed(0)} KiB).`);
}

/** A document with the tables between its inputs and outputs markers rebuilt from action.yml. */
function documentAction(path: string): string {
  const action = parse(readFileSync(join(root, "action.yml"), "utf8")) as {
    inputs: Record<string, { description: string; required?: boolean; default?: string }>;
    outputs: Record<string, { description: string }>;
  };
  const cell = (text: string) => text.trim().replace(/\s+/g, " ").replace(/\|/g, "\\|");
  const inputs = [
    "| Input | Required | Default | Description |",
    "|---|---|---|---|",
    ...Object.entries(action.inputs).map(
      ([name, input]) =>
        `| \`${name}\` | ${input.required ? "yes" : "no"} | ${input.default ? `\`${input.default}\`` : ""} | ${cell(input.description)} |`,
    ),
  ];
  const outputs = [
    "| Output | Description |",
    "|---|---|",
    ...Object.entries(action.outputs).map(
      ([name, output]) => `| \`${name}\` | ${cell(output.description)} |`,
    ),
  ];
  const doc = readFileSync(join(root, path), "utf8");
  return replaceBetween(replaceBetween(doc, "inputs", inputs), "outputs", outputs);
}

/** `doc` with the lines between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
function replaceBetween(doc: string, name: string, lines: string[]): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${start} ... ${end} is missing`);
  return `${doc.slice(0, from)}${start}\n${lines.join("\n")}\n${doc.slice(to)}`;
}

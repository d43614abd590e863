import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * ARCHITECTURE.md is the map a newcomer reads first; these tests keep it true. Every path it
 * names exists, and the code follows its layer table: which folder may import which, a pure
 * core, no import circles. Each check is a function of plain data (files and their text), so
 * the last block plants a violation of every rule and shows the check catches it.
 */

const root = join(import.meta.dirname, "..");
const architecture = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");

type Sources = ReadonlyMap<string, string>;

function readSources(dir: string): [string, string][] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return readSources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name)
      ? [[path, readFileSync(join(root, path), "utf8")] as [string, string]]
      : [];
  });
}

const sources: Sources = new Map([...readSources("src"), ...readSources("action")]);

/** Paths ARCHITECTURE.md names in code spans: anything with a slash or a file extension. */
function namedPaths(markdown: string): string[] {
  const spans = [...markdown.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return [...new Set(spans.filter((s) => /\/|\.(ts|md|ya?ml|json)$/.test(s)))].filter(
    (s) => !s.includes("…") && !s.startsWith("hallpass/") && !s.startsWith("node:"),
  );
}

interface Import {
  from: string;
  specifier: string;
  /** The repository-relative file or folder a relative import points at; undefined for packages. */
  target: string | undefined;
}

// Static imports and re-exports (multi-line included), side-effect imports and dynamic imports.
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string, text: string): Import[] {
  return [...text.matchAll(IMPORT)].map((m) => {
    const specifier = (m[1] ?? m[2] ?? m[3])!;
    const target = specifier.startsWith(".")
      ? normalize(join(dirname(file), specifier))
      : undefined;
    return { from: file, specifier, target };
  });
}

interface LayerRule {
  layer: string;
  mayImport: string[];
}

/** The "may import" column of the Layers table: `| `layer` | what | `a`, `b` |`. */
function layerRules(markdown: string): LayerRule[] {
  const section = markdown.split(/^## Layers$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      const codes = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return { layer: codes(cells[1]!)[0]!, mayImport: codes(cells[3]!) };
    });
}

/** The most specific rule for a path: the longest layer that is the path or a folder of it. */
function ruleFor(path: string, rules: readonly LayerRule[]): LayerRule | undefined {
  return rules
    .filter((r) => path === r.layer || (r.layer.endsWith("/") && path.startsWith(r.layer)))
    .sort((a, b) => b.layer.length - a.layer.length)[0];
}

/** Imports of files inside a layer of the table that reach another layer it may not import. */
function layerViolations(files: Sources, rules: readonly LayerRule[]): string[] {
  return [...files].flatMap(([file, text]) => {
    const rule = ruleFor(file, rules);
    if (!rule) return [];
    return importsOf(file, text)
      .filter((i) => i.target !== undefined && ruleFor(i.target, rules) !== undefined)
      .filter((i) => !rule.mayImport.some((allowed) => i.target!.startsWith(allowed)))
      .map((i) => `${file} imports ${i.specifier} (${rule.layer} may import ${rule.mayImport})`);
  });
}

const CORE_PACKAGES = new Set(["zod", "yaml", "luxon", "node:crypto"]);

// The clock, the environment and the process: core is a function of its arguments and `now`.
const IMPURE = [
  { pattern: /\bprocess\s*[.[]/, what: "reads the process (env, argv, exit)" },
  { pattern: /\bDate\.now\s*\(/, what: "reads the clock (Date.now)" },
  { pattern: /\bnew Date\(\s*\)/, what: "reads the clock (new Date())" },
  { pattern: /\bDateTime\.(?:now|local)\s*\(/, what: "reads the clock (luxon now)" },
  { pattern: /\bperformance\.now\s*\(/, what: "reads the clock (performance.now)" },
  { pattern: /\bfetch\s*\(/, what: "calls the network (fetch)" },
  { pattern: /\bMath\.random\s*\(/, what: "is not deterministic (Math.random)" },
];

/** Files of src/core that do I/O, read the clock or the environment, or import outside core. */
function impureCore(files: Sources): string[] {
  return [...files]
    .filter(([file]) => file.startsWith("src/core/"))
    .flatMap(([file, text]) => [
      ...importsOf(file, text)
        .filter((i) => i.target === undefined && !CORE_PACKAGES.has(i.specifier))
        .map((i) => `${file} imports ${i.specifier} (core may use ${[...CORE_PACKAGES]})`),
      ...text
        .split("\n")
        .flatMap((line, n) =>
          IMPURE.filter((p) => p.pattern.test(stripComment(line))).map(
            (p) => `${file}:${n + 1} ${p.what}`,
          ),
        ),
    ]);
}

/** A line without its `//` comment, so that a comment may still name `Date.now()`. */
function stripComment(line: string): string {
  return /^\s*(\/\/|\*|\/\*)/.test(line) ? "" : line.replace(/\s\/\/\s.*$/, "");
}

/** Files directly in src/core: each belongs in the folder of its domain. */
function looseCoreFiles(files: Sources): string[] {
  return [...files.keys()].filter((f) => /^src\/core\/[^/]+$/.test(f) && f !== "src/core/index.ts");
}

/** Production code importing test code: fakes must never reach the app, the action or the demo. */
function importsFromTests(files: Sources): string[] {
  return [...files]
    .flatMap(([file, text]) => importsOf(file, text))
    .filter((i) => i.target?.startsWith("test/"))
    .map((i) => `${i.from} imports ${i.specifier}`);
}

/** The import circles among files (Tarjan's strongly connected components, self-imports too). */
function importCircles(files: Sources): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = importsOf(file, text).flatMap((i) => {
      if (i.target === undefined) return [];
      const candidates = [i.target, `${i.target}.ts`, `${i.target}/index.ts`];
      return candidates.filter((c) => files.has(c)).slice(0, 1);
    });
    edges.set(file, targets);
  }
  return stronglyConnected([...files.keys()], (f) => edges.get(f) ?? []).filter(
    (c) => c.length > 1 || (edges.get(c[0]!) ?? []).includes(c[0]!),
  );
}

function stronglyConnected(nodes: string[], next: (node: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    components.push(component.reverse());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return components;
}

const rules = layerRules(architecture);

describe("ARCHITECTURE.md", () => {
  it("names only paths that exist", () => {
    const paths = namedPaths(architecture);
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it("gives every folder of src/ a row in the layer table", () => {
    const folders = readdirSync(join(root, "src"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `src/${e.name}/`);
    expect(folders.filter((f) => !rules.some((r) => r.layer === f))).toEqual([]);
    expect(rules.find((r) => r.layer === "action/")).toBeDefined();
  });

  it("points each 'where is it decided' row at one path", () => {
    const section = architecture.split(/^## Where is it decided$/m)[1] ?? "";
    const rows = section.split("\n").filter((l) => /^\| (?!what|---)/.test(l));
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((row) => (row.split("|")[2]!.match(/`/g) ?? []).length !== 2)).toEqual([]);
  });
});

describe("the structure of src/", () => {
  it("imports only what the layer table allows", () => {
    expect(layerViolations(sources, rules)).toEqual([]);
  });

  it("keeps no file directly in src/core", () => {
    expect(looseCoreFiles(sources)).toEqual([]);
  });

  it("keeps core free of I/O, the clock and the environment", () => {
    expect(impureCore(sources)).toEqual([]);
  });

  it("has no import circles", () => {
    expect(importCircles(sources)).toEqual([]);
  });

  it("lets only the demo command import the demo's stand-ins", () => {
    const importers = [...sources]
      .flatMap(([file, text]) => importsOf(file, text))
      .filter((i) => i.target?.startsWith("src/demo/") && !i.from.startsWith("src/demo/"))
      .map((i) => i.from);
    expect([...new Set(importers)]).toEqual(["src/cli/demo-command.ts"]);
  });

  it("imports nothing from the tests", () => {
    expect(importsFromTests(sources)).toEqual([]);
  });
});

describe("each structure check catches a planted violation", () => {
  const planted = (extra: Record<string, string>): Sources =>
    new Map([...sources, ...Object.entries(extra)]);

  it("a core file importing a port", () => {
    const files = planted({ "src/core/grant/x.ts": 'import { a } from "../../ports/aws.ts";' });
    expect(layerViolations(files, rules)).toEqual([
      expect.stringContaining("src/core/grant/x.ts imports ../../ports/aws.ts"),
    ]);
  });

  it("a port importing an adapter, across lines", () => {
    const files = planted({
      "src/ports/x.ts": 'import type {\n  A,\n  B,\n} from "../adapters/aws-iam.ts";',
    });
    expect(layerViolations(files, rules)).toHaveLength(1);
  });

  it("production code importing a test helper", () => {
    const files = planted({
      "src/demo/x.ts": 'import { f } from "../../test/support/fake-github.ts";',
    });
    expect(importsFromTests(files)).toEqual([
      "src/demo/x.ts imports ../../test/support/fake-github.ts",
    ]);
  });

  it("the app importing the demo, dynamically", () => {
    const files = planted({ "src/app/x.ts": 'await import("../demo/run-demo.ts");' });
    expect(layerViolations(files, rules)).toEqual([expect.stringContaining("src/app/x.ts")]);
  });

  it("a file directly in src/core", () => {
    expect(looseCoreFiles(planted({ "src/core/helpers.ts": "" }))).toEqual(["src/core/helpers.ts"]);
  });

  it("core reading files, the clock or the environment", () => {
    const files = planted({
      "src/core/request/x.ts": [
        'import { readFileSync } from "node:fs";',
        "// Date.now() in a comment is fine",
        "const t = Date.now();",
        "const d = new Date();",
        "const fixed = new Date(0);",
        "const env = process.env.HOME;",
      ].join("\n"),
    });
    expect(impureCore(files)).toEqual([
      "src/core/request/x.ts imports node:fs (core may use zod,yaml,luxon,node:crypto)",
      "src/core/request/x.ts:3 reads the clock (Date.now)",
      "src/core/request/x.ts:4 reads the clock (new Date())",
      "src/core/request/x.ts:6 reads the process (env, argv, exit)",
    ]);
  });

  it("an import circle, and a file importing itself", () => {
    const files = planted({
      "src/workflows/a.ts": 'import { b } from "./b.ts";',
      "src/workflows/b.ts": 'export { a } from "./a.ts";',
      "src/workflows/c.ts": 'import { c } from "./c.ts";',
    });
    expect(importCircles(files)).toEqual([
      ["src/workflows/a.ts", "src/workflows/b.ts"],
      ["src/workflows/c.ts"],
    ]);
  });
});

/**
 * Validation cost: the example organisation, one request, and the worst hostile inputs the
 * size caps allow (so a pull request cannot make validation slow).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPolicies, MAX_POLICY_FILE_BYTES } from "../src/core/policy/load-policies.ts";
import { MAX_REQUEST_FILE_BYTES, validateRequest } from "../src/core/request/validate-request.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function time(label: string, runs: number, work: () => unknown): void {
  work();
  const started = performance.now();
  for (let i = 0; i < runs; i++) work();
  const each = (performance.now() - started) / runs;
  console.log(
    `${label.padEnd(52)} ${each < 1 ? `${(each * 1000).toFixed(0)} µs` : `${each.toFixed(1)} ms`}`,
  );
}

export async function run(): Promise<void> {
  const policyFiles = readdirSync(join(root, "policies"))
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => ({
      path: `policies/${name}`,
      content: readFileSync(join(root, "policies", name)),
    }));
  const { policies } = loadPolicies(policyFiles);
  if (!policies) throw new Error("example policies are invalid");
  const requestPath = "access-requests/bob-acme/db-admin-failover.yaml";
  const request = { path: requestPath, content: readFileSync(join(root, requestPath)) };
  const now = new Date();

  time("loadPolicies, example organisation (4 files)", 200, () => loadPolicies(policyFiles));
  time("validateRequest, one valid request", 2_000, () =>
    validateRequest(request, policies, { now }),
  );

  const cap = MAX_REQUEST_FILE_BYTES;
  const depth = Math.floor((cap - 10) / 2);
  const hostile: [string, string][] = [
    ["request: nesting at the 64 KiB cap", `a: ${"[".repeat(depth)}${"]".repeat(depth)}`],
    [
      "request: 64 KiB of keys",
      Array.from({ length: cap / 16 }, (_, i) => `k${i}: v\n`)
        .join("")
        .slice(0, cap),
    ],
    ["request: alias bomb", aliasBomb()],
    ["request: over the cap (refused before parsing)", "x".repeat(cap * 16)],
  ];
  for (const [label, content] of hostile) {
    time(label, 5, () =>
      validateRequest({ path: "access-requests/h.yaml", content }, policies, { now }),
    );
  }

  const policyCap = MAX_POLICY_FILE_BYTES;
  const policyDepth = Math.floor((policyCap - 10) / 2);
  for (const [label, content] of [
    [
      "policies: nesting at the 256 KiB cap",
      `a: ${"[".repeat(policyDepth)}${"]".repeat(policyDepth)}`,
    ],
    [
      "policies: 256 KiB of keys",
      Array.from({ length: policyCap / 16 }, (_, i) => `k${i}: v\n`)
        .join("")
        .slice(0, policyCap),
    ],
  ] as const) {
    time(label, 3, () => loadPolicies([...policyFiles, { path: "policies/h.yaml", content }]));
  }

  const roles = readFileSync(join(root, "policies/roles.yaml"), "utf8");
  const body = roles.slice(roles.indexOf("\n  ") + 1);
  let big = "roles:\n";
  for (let i = 0; big.length + body.length < MAX_POLICY_FILE_BYTES; i++) {
    big += body.replace(/^ {2}([a-z-]+):/gm, `  $1-${i}:`);
  }
  time(`policies: ${Math.round(big.length / 1024)} KiB roles file at the cap`, 5, () =>
    loadPolicies([
      ...policyFiles.filter((f) => !f.path.endsWith("roles.yaml")),
      { path: "policies/roles.yaml", content: big },
    ]),
  );
}

function aliasBomb(): string {
  let text = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  for (let i = 0; i < 9; i++) {
    const prev = String.fromCharCode(97 + i);
    const next = String.fromCharCode(98 + i);
    text += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
  }
  return text;
}

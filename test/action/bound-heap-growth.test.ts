import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const moduleUrl = new URL("../../action/bound-heap-growth.ts", import.meta.url);

/**
 * An audit's allocation in miniature, in a fresh process (V8 flags are process-wide, so never
 * in the test's own): records parsed and dropped a page at a time, a few pages alive at once.
 * Prints the young generation's and the whole heap's largest size, in MB.
 */
const churn = (bound: boolean) => `
  import v8 from "node:v8";
  ${bound ? `(await import(${JSON.stringify(moduleUrl.href)})).boundHeapGrowth();` : ""}
  const text = JSON.stringify({ a: "x".repeat(200), b: [1, 2, 3], c: { d: "y".repeat(300) } });
  let pages = [];
  let young = 0;
  let heap = 0;
  for (let i = 0; i < 1_000_000; i++) {
    pages.push(JSON.parse(text));
    if (pages.length === 500) pages = [];
    if (i % 1000 === 0) {
      const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === "new_space");
      young = Math.max(young, s.space_size);
      heap = Math.max(heap, v8.getHeapStatistics().total_heap_size);
    }
  }
  console.log(JSON.stringify({ young: young / 1e6, heap: heap / 1e6 }));
`;

function measure(bound: boolean): { young: number; heap: number } {
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", churn(bound)], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout) as { young: number; heap: number };
}

describe("boundHeapGrowth", () => {
  it("keeps the young generation at its initial size under an audit's churn", {
    timeout: 30_000,
  }, () => {
    const unbounded = measure(false);
    const bounded = measure(true);
    // Without it V8 grows the young generation with the churn (16 MB here, 128 MB in a
    // million-event audit): the workload does tell the two apart.
    expect(unbounded.young).toBeGreaterThanOrEqual(8);
    expect(bounded.young).toBeLessThanOrEqual(4);
    expect(bounded.heap).toBeLessThan(unbounded.heap);
  });
});

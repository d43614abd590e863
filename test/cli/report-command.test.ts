import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultTreeAdapter, parse } from "parse5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessReport } from "../../src/core/history/build-report.ts";
import { REPORT_CSV_COLUMNS } from "../../src/core/history/render-report-csv.ts";
import { attribute, elements } from "../support/setup-page-form.ts";
import { run } from "./cli-harness.ts";
import {
  DEMO_LATER,
  DEMO_REQUEST,
  type DemoRepository,
  makeDemoRepository,
} from "./demo-repository.ts";
import { person, TamperRepo } from "./tamper-repo.ts";

/**
 * `hallpass report` on the repository `hallpass demo` leaves, in its four formats. The HTML is
 * parsed as a browser parses it (parse5, the WHATWG algorithm) and checked for what would make
 * a request leave the page; report-browser.test.ts opens it in a real browser.
 */

const PERIOD = ["--since", "2026-11-01", "--until", "2026-12-31"];
const REQUEST = DEMO_REQUEST;
let made: DemoRepository;
let parent: string;
let demo: string;

beforeAll(async () => {
  made = await makeDemoRepository("report-test");
  ({ parent, root: demo } = made);
}, 60_000);

afterAll(() => made?.remove());

async function report(format: string, cwd = demo, extra: string[] = []) {
  return run(["report", ...PERIOD, "--format", format, ...extra], { cwd, now: DEMO_LATER });
}

describe("hallpass report on the demo repository", () => {
  it("json: every access of the period with totals and exceptions", async () => {
    const { code, stdout, stderr } = await report("json");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as AccessReport;
    expect(r.trailHolds).toBe(true);
    expect(r.accesses.map((a) => [a.requestPath, a.ended.how])).toEqual([
      [REQUEST, "expiry"],
      ["access-requests/unrecorded/123456789012/keep-db-access.yaml", "reconciliation"],
    ]);
    const [access] = r.accesses;
    expect(access).toMatchObject({
      requester: "bob-acme",
      role: "db-admin",
      account: "production",
      ticket: "CHG-4821",
      asked: { duration: "PT90M", start: null },
      activity: { events: 5, reads: 2, writes: 3, failed: 1 },
      alerts: [{ rule: "delete", severity: "high" }],
    });
    expect(access?.approvals.map((a) => a.reviewer)).toEqual(["dan-acme", "carol-acme"]);
    // Access ended at the window's end; the sweep's record of it came later.
    expect(access?.ended).toMatchObject({
      how: "expiry",
      at: access?.granted?.end,
      by: "hallpass-action",
    });
    expect(r.totals.byPerson[0]).toEqual({ key: "bob-acme", accesses: 1, grantedSeconds: 5400 });
    expect(r.exceptions).toMatchObject({
      findings: [],
      alerts: [REQUEST],
      revocations: ["access-requests/unrecorded/123456789012/keep-db-access.yaml"],
    });
  });

  it("md: totals, exceptions, a Mermaid timeline with one bar per granted access, one row per access", async () => {
    const { code, stdout } = await report("md");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# Access report 2026-11-01 to 2026-12-31/);
    expect(stdout).toContain("`hallpass verify` finds the trail intact");
    const gantt = stdout.slice(stdout.indexOf("```mermaid"), stdout.lastIndexOf("```"));
    expect(gantt.match(/ :(crit|active), /g)).toHaveLength(1);
    expect(stdout).toContain("| bob-acme | 1 | 1h30m |");
    expect(stdout.split("\n").filter((l) => l.startsWith("| `access-requests/"))).toHaveLength(2);
  });

  it("csv: the documented columns, one row per access", async () => {
    const { stdout } = await report("csv");
    const lines = stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe(REPORT_CSV_COLUMNS.join(","));
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^access-requests\/bob-acme\/db-admin-failover\.yaml,ended,bob-acme,/);
  });

  it("html: one self-contained file, one SVG bar per granted access, nothing that loads from elsewhere", async () => {
    const out = join(parent, "q4.html");
    const { code, stderr } = await report("html", demo, ["--out", out]);
    expect(code).toBe(0);
    expect(stderr).toBe(`hallpass report: 2 accesses written to ${out}\n`);
    const html = readFileSync(out, "utf8");
    const all = elements(parse(html));
    // A policy that forbids every load: even a URL that slipped in could not be fetched.
    const csp = all.find((e) => attribute(e, "http-equiv") === "Content-Security-Policy");
    expect(attribute(csp!, "content")).toMatch(/^default-src 'none';/);
    // Nothing that fetches: no external script, stylesheet, image, frame, font or form target.
    for (const element of all) {
      for (const name of ["src", "href", "srcset", "action", "data", "poster", "xlink:href"]) {
        expect(attribute(element, name), `${element.tagName} ${name}`).toBeUndefined();
      }
      expect(["link", "iframe", "img", "object", "embed", "base", "form"]).not.toContain(
        element.tagName,
      );
    }
    const styles = all.filter((e) => e.tagName === "style").map((e) => text(e));
    expect(styles.join("")).not.toMatch(/url\(|@import|@font-face/);
    const bars = all.filter((e) => e.tagName === "rect" && /\bbar\b/.test(attribute(e, "class")!));
    expect(bars.map((b) => attribute(b, "data-request"))).toEqual([REQUEST]);
    // Sortable tables, and a print layout.
    expect(
      all.filter((e) => e.tagName === "table" && /sortable/.test(attribute(e, "class")!)),
    ).toHaveLength(4);
    expect(styles.join("")).toContain("@media print");
    expect(all.filter((e) => e.tagName === "script").every((s) => !attribute(s, "src"))).toBe(true);
  });

  it("html: a value written by a requester is text, never markup", async () => {
    const repo = new TamperRepo(demo);
    try {
      const path = "access-requests/mallory/x.yaml";
      repo.commit(
        {
          [path]:
            'requester: mallory\nrole: prod-readonly\naccount: production\nduration: 1h\nreason: "<img src=https://evil.example/x> and <script>alert(1)</script>"\n',
        },
        person("mallory"),
      );
      const { stdout } = await report("html", repo.root);
      const all = elements(parse(stdout));
      expect(all.filter((e) => e.tagName === "img")).toEqual([]);
      expect(all.filter((e) => e.tagName === "script")).toHaveLength(1);
      expect(stdout).toContain("&lt;img src=https://evil.example/x&gt;");
    } finally {
      repo.cleanup();
    }
  });

  it("--out counts what it wrote and the trail's findings in words, one or many", async () => {
    const repo = new TamperRepo(demo);
    try {
      const record = "access-requests/bob-acme/db-admin-failover.grant.json";
      repo.commit({ [record]: `${repo.read(record).trimEnd()} \n` }, person("mallory"));
      const out = join(parent, "tampered.md");
      const { code, stderr } = await report("md", repo.root, ["--out", out]);
      expect(code).toBe(0);
      expect(stderr).toBe(
        `hallpass report: 2 accesses written to ${out}; the trail has 2 findings (hallpass verify)\n`,
      );
    } finally {
      repo.cleanup();
    }
  });

  it("is a usage error without a period, or with a bad format", async () => {
    const none = await run(["report"], { cwd: demo });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--since and --until are required");
    const bad = await run(["report", ...PERIOD, "--format", "pdf"], { cwd: demo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format must be md, html, csv or json");
    const impossible = await run(["report", "--since", "2026-11-31", "--until", "2026-12-31"], {
      cwd: demo,
    });
    expect(impossible.code).toBe(2);
    expect(impossible.stderr).toContain('--since must be a real date and time: "2026-11-31"');
  });

  it("takes markdown for md, as history names it", async () => {
    const markdown = await report("markdown");
    expect(markdown.stderr).toBe("");
    expect(markdown.code).toBe(0);
    const md = await report("md");
    // The first line names when the report was read; the rest is the same document.
    const body = (text: string) => text.split("\n").slice(3).join("\n");
    expect(body(markdown.stdout)).toBe(body(md.stdout));
  });

  it("refuses an --out it could not write before reading the history, naming the folder", async () => {
    // A quarter's report reads every record first: a typo'd folder must not cost that read and
    // then end in Node's ENOENT.
    const missing = await report("html", demo, ["--out", "no-such-folder/q3.html"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(
      /^hallpass report: --out no-such-folder\/q3\.html: the folder .*no-such-folder does not exist: create it, or write the report elsewhere\.$/m,
    );
    const folder = await report("html", demo, ["--out", "."]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(
      /^hallpass report: --out \.: .* is a folder: name the file to write, such as q3-access\.html\.$/m,
    );
  });
});

function text(node: ReturnType<typeof elements>[number]): string {
  return node.childNodes.map((c) => (defaultTreeAdapter.isTextNode(c) ? c.value : "")).join("");
}

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessReport } from "../../src/core/history/build-report.ts";
import { run } from "./cli-harness.ts";
import {
  DEMO_LATER,
  DEMO_REQUEST,
  type DemoRepository,
  makeDemoRepository,
} from "./demo-repository.ts";

/**
 * The HTML report opened in a real headless Chromium: it renders, its SVG timeline has one bar
 * per granted access, a click on a heading sorts, the print layout applies, and no request
 * leaves the page. The browser is Debian's chromium (`.ci/run` installs it and sets
 * HALLPASS_REQUIRE_BROWSER=1, so CI fails rather than skips without it); elsewhere set
 * HALLPASS_BROWSER to a Chromium binary, or the file is skipped with the reason.
 */

const CANDIDATES = [process.env.HALLPASS_BROWSER, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
const executablePath = CANDIDATES.find((p): p is string => Boolean(p) && existsSync(p!));
const required = process.env.HALLPASS_REQUIRE_BROWSER === "1";
const PERIOD = ["--since", "2026-11-01", "--until", "2026-12-31"];

// The probe's flags: without the background-networking ones Chromium tries Google's hosts at
// start, which this closed network refuses (and which would pollute the request log).
const FLAGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let demo: DemoRepository;
let browser: Browser;
let htmlPath: string;
let report: AccessReport;

describe.skipIf(!executablePath && !required)("the HTML report in headless Chromium", () => {
  beforeAll(async () => {
    if (!executablePath) {
      throw new Error("no Chromium: install Debian's chromium or set HALLPASS_BROWSER");
    }
    demo = await makeDemoRepository("report-browser");
    htmlPath = join(demo.parent, "q4.html");
    const written = await reportOf("html", ["--out", htmlPath]);
    if (written.code !== 0) throw new Error(written.stderr);
    report = JSON.parse((await reportOf("json")).stdout) as AccessReport;
    browser = await chromium.launch({ executablePath, args: FLAGS, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    demo?.remove();
  });

  it("renders one timeline bar per granted access, each drawn inside the chart", async () => {
    const { page, requests, violations } = await open(htmlPath);
    expect(await page.title()).toBe("Access report 2026-11-01 to 2026-12-31");
    const granted = report.accesses.filter((a) => a.granted).map((a) => a.requestPath);
    expect(granted).toEqual([DEMO_REQUEST]);
    const bars = page.locator("svg rect.bar");
    expect(await bars.evaluateAll((all) => all.map((b) => b.getAttribute("data-request")))).toEqual(
      granted,
    );
    const chart = (await page.locator("svg").boundingBox())!;
    for (const bar of await bars.all()) {
      const box = (await bar.boundingBox())!;
      expect(box.width).toBeGreaterThanOrEqual(2);
      expect(box.x).toBeGreaterThanOrEqual(chart.x);
      expect(box.x + box.width).toBeLessThanOrEqual(chart.x + chart.width);
    }
    expect(await violations()).toEqual([]);
    expect(requests).toEqual([pathToFileURL(htmlPath).href]);
  }, 60_000);

  it("sorts the accesses table by a click on a heading, then the other way", async () => {
    const { page, violations } = await open(htmlPath);
    const heading = page.locator("table.accesses th", { hasText: /^Request$/ });
    const firstColumn = () =>
      page.locator("table.accesses tbody tr td:first-child").allTextContents();
    const before = await firstColumn();
    expect(before).toHaveLength(report.accesses.length);
    await heading.click();
    expect(await heading.getAttribute("data-dir")).toBe("asc");
    const ascending = await firstColumn();
    expect(ascending).toEqual([...before].sort((a, b) => a.localeCompare(b)));
    await heading.click();
    expect(await firstColumn()).toEqual([...ascending].reverse());
    expect(await violations()).toEqual([]);
  }, 60_000);

  it("lays out for print: no page margin of its own, headings not clickable", async () => {
    const { page } = await open(htmlPath);
    await page.emulateMedia({ media: "print" });
    const style = await page.evaluate(`({
      margin: getComputedStyle(document.body).margin,
      cursor: getComputedStyle(document.querySelector("th")).cursor,
    })`);
    expect(style).toEqual({ margin: "0px", cursor: "auto" });
    const pdf = await page.pdf({ preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  }, 60_000);

  it("runs no script but its own: markup slipped into the page would not execute", async () => {
    // Were an escaping bug to let a requester's text become markup, the page's policy still
    // refuses any script it did not ship (its own is allowed by hash, not 'unsafe-inline').
    const tampered = join(demo.parent, "tampered.html");
    const html = readFileSync(htmlPath, "utf8").replace(
      "<h2>Totals</h2>",
      '<script>window.injected = true</script><img src="https://198.51.100.7/x.png"><h2>Totals</h2>',
    );
    writeFileSync(tampered, html);
    const { page, requests, violations } = await open(tampered);
    expect(await page.evaluate("window.injected")).toBeUndefined();
    expect((await violations()).sort()).toEqual(["img-src", "script-src-elem"]);
    expect(requests).toEqual([pathToFileURL(tampered).href]);
  }, 60_000);

  it("sees a request that leaves the page when there is one (the recorder works)", async () => {
    const plain = join(demo.parent, "plain.html");
    writeFileSync(plain, '<!doctype html><title>x</title><img src="https://198.51.100.7/x.png">');
    const { requests } = await open(plain);
    expect(requests).toEqual([pathToFileURL(plain).href, "https://198.51.100.7/x.png"]);
  }, 60_000);
});

function reportOf(format: string, extra: string[] = []) {
  return run(["report", ...PERIOD, "--format", format, ...extra], {
    cwd: demo.root,
    now: DEMO_LATER,
  });
}

/**
 * Opens a file in a fresh context that records every request leaving the page (and aborts any
 * that is not the file itself, so nothing reaches the network) and every Content-Security-
 * Policy violation the page reports.
 */
async function open(path: string): Promise<{
  page: Page;
  requests: string[];
  violations: () => Promise<string[]>;
}> {
  const context = await browser.newContext();
  const requests: string[] = [];
  const url = pathToFileURL(path).href;
  // Every request that reaches the network layer passes here. (Playwright's "request" event
  // also fires for one the page's policy blocked before it could leave: not counted.)
  await context.route("**/*", (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  // In-page code is given as source: the project's TypeScript knows Node's globals, not the DOM.
  await context.addInitScript({
    content: `window.cspViolations = [];
      document.addEventListener("securitypolicyviolation",
        (e) => window.cspViolations.push(e.effectiveDirective));`,
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  return {
    page,
    requests,
    violations: () => page.evaluate<string[]>("[...window.cspViolations]"),
  };
}

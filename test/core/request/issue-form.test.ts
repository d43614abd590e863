import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadPolicies } from "../../../src/core/policy/load-policies.ts";
import { buildIssueRequest } from "../../../src/core/request/build-issue-request.ts";
import {
  FORM_FIELDS,
  ISSUE_FORM_LABEL,
  ISSUE_FORM_PATH,
  NO_RESPONSE,
} from "../../../src/core/request/issue-form-fields.ts";
import { parseIssueForm } from "../../../src/core/request/parse-issue-form.ts";
import { renderIssueForm } from "../../../src/core/request/render-issue-form.ts";
import { validateRequest } from "../../../src/core/request/validate-request.ts";
import { examplePolicies, examplePolicySources } from "../../support/example-policies.ts";

/**
 * The issue form end to end in the core: generated from the policies, answered as GitHub
 * renders an answered form, read back, and turned into a request file that the request
 * validation judges with its own messages.
 */

const NOW = new Date("2026-11-26T09:00:00Z");

interface FormItem {
  type: string;
  id?: string;
  attributes: { label?: string; options?: string[]; value?: string };
  validations?: { required: boolean };
}

function form() {
  const file = renderIssueForm(examplePolicies());
  return { file, yaml: parse(file.content) as { labels: string[]; body: FormItem[] } };
}

/** The body GitHub writes for a submitted form: `### label`, a blank line, the answer. */
function renderedBody(answers: Partial<Record<string, string>>, eol = "\n"): string {
  return FORM_FIELDS.map(
    ({ field, label }) => `### ${label}${eol}${eol}${answers[field] ?? NO_RESPONSE}`,
  ).join(`${eol}${eol}`);
}

const ANSWERS = {
  role: "db-admin",
  account: "production",
  duration: "2h",
  reason: "Investigate the stuck migration on the orders database.\n\nIt blocks every deploy.",
  ticket: "INC-42",
};

describe("renderIssueForm", () => {
  it("offers the roles, accounts and durations of the policies, under the form's label", () => {
    const { file, yaml } = form();
    expect(file.path).toBe(ISSUE_FORM_PATH);
    expect(yaml.labels).toEqual([ISSUE_FORM_LABEL]);
    const options = (id: string) => yaml.body.find((item) => item.id === id)?.attributes.options;
    expect(options("role")).toEqual(["db-admin", "prod-readonly", "staging-only"]);
    expect(options("account")).toEqual(["production", "staging"]);
    // Up to the longest role (staging-only, 1d), and each role's own maximum.
    expect(options("duration")).toEqual(["15m", "30m", "1h", "2h", "4h", "8h", "12h", "1d"]);
  });

  it("keeps what GitHub requires of a form: unique ids and labels, each field where the parser looks", () => {
    const { yaml } = form();
    const fields = yaml.body.filter((item) => item.type !== "markdown");
    expect(fields.map((f) => f.id)).toEqual(FORM_FIELDS.map((f) => f.field));
    expect(fields.map((f) => f.attributes.label)).toEqual(FORM_FIELDS.map((f) => f.label));
    expect(fields.map((f) => f.validations?.required)).toEqual(FORM_FIELDS.map((f) => f.required));
    for (const field of fields.filter((f) => f.type === "dropdown")) {
      const options = field.attributes.options!;
      expect(new Set(options).size).toBe(options.length);
      expect(options.length).toBeGreaterThan(0);
    }
  });

  it("describes each role with its limits, escaping the policy's text", () => {
    const roles = examplePolicySources().find((f) => f.path === "policies/roles.yaml")!.content;
    const { policies } = loadPolicies(
      examplePolicySources({
        "policies/roles.yaml": roles.replace(
          "Read-only view of production.",
          "Read-only <img src=x> view, ask @acme/sre.",
        ),
      }),
    );
    const intro = (parse(renderIssueForm(policies!).content) as { body: FormItem[] }).body[0]!
      .attributes.value!;
    expect(intro).toContain(
      "- **db-admin** (in production; at most 4h; needs a ticket matching `^(INC|CHG)-[0-9]+$`)",
    );
    expect(intro).toContain("\\<img src=x\\> view, ask @\u200bacme/sre.");
  });

  it("is the same file for the same policies, whatever their order", () => {
    const reversed = loadPolicies(examplePolicySources().reverse()).policies!;
    expect(renderIssueForm(reversed).content).toBe(form().file.content);
  });
});

describe("parseIssueForm", () => {
  it("reads every answer of a body GitHub rendered, with \\r\\n line ends too", () => {
    for (const eol of ["\n", "\r\n"]) {
      const parsed = parseIssueForm(renderedBody(ANSWERS, eol));
      expect(parsed.problems).toEqual([]);
      expect(parsed.fields).toEqual(ANSWERS);
      expect(parsed.lines).toEqual({ role: 1, account: 5, duration: 9, reason: 13, ticket: 19 });
    }
  });

  it("reads _No response_ as no answer, which an optional field may be", () => {
    const parsed = parseIssueForm(renderedBody({ ...ANSWERS, ticket: undefined }));
    expect(parsed.problems).toEqual([]);
    expect(parsed.fields.ticket).toBeUndefined();
  });

  it("reads headings as Markdown does: indented up to 3 spaces, closing #s, any case", () => {
    const body = renderedBody(ANSWERS)
      .replace("### Role", "   ### role ##")
      .replace("### Account", "###\tACCOUNT\t#")
      .replace("### Ticket", "### Ticket #INC");
    const parsed = parseIssueForm(body);
    expect(parsed.fields.role).toBe("db-admin");
    expect(parsed.fields.account).toBe("production");
    // "Ticket #INC" is another heading ("#" not after a space closes nothing): part of the reason.
    expect(parsed.problems.map((p) => p.field)).toEqual(["ticket"]);
    expect(
      parseIssueForm(renderedBody(ANSWERS).replace("### Role", "####Role")).problems[0]?.field,
    ).toBe("role");
  });

  it("keeps headings of other names inside the reason", () => {
    const reason = "The migration is stuck.\n### Timeline\nSince 14:00.";
    const parsed = parseIssueForm(renderedBody({ ...ANSWERS, reason }));
    expect(parsed.fields.reason).toBe(reason);
  });

  it.each([
    ["spaces", `### a${" ".repeat(60_000)}b`],
    ["spaces then hashes", `### a${" ".repeat(30_000)}${"#".repeat(30_000)}b`],
    ["short headings", "### a  #\n".repeat(6_000)],
  ])("reads a hostile body in linear time: %s", (_name, body) => {
    const start = process.cpuUsage();
    const parsed = parseIssueForm(body);
    const used = process.cpuUsage(start);
    expect(parsed.problems.length).toBeGreaterThan(0);
    // A backtracking heading pattern took 5 s of CPU here.
    expect((used.user + used.system) / 1000).toBeLessThan(250);
  });

  it.each([
    [null, 1, undefined, "the issue has no body: open it from the access-request form."],
    ["  \n", 1, undefined, "the issue has no body"],
    ["x".repeat(70_000), 1, undefined, "more than the 65536 a form's answers need"],
    [renderedBody({ ...ANSWERS, role: undefined }), 1, "role", '"Role" has no answer: give one.'],
    [
      renderedBody(ANSWERS).replace("### Account", "### Acount"),
      1,
      "account",
      'the "Account" section is missing: open the issue from the access-request form, or add a "### Account" line',
    ],
    [
      renderedBody({ ...ANSWERS, duration: "2h\n4h" }),
      9,
      "duration",
      '"Duration" must be one line',
    ],
    [
      `${renderedBody(ANSWERS)}\n\n### role\n\nprod-readonly`,
      23,
      "role",
      '"Role" appears twice (lines 1 and 23): keep one "### Role" section.',
    ],
  ])("locates what is wrong: %#", (body, line, field, message) => {
    const parsed = parseIssueForm(body);
    const problem = parsed.problems.find((p) => p.field === field);
    expect(problem).toMatchObject({ file: "issue body", line, severity: "error" });
    expect(problem?.message).toContain(message);
  });
});

describe("buildIssueRequest", () => {
  const build = (answers: Partial<Record<string, string>>, author = "alice") =>
    buildIssueRequest(
      parseIssueForm(renderedBody(answers)),
      { number: 12, author },
      examplePolicies(),
      NOW,
    );

  it("writes the request file in the author's name, under their folder, valid as any request", () => {
    const built = build(ANSWERS);
    expect(built.problems).toEqual([]);
    expect(built.file.path).toBe("access-requests/alice/issue-12.yaml");
    expect(built.branch).toBe("hallpass/issue-12");
    expect(built.request?.request).toEqual({ requester: "alice", ...ANSWERS });
    expect(parse(built.file.content)).toEqual({ requester: "alice", ...ANSWERS });
    expect(built.file.content.split("\n").slice(0, 3)).toEqual([
      "# yaml-language-server: $schema=../schema.json",
      "# Written by hallpass from the access-request form of issue #12, in its author's name.",
      "requester: alice",
    ]);
    expect(validateRequest(built.file, examplePolicies(), { now: NOW }).problems).toEqual([]);
  });

  it("keeps hostile answers as text in the file: no second key, no YAML of the author's", () => {
    const reason = "Investigate it now please.\nrequester: mallory\nrole: db-admin # ok";
    const built = build({ ...ANSWERS, reason });
    expect(built.request?.request.requester).toBe("alice");
    expect(built.request?.request.reason).toBe(reason);
  });

  it("points the validation's own messages at the form's fields", () => {
    const built = build(
      { ...ANSWERS, duration: "6h", ticket: "JIRA-1", role: "db-admin" },
      "mallory",
    );
    const byField = Object.fromEntries(built.problems.map((p) => [p.field, [p.line, p.message]]));
    const file = validateRequest(
      { path: "access-requests/mallory/issue-12.yaml", content: built.file.content },
      examplePolicies(),
      { now: NOW },
    );
    expect(built.request).toBeUndefined();
    expect(byField.duration).toEqual([
      9,
      file.problems.find((p) => p.field === "duration")!.message,
    ]);
    expect(byField.ticket).toEqual([19, file.problems.find((p) => p.field === "ticket")!.message]);
    expect(byField.requester).toEqual([
      1,
      file.problems.find((p) => p.field === "requester")!.message,
    ]);
    expect(byField.requester?.[1]).toContain('"mallory" has no identity in policies/');
  });

  it("names an unknown role with the validation's suggestion", () => {
    const built = build({ ...ANSWERS, role: "db-admn" });
    expect(built.problems.find((p) => p.field === "role")).toMatchObject({ line: 1 });
    expect(built.problems.find((p) => p.field === "role")?.message).toContain(
      'Did you mean "db-admin"',
    );
  });
});

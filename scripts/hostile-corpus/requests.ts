import { bytes, type CorpusCases, padTo, utf16, utf32le } from "./bytes.ts";

/**
 * Request files (`access-requests/<case>.yaml`), checked by `hallpass validate` against the
 * example policies. The base is a valid db-admin request; each case damages one thing.
 */

const FIELDS = {
  requester: "alice",
  role: "db-admin",
  account: "production",
  duration: "2h",
  reason: "Fail over the orders database before the storage maintenance.",
  ticket: "CHG-4821",
};

type Fields = Record<keyof typeof FIELDS | string, string | undefined>;

/** The valid request with `changes` applied (a value of undefined drops the field); raw YAML values. */
function request(changes: Partial<Fields> = {}): string {
  const fields: Fields = { ...FIELDS, ...changes };
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${value}\n`)
    .join("");
}

const valid = request();
const LIMIT = 64 * 1024;

/** A request whose reason is padded so that the file is exactly `size` bytes. */
function requestOfSize(size: number): string {
  const head = request({ reason: undefined });
  return `${padTo(`${head}reason: Fail over the orders database `, size - 1, "x")}\n`;
}

const billionLaughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
${valid}`;

function nestedBlock(depth: number): string {
  let text = "";
  for (let i = 0; i < depth; i++) text += `${"  ".repeat(i)}k${i}:\n`;
  return `${valid}extra:\n${text.replace(/^/gm, "  ")}${"  ".repeat(depth + 1)}leaf\n`;
}

export const requestCases: CorpusCases = {
  // Encoding damage.
  "bom-utf8.yaml": bytes([0xef, 0xbb, 0xbf], valid),
  "bom-utf8-twice.yaml": bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], valid),
  "bom-mid-file.yaml": request({ role: "db-\uFEFFadmin" }),
  "utf16le-bom.yaml": utf16(valid, "le", true),
  "utf16be-bom.yaml": utf16(valid, "be", true),
  "utf16le-no-bom.yaml": utf16(valid, "le", false),
  "utf32le-bom.yaml": utf32le(valid),
  "invalid-utf8-lone-continuation.yaml": bytes(
    request({ reason: "" }).replace("reason: \n", "reason: Fail over "),
    [0x80],
    " the orders database now.\n",
  ),
  "invalid-utf8-truncated-sequence.yaml": bytes(
    "requester: alice\nrole: db-admin\naccount: production\nduration: 2h\nticket: CHG-4821\nreason: costs 10 ",
    [0xe2, 0x82],
    "\n",
  ),
  "invalid-utf8-ff.yaml": bytes([0xff, 0xfe, 0xfd], valid),
  "overlong-slash.yaml": bytes(
    request({ extends: "" }).replace("extends: \n", "extends: access-requests"),
    [0xc0, 0xaf],
    "..",
    [0xc0, 0xaf],
    "x.yaml\n",
  ),
  "overlong-nul.yaml": bytes(
    "requester: alice",
    [0xc0, 0x80],
    "\nrole: db-admin\naccount: production\nduration: 2h\nreason: Fail over the orders database before maintenance.\nticket: CHG-4821\n",
  ),
  "overlong-three-bytes.yaml": bytes(
    "requester: alice\nrole: db-admin",
    [0xe0, 0x80, 0xaf],
    "\naccount: production\nduration: 2h\nreason: Fail over the orders database before maintenance.\nticket: CHG-4821\n",
  ),
  "utf8-encoded-surrogate.yaml": bytes(
    "requester: alice\nrole: db-admin\naccount: production\nduration: 2h\nreason: Fail over the orders database ",
    [0xed, 0xa0, 0x80],
    " before maintenance.\nticket: CHG-4821\n",
  ),
  "utf8-above-unicode.yaml": bytes(
    "requester: alice\nrole: db-admin\naccount: production\nduration: 2h\nreason: Fail over the orders database ",
    [0xf4, 0x90, 0x80, 0x80],
    " before maintenance.\nticket: CHG-4821\n",
  ),
  "latin1-reason.yaml": bytes(
    "requester: alice\nrole: db-admin\naccount: production\nduration: 2h\nreason: Fail over the orders database before the maintenance caf",
    [0xe9],
    "\nticket: CHG-4821\n",
  ),
  "nul-in-value.yaml": request({ requester: "alice\u0000bob" }),
  "nul-at-end.yaml": `${valid}\u0000`,
  "escaped-nul-in-quoted-value.yaml": request({ requester: '"alice\\0"' }),
  "ansi-escape-in-reason.yaml": request({
    reason: "Fail over the orders \u001b[31mdatabase\u001b[0m before maintenance.",
  }),
  "escaped-ansi-in-quoted-reason.yaml": request({
    reason: '"Fail over the orders \\e[2J\\e[Hdatabase before maintenance."',
  }),
  "bell-and-backspace.yaml": request({
    reason: "Fail over the orders database\u0007\u0008\u0008 before maintenance.",
  }),
  "delete-character.yaml": request({ requester: "alice\u007f" }),
  "c1-next-line.yaml": request({
    reason: "Fail over the orders database\u0085before maintenance.",
  }),
  "line-separator-in-reason.yaml": request({
    reason: "Fail over the orders database\u2028before maintenance.",
  }),
  "form-feed.yaml": `\f${valid}`,
  "cr-only-line-endings.yaml": valid.replace(/\n/g, "\r"),
  "crlf-line-endings.yaml": valid.replace(/\n/g, "\r\n"),
  "mixed-line-endings.yaml":
    "requester: alice\r\nrole: db-admin\naccount: production\rduration: 2h\nreason: Fail over the orders database before the storage maintenance.\r\nticket: CHG-4821\n",
  // Homoglyphs, invisible and direction-changing characters.
  "requester-cyrillic-a.yaml": request({ requester: "\u0430lice" }),
  "requester-fullwidth.yaml": request({ requester: "\uff41\uff4c\uff49\uff43\uff45" }),
  "requester-zero-width-space.yaml": request({ requester: "ali\u200bce" }),
  "requester-combining-mark.yaml": request({ requester: "alice\u0301" }),
  "requester-bidi-override.yaml": request({ requester: "\u202eecila" }),
  "requester-trailing-space-quoted.yaml": request({ requester: '"alice "' }),
  "requester-upper-case.yaml": request({ requester: "ALICE" }),
  "role-greek-omicron.yaml": request({ role: "db-adm\u03bfn" }),
  "role-zero-width-joiner.yaml": request({ role: "db-\u200dadmin" }),
  "role-constructor.yaml": request({ role: "constructor" }),
  "account-constructor.yaml": request({ account: "constructor" }),
  "requester-constructor.yaml": request({ requester: "constructor" }),
  "account-dotless-i.yaml": request({ account: "product\u0131on" }),
  "reason-bidi-override.yaml": request({
    reason: "Fail over the orders database \u202enoitcudorp lla eteled\u202c before maintenance.",
  }),
  "bidi-override-in-comment.yaml": `# reviewed by sre \u202e,nimda-bd :elor\u202c\n${valid}`,
  "bidi-isolate-in-reason.yaml": request({
    reason: "Fail over the orders \u2067database\u2069 before maintenance.",
  }),
  "escaped-bidi-in-quoted-reason.yaml": request({
    reason: '"Fail over the orders \\u202Edatabase before maintenance."',
  }),
  "zero-width-inside-reason.yaml": request({
    reason: "Fail over the orders data\u200bbase before maintenance.",
  }),
  "reason-only-zero-width.yaml": request({ reason: "\u200b".repeat(40) }),
  "reason-only-spaces-quoted.yaml": request({ reason: `"${" ".repeat(40)}"` }),
  "reason-markdown-injection.yaml": request({
    reason:
      '"Fix [the report](https://evil.example/phish) for @acme/security <img src=x onerror=alert(1)> ![x](https://evil.example/t.png)"',
  }),
  "reason-html-comment.yaml": request({
    reason: '"Fail over the orders database <!-- hallpass:approved --> before maintenance."',
  }),
  "ticket-arabic-digits.yaml": request({ ticket: "CHG-\u0664\u0668\u0662\u0661" }),
  "ticket-fullwidth-digits.yaml": request({ ticket: "CHG-\uff14\uff18\uff12\uff11" }),
  "ticket-trailing-newline.yaml": request({ ticket: "|\n  CHG-4821\n  rm -rf" }),
  "ticket-cyrillic-c.yaml": request({ ticket: "\u0421HG-4821" }),
  // Scalars of the wrong type or value.
  "duration-number.yaml": request({ duration: "2" }),
  "duration-negative.yaml": request({ duration: "-2h" }),
  "duration-zero.yaml": request({ duration: "PT0S" }),
  "duration-huge.yaml": request({ duration: "99999999999999999999999h" }),
  "duration-fullwidth-digit.yaml": request({ duration: "\uff12h" }),
  "duration-fraction.yaml": request({ duration: "1.5h" }),
  "duration-exponent.yaml": request({ duration: "1e3m" }),
  "duration-iso-years.yaml": request({ duration: "P1000Y" }),
  "duration-empty.yaml": request({ duration: '""' }),
  "requester-number.yaml": request({ requester: "12345" }),
  "requester-null.yaml": request({ requester: "~" }),
  "requester-list.yaml": request({ requester: "[alice, bob]" }),
  "requester-mapping.yaml": request({ requester: "{login: alice}" }),
  "reason-list.yaml": request({ reason: "[]" }),
  "ticket-number.yaml": request({ ticket: "4821" }),
  "emergency-yes.yaml": request({ emergency: "yes" }),
  "emergency-string-true.yaml": request({ emergency: '"true"' }),
  "start-impossible-date.yaml": request({ start: "2026-13-45T99:99:99Z" }),
  "start-year-zero.yaml": request({ start: "0000-01-01T00:00:00Z" }),
  "start-far-future.yaml": request({ start: "+275760-09-13T00:00:00Z" }),
  "start-no-offset.yaml": request({ start: "2026-11-27T09:00:00" }),
  "start-yaml-timestamp-form.yaml": request({ start: "2026-11-27 09:00:00" }),
  // Path tricks in extends.
  "extends-parent-folder.yaml": request({ extends: "../policies/roles.yaml" }),
  "extends-absolute.yaml": request({ extends: "/etc/passwd" }),
  "extends-climbs-back.yaml": request({ extends: "access-requests/../../outside.yaml" }),
  "extends-record-file.yaml": request({ extends: "access-requests/alice-db.grant.json" }),
  "extends-url.yaml": request({ extends: "https://evil.example/alice-db.yaml" }),
  "extends-backslashes.yaml": request({
    extends: '"access-requests\\\\..\\\\policies\\\\roles.yaml"',
  }),
  "extends-percent-encoded.yaml": request({
    extends: "access-requests/%2e%2e/policies/roles.yaml",
  }),
  "extends-itself.yaml": request({ extends: "access-requests/extends-itself.yaml" }),
  // YAML structure.
  "billion-laughs.yaml": billionLaughs,
  "alias-count-past-limit.yaml": `x: &x a\nlist: [${Array(60).fill("*x").join(", ")}]\n${valid}`,
  "alias-merge-key.yaml": `base: &base\n  requester: bob\n<<: *base\n${valid}`,
  "alias-as-requester.yaml": `r: &who alice\n${request({ requester: "*who" })}`,
  "deep-flow-nesting.yaml": `${valid}extra: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
  "deep-block-nesting.yaml": nestedBlock(40),
  "nesting-within-limit.yaml": nestedBlock(25),
  "custom-tag-js-function.yaml": `${valid}extra: !!js/function "function () { return 1 }"\n`,
  "custom-tag-python-object.yaml": `${request({ requester: "!!python/object/apply:os.system ['id']" })}`,
  "custom-tag-cloudformation.yaml": request({ role: "!Ref DbAdmin" }),
  "tag-timestamp.yaml": request({ start: "!!timestamp 2026-11-27T09:00:00Z" }),
  "tag-set.yaml": request({ reason: "!!set {Fail over the orders database before maintenance}" }),
  "tag-float.yaml": request({ duration: "!!float 2" }),
  "binary-tag.yaml": request({ requester: "!!binary YWxpY2U=" }),
  "two-documents.yaml": `${valid}---\n${request({ requester: "bob" })}`,
  "document-is-list.yaml": "- requester: alice\n- role: db-admin\n",
  "document-is-scalar.yaml": "alice wants db-admin for 2h\n",
  "document-is-null.yaml": "~\n",
  "empty.yaml": "",
  "only-comments.yaml": "# requester: alice\n# role: db-admin\n",
  "only-document-marker.yaml": "---\n",
  "duplicate-requester.yaml": `${valid}requester: bob\n`,
  "proto-key.yaml": `${valid}__proto__:\n  emergency: true\n`,
  "constructor-key.yaml": `${valid}constructor: {prototype: {emergency: true}}\n`,
  "complex-key.yaml": `${valid}? [a, b]\n: c\n`,
  "unknown-field-typo.yaml": valid.replace("requester:", "requestor:"),
  "five-thousand-unknown-keys.yaml": `${valid}${Array.from({ length: 5000 }, (_, i) => `k${i}: v\n`).join("")}`,
  "three-thousand-duplicate-keys.yaml": `${valid}${"reason: again\n".repeat(3000)}`,
  "tab-indentation.yaml": `${valid}extra:\n\tnested: true\n`,
  "unterminated-quote.yaml": request({ reason: '"Fail over the orders database' }),
  "unterminated-flow.yaml": request({ requester: "[alice" }),
  "json-form.yaml": `${JSON.stringify(FIELDS)}\n`,
  "flow-mapping-one-line.yaml": `{requester: alice, role: db-admin, account: production, duration: 2h, reason: "Fail over the orders database before maintenance.", ticket: CHG-4821}\n`,
  "very-long-key.yaml": `${valid}${"k".repeat(60_000)}: v\n`,
  "missing-requester.yaml": request({ requester: undefined }),
  "missing-role.yaml": request({ role: undefined }),
  "missing-account.yaml": request({ account: undefined }),
  "missing-duration.yaml": request({ duration: undefined }),
  "missing-reason.yaml": request({ reason: undefined }),
  "missing-ticket.yaml": request({ ticket: undefined }),
  // Sizes at and past every cap.
  "size-at-cap.yaml": requestOfSize(LIMIT),
  "size-one-past-cap.yaml": requestOfSize(LIMIT + 1),
  "size-one-megabyte.yaml": requestOfSize(1024 * 1024),
  "ticket-at-cap.yaml": request({ ticket: `CHG-${"1".repeat(196)}` }),
  "ticket-one-past-cap.yaml": request({ ticket: `CHG-${"1".repeat(197)}` }),
  "requester-at-cap.yaml": request({ requester: "a".repeat(39) }),
  "requester-one-past-cap.yaml": request({ requester: "a".repeat(40) }),
  "role-one-past-cap.yaml": request({ role: "r".repeat(64) }),
  "reason-one-short.yaml": request({ reason: "x".repeat(19) }),
  "one-long-line.yaml": request({ reason: "x".repeat(60_000) }),
  "many-short-lines.yaml": `${valid}${"#\n".repeat(30_000)}`,
};

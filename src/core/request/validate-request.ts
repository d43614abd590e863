import { compileLinearPattern } from "../policy/compile-linear-pattern.ts";
import type { Account, Identity, Policies, Role } from "../policy/policy-format.ts";
import { describeSchemaIssues } from "../source/describe-schema-issues.ts";
import { type ParsedYaml, parseYaml } from "../source/parse-yaml.ts";
import { hasErrors, type Problem } from "../source/problem.ts";
import { readIsoTime } from "../source/read-iso-time.ts";
import { sortProblems } from "../source/sort-problems.ts";
import type { SourceFile } from "../source/source-file.ts";
import { didYouMean } from "../source/suggest-name.ts";
import { checkRequestPath, normalisePath } from "./check-request-path.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { isRequestPath } from "./record-paths.ts";
import { type AccessRequest, accessRequestSchema } from "./request-format.ts";

export { permissionsBoundaryFor } from "../grant/permissions-boundary-for.ts";

/** Largest request file accepted: a request is a dozen lines. */
export const MAX_REQUEST_FILE_BYTES = 64 * 1024;

/** Longest ticket accepted, so a role's pattern never runs on a novel. */
export const MAX_TICKET_LENGTH = 200;

/** A request that passed every rule, with its references resolved against the policies. */
export interface ValidatedRequest {
  /** Repository-relative path of the request file. */
  path: string;
  request: AccessRequest;
  durationSeconds: number;
  /** The requested start, or undefined for "when merged". */
  start: Date | undefined;
  role: Role;
  account: Account;
  identity: Identity;
  emergency: boolean;
}

/**
 * Parses and checks a request file: YAML syntax, then the schema, then every rule that needs
 * the policies (role and account exist, the role is allowed there, the duration is within the
 * role's limit, the requester has an identity, the reason is substantial, the ticket matches,
 * the start is not in the past, emergency only where allowed). Reports every problem at once.
 *
 * `value` is undefined iff there is an error problem. "Start in the past" compares with
 * `context.now`, so the same file can be valid today and not tomorrow.
 */
export function validateRequest(
  file: SourceFile,
  policies: Policies,
  context: { now: Date },
): { value: ValidatedRequest | undefined; problems: Problem[] } {
  const shape = parseRequest(file);
  if (!shape.parsed) return { value: undefined, problems: shape.problems };
  const parsed = shape.parsed;
  // When the schema failed, still check the fields that passed it, so that every problem of
  // the file is reported at once; the result is never valid in that case.
  const request = shape.value ?? validFields(parsed.value, shape.problems);
  const problems: Problem[] = [...shape.problems];
  const report = (field: keyof AccessRequest, message: string, part?: "key" | "value") => {
    const position = parsed.locate([field], part);
    problems.push({ file: file.path, ...position, field, severity: "error", message });
  };

  const role =
    request.role !== undefined && Object.hasOwn(policies.roles, request.role)
      ? policies.roles[request.role]
      : undefined;
  if (request.role !== undefined && !role) {
    const names = Object.keys(policies.roles);
    report(
      "role",
      `role "${request.role}" is not defined in policies/.${didYouMean(request.role, names) || ` Roles: ${names.join(", ")}.`}`,
    );
  }
  const account =
    request.account !== undefined && Object.hasOwn(policies.accounts, request.account)
      ? policies.accounts[request.account]
      : undefined;
  if (request.account !== undefined && !account) {
    const names = Object.keys(policies.accounts);
    report(
      "account",
      `account "${request.account}" is not defined in policies/.${didYouMean(request.account, names) || ` Accounts: ${names.join(", ")}.`}`,
    );
  }
  if (role && account && !role.accounts.includes(request.account!)) {
    report(
      "account",
      `role "${request.role}" cannot be granted in account "${request.account}"; it is available in: ${role.accounts.join(", ")}.`,
    );
  }

  const emergency = request.emergency === true;
  if (role && emergency && !role.breakGlass?.allowed) {
    report(
      "emergency",
      `role "${request.role}" does not allow break-glass requests: remove "emergency: true" and get the normal approvals.`,
    );
  }

  let durationSeconds = 0;
  if (request.duration !== undefined) {
    const duration = parseDuration(request.duration);
    if (!duration.ok) {
      report("duration", duration.message);
    } else if (duration.seconds <= 0) {
      report("duration", "the duration must be longer than zero, such as 1h.");
    } else {
      durationSeconds = duration.seconds;
      if (role) {
        const useBreakGlass = emergency && role.breakGlass?.allowed === true;
        const limitText = useBreakGlass ? role.breakGlass!.maxDuration : role.maxDuration;
        const limit = parseDuration(limitText);
        if (limit.ok && duration.seconds > limit.seconds) {
          report(
            "duration",
            `${formatDuration(duration.seconds)} is longer than the ${formatDuration(limit.seconds)} role "${request.role}" allows${useBreakGlass ? " for break-glass" : ""}; ask for at most ${formatDuration(limit.seconds)} and extend later if needed.`,
          );
        }
      }
    }
  }

  const identity =
    request.requester === undefined ? undefined : identityOf(policies, request.requester);
  if (request.requester !== undefined && !identity) {
    report(
      "requester",
      `"${request.requester}" has no identity in policies/ (identities:): ask the security team to map this GitHub login to the AWS principal they sign in as.`,
    );
  }

  if (request.reason !== undefined) {
    checkReason(request.reason, policies.settings.reasonMinLength, report);
  }
  if (role && !problems.some((p) => p.field === "ticket")) {
    checkTicket(request.role!, request.ticket, role, report);
  }
  const start = checkStart(request.start, context.now, report);

  if (request.extends !== undefined) checkExtends(request.extends, file.path, report);
  const pathProblem = checkRequestPath(file.path);
  if (pathProblem !== undefined) {
    const message = `the request file's path ${pathProblem}.`;
    problems.push({ file: file.path, line: 1, column: 1, severity: "error", message });
  }

  if (hasErrors(problems) || !shape.value || !role || !account || !identity) {
    return { value: undefined, problems: sortProblems(problems) };
  }
  return {
    value: {
      path: file.path,
      request: shape.value,
      durationSeconds,
      start,
      role,
      account,
      identity,
      emergency,
    },
    problems: sortProblems(problems),
  };
}

/**
 * Checks a request file's syntax and schema only, without the policies: what can still be
 * said about a request when the policies themselves are broken.
 *
 * `value` is undefined iff there is an error problem; `parsed` can be present with errors
 * (duplicate keys), for checking and locating the rest of the file.
 */
export function parseRequest(file: SourceFile): {
  value: AccessRequest | undefined;
  parsed: ParsedYaml | undefined;
  problems: Problem[];
} {
  const { parsed, problems } = parseYaml(file, {
    maxBytes: MAX_REQUEST_FILE_BYTES,
    kind: "request file",
  });
  if (!parsed) return { value: undefined, parsed: undefined, problems };
  const result = accessRequestSchema.safeParse(parsed.value);
  if (!result.success) {
    return {
      value: undefined,
      parsed,
      problems: [
        ...problems,
        ...describeSchemaIssues(file.path, parsed, accessRequestSchema, result.error.issues),
      ],
    };
  }
  // A file with duplicate keys is parsed (so its other problems are reported) but never valid.
  return { value: hasErrors(problems) ? undefined : result.data, parsed, problems };
}

/**
 * The fields of a request that passed the schema on their own, for checking the rest of a
 * file whose schema failed. Fields with a schema problem are left out.
 */
function validFields(value: Record<string, unknown>, problems: readonly Problem[]) {
  const shape = accessRequestSchema.shape;
  const fields: Partial<Record<keyof AccessRequest, unknown>> = {};
  for (const key of Object.keys(shape) as (keyof AccessRequest)[]) {
    if (problems.some((p) => p.field === key)) continue;
    const result = shape[key].safeParse(value[key]);
    if (result.success && result.data !== undefined) fields[key] = result.data;
  }
  return fields as Partial<AccessRequest>;
}

/**
 * `extends:` is resolved as git would resolve it before it is judged: `..` must not climb out
 * of access-requests/, and `//` or `./` must not disguise the request itself. The plain form is
 * then required, so the grant record and the sweep read the same path as the reviewers did.
 */
function checkExtends(written: string, ownPath: string, report: Report): void {
  const path = normalisePath(written);
  const example =
    "give the path of an earlier request from the repository root, such as access-requests/alice/db.yaml";
  if (path === undefined || !isRequestPath(path)) {
    const resolved = path === undefined || path === written ? "" : ` is ${path}, which`;
    report("extends", `"${written}"${resolved} is not a request file: ${example}.`);
  } else if (path === normalisePath(ownPath)) {
    report("extends", "a request cannot extend itself: name the earlier request it replaces.");
  } else if (path !== written) {
    report("extends", `"${written}" is a roundabout spelling: write it as ${path}.`);
  } else {
    const problem = checkRequestPath(path);
    if (problem !== undefined) report("extends", `${path} ${problem}; it cannot be a request.`);
  }
}

/** GitHub logins are case-insensitive: `Alice` and `alice` are the same person. */
function identityOf(policies: Policies, login: string): Identity | undefined {
  const wanted = login.toLowerCase();
  for (const [name, identity] of Object.entries(policies.identities)) {
    if (name.toLowerCase() === wanted) return identity;
  }
  return undefined;
}

type Report = (field: keyof AccessRequest, message: string, part?: "key" | "value") => void;

const PLACEHOLDER = /^(todo|tbd|test(ing)?|n\/?a|none|asdf|x+|\.+|-+|reason|access|debug(ging)?)$/i;

function checkReason(reason: string, minLength: number, report: Report): void {
  const text = reason.trim();
  const words = new Set((text.match(/\p{L}{2,}/gu) ?? []).map((w) => w.toLowerCase()));
  const advice =
    "say what is broken or being done, and why it needs production access, so a reviewer can judge it.";
  if (text.length < minLength) {
    report(
      "reason",
      `the reason is too short (${text.length} characters, at least ${minLength}): ${advice}`,
    );
  } else if (PLACEHOLDER.test(text) || words.size < 3) {
    report("reason", `the reason is not specific enough: ${advice}`);
  }
}

function checkTicket(
  roleName: string,
  ticket: string | undefined,
  role: Role,
  report: Report,
): void {
  const rule = role.ticket;
  if (ticket === undefined) {
    if (rule?.required) {
      report(
        "ticket",
        `role "${roleName}" requires a ticket: add a "ticket:" line${rule.pattern ? ` matching ${rule.pattern}` : ""} with the incident or change id.`,
        "key",
      );
    }
    return;
  }
  if (ticket.length > MAX_TICKET_LENGTH) {
    report(
      "ticket",
      `the ticket is longer than ${MAX_TICKET_LENGTH} characters: give its id or link.`,
    );
    return;
  }
  if (rule?.pattern !== undefined) {
    // The linear-time engine: the ticket is the request author's, and a backtracking engine
    // could spend years on one (see compile-linear-pattern.ts).
    const pattern = compileLinearPattern(rule.pattern);
    if (!pattern.ok) {
      // Policies are validated before requests; a refused pattern here fails closed.
      report(
        "ticket",
        `role "${roleName}" has a ticket pattern that cannot be evaluated in linear time; ask the security team to fix it.`,
      );
      return;
    }
    if (!pattern.test(ticket)) {
      report(
        "ticket",
        `ticket "${ticket}" does not match the pattern ${rule.pattern} that role "${roleName}" requires.`,
      );
    }
  }
}

function checkStart(text: string | undefined, now: Date, report: Report): Date | undefined {
  if (text === undefined) return undefined;
  const reading = readIsoTime(text, { dateOnly: false });
  const example = "2026-11-27T09:00:00Z or 2026-11-27T10:00:00+01:00";
  if (reading.kind === "not-iso") {
    report(
      "start",
      `"${text}" is not an ISO-8601 time with an offset: write it like ${example}, or remove start to begin when the pull request is merged.`,
    );
    return undefined;
  }
  if (reading.kind === "impossible") {
    report("start", `"${text}" is not a real date and time: write it like ${example}.`);
    return undefined;
  }
  const start = reading.time;
  if (start.getTime() < now.getTime()) {
    report(
      "start",
      `start ${text} is in the past (now is ${now.toISOString()}): remove start to begin when the pull request is merged, or pick a later time.`,
    );
    return undefined;
  }
  return start;
}

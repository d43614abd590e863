/**
 * Checks that every request the code under test sends to GitHub exists in GitHub's published
 * REST description (@octokit/openapi): the method and path match an operation's template, each
 * query parameter is one the operation declares, and each top-level body field is one its
 * request body declares. A GraphQL request (`POST /graphql`) is validated against GitHub's
 * published GraphQL schema (@octokit/graphql-schema) instead. So no test can pass against an
 * invented endpoint, field or type.
 *
 * Usage:
 *   const recorder = createRequestRecorder();
 *   const scope = recorder.record(nock("https://api.github.com").get(...).reply(...));
 *   ... run the code ...
 *   expect(scope.isDone()).toBe(true);
 *   recorder.assertAllDescribed();            // throws naming each undescribed request
 *   recorder.requests                         // [{ method, path, query, body }] in order
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { validate as validateGraphQl } from "@octokit/graphql-schema";
import nock from "nock";
import { afterEach, beforeEach, expect } from "vitest";

type Scope = nock.Scope;

export interface RecordedRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  regex: RegExp;
  queryNames: Set<string>;
  /** Top-level body properties, or undefined when the body is not a described object. */
  bodyNames: Set<string> | undefined;
}

const METHODS = ["get", "post", "put", "patch", "delete", "head"];
/** Path parameters GitHub lets span several segments (a file path, a git ref). */
const MULTI_SEGMENT = new Set(["path", "ref"]);

let operations: Operation[] | undefined;

function loadOperations(): Operation[] {
  if (operations) return operations;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(readFileSync(file, "utf8")) as {
    paths: Record<string, Record<string, Json>>;
    components: { parameters: Record<string, Json>; schemas: Record<string, Json> };
  };
  const deref = (value: Json): Json => {
    const ref = value.$ref;
    if (typeof ref !== "string") return value;
    const [, , kind, name] = ref.split("/");
    const table = (spec.components as unknown as Record<string, Record<string, Json>>)[kind!];
    return deref(table?.[name!] ?? {});
  };
  operations = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const pattern = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const param = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (param) return MULTI_SEGMENT.has(param) ? "(.+)" : "([^/]+)";
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [
        ...((item.parameters as unknown as Json[]) ?? []),
        ...((op.parameters as unknown as Json[]) ?? []),
      ]
        .map(deref)
        .filter((p) => p.in === "query")
        .map((p) => String(p.name));
      const content = (deref((op.requestBody as Json) ?? {}).content ?? {}) as Record<string, Json>;
      const schema = content["application/json"]?.schema as Json | undefined;
      const resolved = schema ? deref(schema) : undefined;
      const props = resolved?.properties as Json | undefined;
      operations.push({
        method: method.toUpperCase(),
        template,
        regex: new RegExp(`^${pattern}$`),
        queryNames: new Set(params),
        bodyNames: props ? new Set(Object.keys(props)) : undefined,
      });
    }
  }
  return operations;
}

/** Why a request is not in GitHub's REST description, or undefined when it is. */
export function describeMismatch(request: RecordedRequest): string | undefined {
  if (request.method === "POST" && /^(\/api)?\/graphql$/.test(request.path)) {
    const query = (request.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== "string") return "POST /graphql: no query in the body";
    const errors = validateGraphQl(query);
    return errors.length === 0
      ? undefined
      : `POST /graphql: ${errors.map((e) => e.message).join("; ")} in ${query}`;
  }
  const candidates = loadOperations().filter(
    (op) => op.method === request.method && op.regex.test(request.path),
  );
  if (candidates.length === 0) {
    return `${request.method} ${request.path}: no such operation in GitHub's REST API description`;
  }
  const problems: string[] = [];
  for (const op of candidates) {
    const badQuery = Object.keys(request.query).filter((q) => !op.queryNames.has(q));
    const body = request.body;
    const badBody =
      op.bodyNames && body && typeof body === "object" && !Array.isArray(body)
        ? Object.keys(body).filter((k) => !op.bodyNames!.has(k))
        : [];
    if (badQuery.length === 0 && badBody.length === 0) return undefined;
    problems.push(
      `${request.method} ${op.template}: ${[
        ...badQuery.map((q) => `unknown query parameter "${q}"`),
        ...badBody.map((k) => `unknown body field "${k}"`),
      ].join(", ")}`,
    );
  }
  return problems.join("; ");
}

export interface RequestRecorder {
  readonly requests: RecordedRequest[];
  /** Records every request a scope answers; returns the scope for chaining. */
  record(scope: Scope): Scope;
  /** Throws listing every recorded request that GitHub's description does not have. */
  assertAllDescribed(): void;
  /** Requests whose path does not start with one of `excluded` (e.g. the token exchange). */
  count(options?: { excluding?: RegExp }): number;
}

export function createRequestRecorder(): RequestRecorder {
  const requests: RecordedRequest[] = [];
  const recorded = new WeakSet<Scope>();
  return {
    requests,
    record(scope) {
      if (recorded.has(scope)) return scope;
      recorded.add(scope);
      scope.on("request", (req: Request, _interceptor: unknown, body: string) => {
        const url = new URL(req.url);
        let parsed: unknown = body;
        try {
          parsed = body ? JSON.parse(body) : undefined;
        } catch {
          // not JSON: keep the text
        }
        requests.push({
          method: req.method.toUpperCase(),
          path: decodeURIComponent(url.pathname),
          query: Object.fromEntries(url.searchParams),
          body: parsed,
        });
      });
      return scope;
    },
    assertAllDescribed() {
      const problems = requests.map(describeMismatch).filter((p) => p !== undefined);
      if (problems.length > 0) {
        throw new Error(
          `Requests not in GitHub's REST description or GraphQL schema:\n${problems.join("\n")}`,
        );
      }
    },
    count(options = {}) {
      return requests.filter((r) => !options.excluding?.test(r.path)).length;
    },
  };
}

/**
 * For the calling test file: before each test a fresh nock scope of `api` whose requests are
 * recorded (handed to `use` with its recorder); after it, every mock was answered, nothing is left pending, and
 * every request made is in GitHub's published REST description or GraphQL schema.
 */
export function checkGitHubRequests(
  api: string,
  use: (scope: nock.Scope, recorder: RequestRecorder) => void,
): void {
  let recorder: RequestRecorder;
  let scope: nock.Scope;
  beforeEach(() => {
    nock.disableNetConnect();
    recorder = createRequestRecorder();
    scope = recorder.record(nock(api));
    use(scope, recorder);
  });
  afterEach(() => {
    const done = scope.isDone();
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
    expect(done).toBe(true);
    recorder.assertAllDescribed();
  });
}

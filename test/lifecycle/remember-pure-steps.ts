/**
 * Loading the policies and parsing a request file are pure functions of the files' text and the
 * slowest steps of a delivery (YAML with positions, some ms); a test that runs the same world
 * many times meets only a few variants of each, so they are remembered by their arguments.
 * Nothing else is replaced. Use from a `vi.mock` factory:
 *
 *   vi.mock("../../src/core/policy/load-policies.ts", (original) => rememberLoadPolicies(original));
 */

function remember<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const known = new Map<string, R>();
  return (...args) => {
    const key = JSON.stringify(args);
    if (!known.has(key)) known.set(key, fn(...args));
    return known.get(key) as R;
  };
}

type LoadPolicies = typeof import("../../src/core/policy/load-policies.ts");
type ParseYaml = typeof import("../../src/core/source/parse-yaml.ts");
type ValidateRequest = typeof import("../../src/core/request/validate-request.ts");

/** The load-policies module with `loadPolicies` remembered. */
export async function rememberLoadPolicies(
  importOriginal: () => Promise<LoadPolicies>,
): Promise<LoadPolicies> {
  const original = await importOriginal();
  return { ...original, loadPolicies: remember(original.loadPolicies) };
}

/** The validate-request module with `parseRequest` remembered. */
export async function rememberParseRequest(
  importOriginal: () => Promise<ValidateRequest>,
): Promise<ValidateRequest> {
  const original = await importOriginal();
  return { ...original, parseRequest: remember(original.parseRequest) };
}

/**
 * The parse-yaml module with `parseYaml` remembered: `validateRequest` parses the request file
 * again inside its own module, where a remembered `parseRequest` does not reach.
 */
export async function rememberParseYaml(
  importOriginal: () => Promise<ParseYaml>,
): Promise<ParseYaml> {
  const original = await importOriginal();
  return { ...original, parseYaml: remember(original.parseYaml) };
}

import type { BuildOptions, Plugin } from "esbuild";

/**
 * `@actions/core` imports `@actions/http-client` (and through it undici, about 770 KB bundled)
 * for one function, `getIDToken`, which the action never calls: it takes AWS credentials from
 * the environment (aws-actions/configure-aws-credentials). Loading it cost about 17 MB of
 * resident memory before the first event. This resolves it to a module whose client says so
 * if anything ever constructs it, instead of failing in some other way.
 */
const withoutHttpClient: Plugin = {
  name: "hallpass-without-http-client",
  setup(build) {
    build.onResolve({ filter: /^@actions\/http-client(\/|$)/ }, (args) => ({
      path: args.path,
      namespace: "hallpass-without-http-client",
    }));
    build.onLoad({ filter: /.*/, namespace: "hallpass-without-http-client" }, () => ({
      contents: `const leftOut = () => { throw new Error("The hallpass action is bundled without @actions/http-client (scripts/action-bundle.ts): core.getIDToken is not available; AWS credentials come from the environment."); };
export class HttpClient { constructor() { leftOut(); } }
export class BearerCredentialHandler { constructor() { leftOut(); } }`,
      loader: "js",
    }));
  },
};

/**
 * The esbuild options the action is bundled with (`scripts/build-action.ts`). The audit bench
 * bundles its production path with the same ones, so that it measures what the action runs.
 */
export const ACTION_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  legalComments: "eof",
  logLevel: "warning",
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __hallpassCreateRequire } from "node:module";\nconst require = __hallpassCreateRequire(import.meta.url);',
  },
  plugins: [withoutHttpClient],
} satisfies BuildOptions;

/**
 * `text` (esbuild's output) with every character outside ASCII written as a `\uXXXX` escape.
 * V8 keeps a module's source as long as the module lives, one byte a character when every
 * character fits in Latin-1 and two bytes otherwise: one `—` in a comment doubled the 3-4 MB
 * bundle's resident source. esbuild already escapes every such character it prints in code
 * (its default ASCII charset); what it copies as written are comments, where an escape is as
 * good. Checked, not assumed: without its comments (esbuild's whitespace minification) the
 * escaped text must print exactly as the original does, or the build fails.
 */
export async function asciiOnly(text: string): Promise<string> {
  const escaped = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  if (escaped === text) return text;
  // Imported here: the audit bench bundles this module into its measured processes.
  const { transform } = await import("esbuild");
  const printed = async (code: string) =>
    (await transform(code, { format: "esm", minifyWhitespace: true, legalComments: "none" })).code;
  if ((await printed(escaped)) !== (await printed(text))) {
    throw new Error(
      "the bundle has characters outside ASCII in code, not only in comments: escaping them would change it (scripts/action-bundle.ts)",
    );
  }
  return escaped;
}

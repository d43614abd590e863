import { compile, type z } from "zod";

/**
 * A `safeParse` for readers of thousands of records (`hallpass history`, `verify` and `report`
 * read a request file and four JSON records per request): zod's own ahead-of-time compiler
 * (`z.compile`) judges a valid value on a generated fast path, without zod's machinery (a
 * payload and an issue list per value: about a tenth of the CPU of `hallpass history` on
 * 10,000 requests), and falls back to the regular parser for anything else, so every refusal
 * and message is zod's. A schema that holds something zod cannot compile keeps the regular
 * parser (same answers, slower): test/core/source/compile-safe-parse.test.ts compiles each
 * record schema strictly, so such a schema fails there rather than slowing the readers unseen.
 */
export function compileSafeParse<T>(
  schema: z.ZodType<T>,
): (value: unknown) => z.ZodSafeParseResult<T> {
  const compiled = compile(schema);
  return (value) => compiled.safeParse(value);
}

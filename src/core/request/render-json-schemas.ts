import { z } from "zod";
import { policyFileSchema } from "../policy/policy-format.ts";
import { accessRequestSchema } from "./request-format.ts";

/** A generated file: repository-relative path and its exact content. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/**
 * The JSON Schemas editors use to complete and check request and policy files, rendered from
 * the zod schemas that are the single source of both formats. Describes the input side: a
 * field with a default may be left out.
 */
export function renderJsonSchemas(): GeneratedFile[] {
  return [
    render("access-requests/schema.json", accessRequestSchema, "hallpass access request"),
    render("policies/schema.json", policyFileSchema, "hallpass policy file"),
  ];
}

function render(path: string, schema: z.ZodType, title: string): GeneratedFile {
  // draft-07: the dialect every YAML language server and JSON Schema editor plugin supports.
  const json = z.toJSONSchema(schema, { io: "input", target: "draft-7" });
  const document = {
    $comment: "Generated from src/core/*-format.ts by `npm run generate`. Do not edit.",
    title,
    ...json,
  };
  return { path, content: `${JSON.stringify(document, null, 2)}\n` };
}

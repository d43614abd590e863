// A Stryker ignorer: skips the mutants that stryker.config.json lists as equivalent (they cannot
// change behaviour), each with its reason, so the score counts only mutants a test could catch.
import { commonTokens, declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";

class EquivalentMutants {
  static inject = [commonTokens.options];
  constructor(options) {
    this.entries = options.equivalentMutants ?? [];
  }
  shouldIgnore(path) {
    const loc = path.node.loc;
    if (!loc) return undefined;
    const file = (loc.filename ?? path.hub?.file?.opts?.filename ?? "").replaceAll("\\", "/");
    for (const entry of this.entries) {
      const [where, line, column] = entry.at.split(":");
      if (
        file.endsWith(where) &&
        loc.start.line === Number(line) &&
        loc.start.column + 1 === Number(column)
      ) {
        return `equivalent: ${entry.reason}`;
      }
    }
    return undefined;
  }
}

export const strykerPlugins = [
  declareClassPlugin(PluginKind.Ignore, "equivalent-mutants", EquivalentMutants),
];

export const strykerValidationSchema = {
  properties: {
    equivalentMutants: {
      description:
        "Mutants that cannot change behaviour: at (file:line:column of the mutated node, 1-based column as Stryker reports it) and the reason.",
      type: "array",
      items: {
        type: "object",
        properties: { at: { type: "string" }, reason: { type: "string" } },
        required: ["at", "reason"],
      },
    },
  },
};

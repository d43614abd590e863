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
      // Nested nodes can start at one position (`a < b && c` and `a < b`): `node` picks one.
      if (
        file.endsWith(where) &&
        loc.start.line === Number(line) &&
        loc.start.column + 1 === Number(column) &&
        (entry.node === undefined || entry.node === path.node.type)
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
        "Mutants that cannot change behaviour: at (file:line:column of the mutated node, 1-based column as Stryker reports it), the reason, and node (its Babel type, such as BinaryExpression) where nodes nest at one position. Every mutant of that node and of the nodes inside it is skipped.",
      type: "array",
      items: {
        type: "object",
        properties: {
          at: { type: "string" },
          reason: { type: "string" },
          node: { type: "string" },
        },
        required: ["at", "reason"],
      },
    },
  },
};

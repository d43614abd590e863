import { formatProblem, type Problem, problemLocation } from "../core/source/problem.ts";

/**
 * Whether to colour a stream, as most command-line tools decide: never with `NO_COLOR` set
 * (https://no-color.org), always with `FORCE_COLOR` set to anything but `0` or `false`,
 * otherwise only on a terminal that is not `TERM=dumb`.
 */
export function wantsColour(
  isTerminal: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return isTerminal && env.TERM !== "dumb";
}

const codes = { bold: [1, 22], red: [31, 39], yellow: [33, 39], dim: [2, 22] } as const;

/** A style to apply to text; the identity when colour is off. */
export type Paint = (style: keyof typeof codes, text: string) => string;

/** The painter for a stream whose colour is on (`true`) or off. */
export function painter(enabled: boolean): Paint {
  return (style, text) =>
    enabled ? `\u001b[${codes[style][0]}m${text}\u001b[${codes[style][1]}m` : text;
}

/** `formatProblem`, with the location in bold and the severity in red or yellow. */
export function paintProblem(problem: Problem, paint: Paint): string {
  const plain = formatProblem(problem);
  const where = problemLocation(problem);
  const rest = plain.slice(where.length + 2 + problem.severity.length);
  return `${paint("bold", where)}: ${paintSeverity(problem.severity, paint)}${rest}`;
}

/** "error" in red, "warning" in yellow. */
export function paintSeverity(severity: Problem["severity"], paint: Paint): string {
  return paint(severity === "error" ? "red" : "yellow", severity);
}

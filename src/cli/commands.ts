import type { Command } from "./command.ts";

/**
 * A command known by its name and imported only when it runs: `hallpass history` need not load
 * the sweep's AWS and GitHub clients or the demo's stand-ins (a quarter of a second and about
 * 20 MB at start).
 */
export interface RegisteredCommand {
  name: string;
  load: () => Promise<Command>;
}

/** Every `hallpass` command, in the order `hallpass --help` lists them. Add yours here. */
export const commands: readonly RegisteredCommand[] = [
  { name: "validate", load: async () => (await import("./validate-command.ts")).validateCommand },
  { name: "form", load: async () => (await import("./form-command.ts")).formCommand },
  { name: "new", load: async () => (await import("./new-command.ts")).newCommand },
  { name: "plan", load: async () => (await import("./plan-command.ts")).planCommand },
  { name: "sweep", load: async () => (await import("./sweep-command.ts")).sweepCommand },
  { name: "history", load: async () => (await import("./history-command.ts")).historyCommand },
  { name: "verify", load: async () => (await import("./verify-command.ts")).verifyCommand },
  { name: "report", load: async () => (await import("./report-command.ts")).reportCommand },
  { name: "console", load: async () => (await import("./console-command.ts")).consoleCommand },
  { name: "demo", load: async () => (await import("./demo-command.ts")).demoCommand },
  { name: "init", load: async () => (await import("./init-command.ts")).initCommand },
];

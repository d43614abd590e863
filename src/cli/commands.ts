import type { Command } from "./command.ts";
import { consoleCommand } from "./console-command.ts";
import { demoCommand } from "./demo-command.ts";
import { historyCommand } from "./history-command.ts";
import { initCommand } from "./init-command.ts";
import { newCommand } from "./new-command.ts";
import { planCommand } from "./plan-command.ts";
import { reportCommand } from "./report-command.ts";
import { sweepCommand } from "./sweep-command.ts";
import { validateCommand } from "./validate-command.ts";
import { verifyCommand } from "./verify-command.ts";

/** Every `hallpass` command, in the order `hallpass --help` lists them. Add yours here. */
export const commands: readonly Command[] = [
  validateCommand,
  newCommand,
  planCommand,
  sweepCommand,
  historyCommand,
  verifyCommand,
  reportCommand,
  consoleCommand,
  demoCommand,
  initCommand,
];

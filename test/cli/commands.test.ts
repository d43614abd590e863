import { describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands.ts";

describe("the command registry", () => {
  it("names each command as the command it loads names itself", async () => {
    for (const registered of commands) {
      const command = await registered.load();
      expect(command.name).toBe(registered.name);
    }
  });
});

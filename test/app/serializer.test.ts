import { describe, expect, it } from "vitest";
import { createSerializer } from "../../src/app/approval-handlers.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("createSerializer (one evaluation of a PR at a time)", () => {
  it("runs tasks of one key in arrival order, each after the previous has finished", async () => {
    const serialize = createSerializer();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      serialize("pr-7", task("a")),
      serialize("pr-7", task("b")),
      serialize("pr-7", task("c")),
    ]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("runs tasks of different keys concurrently", async () => {
    const serialize = createSerializer();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };
    await Promise.all([serialize("pr-7", task("a")), serialize("pr-8", task("b"))]);
    expect(log.slice(0, 2)).toEqual(["a start", "b start"]);
  });

  it("still runs the next task after one fails, and reports the failure to its caller", async () => {
    const serialize = createSerializer();
    const failing = serialize("pr-7", async () => {
      throw new Error("boom");
    });
    const next = serialize("pr-7", async () => "ok");
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });
});

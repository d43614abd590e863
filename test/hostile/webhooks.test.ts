import nock from "nock";
import { pino } from "pino";
import { afterEach } from "vitest";
import { createHarness } from "../app/harness.ts";
import { FakeAwsAccounts } from "../support/fake-grant-store.ts";
import { describeHostileCorpus } from "../support/hostile-corpus.ts";

/**
 * Hostile webhook deliveries through the real app (`probot.receive`, the test harness): GitHub
 * answers nothing (nock, no mocks), AWS is the in-memory stand-in. What the operator sees is
 * what the app logs at warning level and above; the app must reach neither GitHub nor AWS.
 */

afterEach(() => {
  nock.cleanAll();
});

describeHostileCorpus("webhooks", async (input, name) => {
  const logged: { level: number; msg: string }[] = [];
  const log = pino(
    { level: "warn" },
    { write: (line: string) => void logged.push(JSON.parse(line)) },
  );
  const aws = new FakeAwsAccounts();
  const h = await createHarness({ aws }, { log });
  const { name: event, payload } = JSON.parse(Buffer.from(input).toString("utf8"));
  let thrown = "";
  try {
    await h.probot.receive({ id: `hostile-${name}`, name: event, payload });
  } catch (error) {
    // Probot rethrows a handler's error after logging it; the delivery then fails.
    thrown = `delivery failed: ${(error as Error).message}\n`;
  }
  const lines = logged.map((l) => `${l.level >= 50 ? "error" : "warn"}: ${l.msg}\n`).join("");
  const requests = h.recorder.requests.map((r) => `${r.method} ${r.path}\n`).join("");
  const message = `${lines || "(nothing logged)\n"}${thrown}--- GitHub requests\n${requests}--- AWS calls\n${aws.calls.join("\n")}\n`;
  return { message, granted: aws.calls.length > 0 };
});

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYamlText } from "yaml";
import { type FakeSmeeChannel, startFakeSmeeChannel } from "../support/fake-smee-channel.ts";
import { submittedManifest } from "../support/setup-page-form.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const serverEntry = join(root, "src/app/server.ts");
const appYml = readFileSync(join(root, "app.yml"), "utf8");
const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples/api.github.com/index.json",
) as { name: string; examples: Record<string, unknown>[] }[];

/** A port nobody listens on now, on loopback (Probot reads PORT=0 as its default, 3000). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A folder laid out as the repository root is for `npm start` (app.yml, package.json), without
 * the developer's .env or keys, so the server starts in setup mode whatever this machine holds.
 */
function setupFolder(manifest: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hallpass-setup-"));
  writeFileSync(join(dir, "app.yml"), manifest);
  copyFileSync(join(root, "package.json"), join(dir, "package.json"));
  return dir;
}

/** The environment of `npm start` with no credentials; NO_SMEE_SETUP keeps it off the network. */
function setupEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOST: "127.0.0.1",
    NO_SMEE_SETUP: "true",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    ...extra,
  };
}

const started: { child: ChildProcess; dir: string }[] = [];
const channels: FakeSmeeChannel[] = [];

afterEach(async () => {
  for (const { child, dir } of started.splice(0)) {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const channel of channels.splice(0)) await channel.close();
});

/** Runs the real `npm start` entry in a fresh folder and resolves once it listens. */
async function startServer(
  env: NodeJS.ProcessEnv,
  ready = "Listening on",
  manifest = appYml,
): Promise<Started> {
  const dir = setupFolder(manifest);
  const port = await freePort();
  const child = spawn(process.execPath, [serverEntry], {
    cwd: dir,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server: Started = { base: `http://127.0.0.1:${port}`, output: "" };
  started.push({ child, dir });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${ready}":\n${server.output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      server.output += chunk.toString();
      if (server.output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${server.output}`));
    });
  });
  return server;
}

interface Started {
  base: string;
  /** Everything it printed so far (Probot's JSON log lines). */
  output: string;
}

describe("npm start without credentials (Probot's setup page)", () => {
  it("posts app.yml's manifest to GitHub as valid JSON with its name, events and permissions", async () => {
    const { base } = await startServer(setupEnv());
    const response = await fetch(`${base}/`, { redirect: "follow" });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${base}/probot`);

    const form = submittedManifest(await response.text());
    expect(form.method).toBe("post");
    expect(form.action).toBe("https://github.com/settings/apps/new");
    const manifest = JSON.parse(form.manifest);
    const source = parseYamlText(appYml);
    expect(manifest.name).toBe("hallpass");
    expect(manifest.description).toBe(source.description);
    expect(manifest.public).toBe(false);
    expect(manifest.default_events).toEqual(source.default_events);
    expect(manifest.default_events).toEqual(
      expect.arrayContaining(["pull_request", "pull_request_review", "merge_group"]),
    );
    expect(manifest.default_permissions).toEqual(source.default_permissions);
    expect(manifest.default_permissions).toMatchObject({ checks: "write", contents: "write" });
    expect(manifest.redirect_url).toBe(`${base}/probot/setup`);
  });

  it("registers under GH_ORG and sends deliveries to WEBHOOK_PROXY_URL when they are set", async () => {
    const channel = await startFakeSmeeChannel();
    channels.push(channel);
    const { base } = await startServer(
      setupEnv({ GH_ORG: "acme", WEBHOOK_PROXY_URL: channel.url }),
    );
    const form = submittedManifest(await (await fetch(`${base}/probot`)).text());
    expect(form.action).toBe("https://github.com/organizations/acme/settings/apps/new");
    expect(JSON.parse(form.manifest).hook_attributes.url).toBe(channel.url);
  });

  it("carries every character the manifest check accepts to GitHub unchanged", async () => {
    const text = 'Quotes " < > ’ \\ / é and {braces}: all kept';
    const manifest = appYml.replace(
      /^description: >-\n(?: {2}.*\n)+/m,
      `description: ${JSON.stringify(text)}\n`,
    );
    expect(manifest).toContain(JSON.stringify(text));
    const { base } = await startServer(setupEnv(), "Listening on", manifest);
    const form = submittedManifest(await (await fetch(`${base}/probot`)).text());
    expect(JSON.parse(form.manifest).description).toBe(text);
  });

  it("refuses to serve a manifest the page would break, naming the line and the fix", () => {
    const dir = setupFolder(appYml.replace("Enforces the", "Enforces the team's"));
    try {
      const result = spawnSync(process.execPath, [serverEntry], {
        cwd: dir,
        env: setupEnv({ PORT: "1" }),
        encoding: "utf8",
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^app\.yml:\d+:\d+: error: ".*team's.*" contains '/m);
      expect(result.stderr).toContain("Write ’ (U+2019) or rephrase.");
      expect(result.stdout).not.toContain("Listening");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm start with WEBHOOK_PROXY_URL (local development)", () => {
  const secret = "hallpass-test-secret";
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const ping = examples.find((e) => e.name === "ping")?.examples[0];

  /** A delivery as GitHub sends it to the channel, signed with `key`. */
  function delivery(id: string, key: string) {
    const signature = createHmac("sha256", key).update(JSON.stringify(ping)).digest("hex");
    return {
      "x-github-event": "ping",
      "x-github-delivery": id,
      "x-hub-signature-256": `sha256=${signature}`,
    };
  }

  it("forwards the channel's deliveries to the app, which verifies their signature", async () => {
    const channel = await startFakeSmeeChannel();
    channels.push(channel);
    const server = await startServer(
      {
        PATH: process.env.PATH,
        HOST: "127.0.0.1",
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
        APP_ID: "12345",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: secret,
        WEBHOOK_PROXY_URL: channel.url,
      },
      `Forwarding ${channel.url}`,
    );
    await channel.connected;

    channel.deliver(delivery("good-delivery", secret), ping);
    channel.deliver(delivery("forged-delivery", "another-secret"), ping);
    await expect
      .poll(() => server.output, { timeout: 10_000 })
      .toMatch(/POST \/api\/github\/webhooks 400/);
    await expect
      .poll(() => server.output, { timeout: 10_000 })
      .toMatch(/POST \/api\/github\/webhooks 200/);
  });
});

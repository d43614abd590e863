import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for a smee.io channel on loopback: an event stream that smee-client (which Probot
 * runs when WEBHOOK_PROXY_URL is set) connects to, and `deliver` sends a webhook down it as
 * smee.io does (headers and `body` in one JSON message).
 */
export interface FakeSmeeChannel {
  /** The channel URL, for WEBHOOK_PROXY_URL. */
  url: string;
  /** Resolves once a client listens on the channel. */
  connected: Promise<void>;
  /** Sends one delivery to every listening client. */
  deliver(headers: Record<string, string>, body: unknown): void;
  close(): Promise<void>;
}

export async function startFakeSmeeChannel(): Promise<FakeSmeeChannel> {
  const clients = new Set<ServerResponse>();
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    onConnect = resolve;
  });
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/hallpass-test") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("event: ready\ndata: {}\n\n");
    clients.add(res);
    req.on("close", () => clients.delete(res));
    onConnect();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hallpass-test`,
    connected,
    deliver(headers, body) {
      const message = JSON.stringify({ ...headers, body, timestamp: Date.now() });
      for (const client of clients) client.write(`data: ${message}\n\n`);
    },
    async close() {
      for (const client of clients) client.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

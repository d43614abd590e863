import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsStandIn } from "./aws-stand-in.ts";
import type { GitHubStandIn } from "./github-stand-in.ts";

/**
 * Serves the demo's stand-ins over HTTP on the loopback interface only (127.0.0.1, a port the
 * system picks), so the real clients (Octokit, the AWS SDK) reach them through their ordinary
 * endpoint settings. Nothing here listens beyond this machine.
 */
export interface ServedStandIns {
  /** The GitHub REST root, as GITHUB_API_URL names it on GitHub Enterprise Server. */
  githubApiUrl: string;
  /** One endpoint for IAM, STS and CloudTrail (AWS_ENDPOINT_URL_IAM, _STS, _CLOUDTRAIL). */
  awsEndpoint: string;
  close: () => Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

function githubServer(github: GitHubStandIn): Server {
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const text = await readBody(request);
    const authorization = request.headers.authorization ?? "";
    let reply: [number, unknown, Record<string, string>?];
    try {
      const body = text === "" ? undefined : JSON.parse(text);
      if (url.pathname === "/api/graphql") reply = github.graphql(body, authorization);
      else if (!url.pathname.startsWith("/api/v3/")) reply = [404, { message: "Not Found" }];
      else {
        const path = decodeURIComponent(url.pathname.slice("/api/v3".length));
        reply = github.handle(request.method ?? "GET", path, url.searchParams, body, authorization);
      }
    } catch (error) {
      reply = [500, { message: `demo stand-in failed: ${(error as Error).message}` }];
    }
    const [status, payload, headers = {}] = reply;
    const raw = typeof payload === "string";
    response.writeHead(status, {
      "content-type": raw ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
      ...headers,
    });
    response.end(raw ? payload : JSON.stringify(payload));
  });
}

function awsServer(aws: AwsStandIn): Server {
  return createServer(async (request, response) => {
    const text = await readBody(request);
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]),
    );
    let status: number;
    let body: string;
    let type: string;
    try {
      [status, body, type] = aws.handle(headers, text);
    } catch (error) {
      [status, body, type] = [
        500,
        `demo stand-in failed: ${(error as Error).message}`,
        "text/plain",
      ];
    }
    response.writeHead(status, { "content-type": type });
    response.end(body);
  });
}

/** Starts both servers; `close` stops them. */
export async function serveStandIns(
  github: GitHubStandIn,
  aws: AwsStandIn,
): Promise<ServedStandIns> {
  const servers = [githubServer(github), awsServer(aws)];
  const [githubOrigin, awsEndpoint] = await Promise.all(servers.map(listen));
  return {
    githubApiUrl: `${githubOrigin}/api/v3`,
    awsEndpoint: awsEndpoint!,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
}

import { spawnSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  directOutput,
  dropClosedReaderErrors,
  type OutputStream,
} from "../../src/cli/direct-output.ts";

const MODULE = JSON.stringify(new URL("../../src/cli/direct-output.ts", import.meta.url).href);

/** A stream that records what it is given, and whether it was asked for. */
function recordingStream(): {
  stream: () => OutputStream;
  asked: () => number;
  text: () => string;
} {
  const chunks: Uint8Array[] = [];
  let asked = 0;
  return {
    stream: () => {
      asked++;
      return { write: (chunk: Uint8Array) => chunks.push(Uint8Array.from(chunk)) };
    },
    asked: () => asked,
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: write`), { code });
}

describe("directOutput", () => {
  it("writes every byte to the descriptor before returning, never making the stream", () => {
    const dir = mkdtempSync(join(tmpdir(), "hallpass-direct-output-"));
    try {
      const path = join(dir, "out");
      const fd = openSync(path, "w");
      const recorded = recordingStream();
      const write = directOutput(fd, recorded.stream);
      write("héllo ");
      expect(readFileSync(path, "utf8")).toBe("héllo ");
      write("wörld\n");
      closeSync(fd);
      expect(readFileSync(path, "utf8")).toBe("héllo wörld\n");
      expect(recorded.asked()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands the rest to the stream from the first write that would block, and every later piece, in order", () => {
    const direct: string[] = [];
    let calls = 0;
    const write = (_fd: number, bytes: Uint8Array, offset: number) => {
      calls++;
      if (calls === 1) {
        // A partial write, then a full pipe.
        direct.push(Buffer.from(bytes.subarray(offset, offset + 3)).toString("utf8"));
        return 3;
      }
      throw errno("EAGAIN");
    };
    const recorded = recordingStream();
    const out = directOutput(1, recorded.stream, write);
    out("abcdef");
    out("ghi");
    expect(direct).toEqual(["abc"]);
    expect(recorded.text()).toBe("defghi");
    expect(calls).toBe(2);
  });

  it("writes again after an interrupted write, and throws any other failure (the reader gone)", () => {
    const direct: string[] = [];
    let interrupted = false;
    const recorded = recordingStream();
    const out = directOutput(1, recorded.stream, (_fd, bytes, offset) => {
      if (!interrupted) {
        interrupted = true;
        throw errno("EINTR");
      }
      direct.push(Buffer.from(bytes.subarray(offset)).toString("utf8"));
      return bytes.length - offset;
    });
    out("one");
    expect(direct).toEqual(["one"]);
    const closed = directOutput(1, recorded.stream, () => {
      throw errno("EPIPE");
    });
    expect(() => closed("two")).toThrow("EPIPE");
    expect(recorded.asked()).toBe(0);
  });

  it("waits for a slow reader of a pipe instead of queueing the output in memory", () => {
    // A child writes 8 MB in 64 KB pieces to a pipe whose reader takes nothing for a second:
    // writes that wait for the reader take that second; queued in memory, they would return at
    // once (as process.stdout.write does on a pipe).
    const script = `
      const { directOutput } = await import(${JSON.stringify(new URL("../../src/cli/direct-output.ts", import.meta.url).href)});
      const out = directOutput(1, () => process.stdout);
      const piece = "x".repeat(1 << 16);
      const start = performance.now();
      for (let i = 0; i < 128; i++) out(piece);
      process.stderr.write(String(performance.now() - start));
    `;
    const result = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" --input-type=module -e '${script}' | (sleep 1; wc -c)`],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(String(128 << 16));
    expect(Number(result.stderr)).toBeGreaterThan(500);
  });

  it("keeps waiting for a slow reader under 2>&1 after a line of error output, which shares the pipe", () => {
    // Node's process.stderr, once made, would make the shared pipe non-blocking, and every
    // later piece of standard output would go to Node's queue in memory (returning at once).
    const script = `
      const { processOutputs } = await import(${MODULE});
      const { stdout, stderr } = processOutputs();
      stderr("warning: the policies do not load\\n");
      const piece = "x".repeat(1 << 16);
      const start = performance.now();
      for (let i = 0; i < 128; i++) stdout(piece);
      (await import("node:fs")).writeSync(3, String(performance.now() - start));
    `;
    const result = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" --input-type=module -e '${script}' 2>&1 | (sleep 1; wc -c)`],
      { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe", "pipe"] },
    );
    expect(result.status).toBe(0);
    const warning = "warning: the policies do not load\n";
    expect(result.stdout.trim()).toBe(String((128 << 16) + warning.length));
    expect(Number(result.output[3])).toBeGreaterThan(500);
  });

  it("drops error output whose reader is gone, and still throws any other failure", () => {
    const script = `
      const { processOutputs } = await import(${MODULE});
      const { stdout, stderr } = processOutputs();
      for (let i = 0; i < 64; i++) stderr("y".repeat(1 << 16));
      stdout("survived");
    `;
    const node = `"${process.execPath}" --input-type=module -e '${script}'`;
    const gone = spawnSync("sh", ["-c", `${node} 2>&1 >&3 | head -c 10 >/dev/null`], {
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    expect(gone.status).toBe(0);
    expect(String(gone.output[3])).toBe("survived");
    const full = spawnSync("sh", ["-c", `${node} 2>/dev/full`], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(full.status).not.toBe(0);
    expect(full.stdout).toBe("");
  });

  it("drops a reader gone that a stream reports as an event, and still fails on any other error", () => {
    const stream = new EventEmitter();
    dropClosedReaderErrors(stream);
    expect(() => stream.emit("error", errno("EPIPE"))).not.toThrow();
    expect(() => stream.emit("error", errno("EIO"))).toThrow("EIO");
  });
});

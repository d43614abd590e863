import { writeSync } from "node:fs";

/** What `directOutput` falls back on: a stream of the same descriptor (process.stdout). */
export interface OutputStream {
  write(chunk: Uint8Array): unknown;
}

/**
 * A writer of the descriptor `fd` that has written each piece when it returns, while the
 * descriptor blocks (as a terminal, a file, or a pipe from a shell or a parent process is
 * given), and hands the rest to `stream()` from the first write that would block (a
 * descriptor its giver made non-blocking). `stream` is asked for only then.
 *
 * Why: Node's own stdout makes a pipe non-blocking and queues in memory what the reader has
 * not taken yet. `hallpass history` renders 10,000 requests (10 MB of text) faster than a
 * pager or a parent process reads it, so the queue grew to about 45 MB more at the run's
 * peak, when every record is still held (and 15,000 more page faults). A write that waits
 * for the reader keeps one piece in memory at a time.
 *
 * A failed write (the reader gone: EPIPE) throws, so the command reports it and stops.
 * `write` is `fs.writeSync` (tests give another).
 */
export function directOutput(
  fd: number,
  stream: () => OutputStream,
  write: (fd: number, bytes: Uint8Array, offset: number) => number = writeSync,
): (text: string) => void {
  let direct = true;
  return (text) => {
    if (!direct) {
      stream().write(Buffer.from(text, "utf8"));
      return;
    }
    const bytes = Buffer.from(text, "utf8");
    let at = 0;
    while (at < bytes.length) {
      try {
        at += write(fd, bytes, at);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EINTR") continue;
        if (code !== "EAGAIN") throw error;
        // Once through the stream, always: a direct write could overtake what it still queues.
        direct = false;
        stream().write(bytes.subarray(at));
        return;
      }
    }
  };
}

/**
 * The CLI's standard output and error, both written by `directOutput`. Error output too:
 * Node's `process.stderr`, once made, makes descriptor 2 non-blocking, and under `2>&1` it
 * shares one open pipe with descriptor 1, so one warning would send every later piece of
 * standard output to Node's queue in memory. A reader gone from error output (EPIPE, as
 * when `2>&1 | head` has read its lines) loses only what it would not have read: it must not
 * turn a command's own report of that failure into a crash.
 */
export function processOutputs(): {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
} {
  let listening = false;
  const stderr = directOutput(2, () => {
    // After the fallback a reader gone comes as the stream's 'error' event, not thrown.
    if (!listening) dropClosedReaderErrors(process.stderr);
    listening = true;
    return process.stderr;
  });
  return {
    stdout: directOutput(1, () => process.stdout),
    stderr: (text) => {
      try {
        stderr(text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
      }
    },
  };
}

/**
 * Makes `stream` drop the failure of a reader gone (EPIPE), which it reports as an 'error'
 * event, and still fail on any other: as `processOutputs` does for error output written
 * directly.
 */
export function dropClosedReaderErrors(stream: {
  on(event: "error", listener: (error: Error) => void): unknown;
}): void {
  stream.on("error", (error) => {
    if ((error as NodeJS.ErrnoException).code !== "EPIPE") throw error;
  });
}

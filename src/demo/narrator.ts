/**
 * What `hallpass demo` prints: a few lines per step of the story (on stdout), and, only when
 * stderr is a terminal, a spinner naming the step that is running (erased before each line of
 * story, so piped output stays clean).
 */
export interface NarratorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: the spinner is shown only then. */
  interactive: boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Narrator {
  readonly #io: NarratorIo;
  readonly #total: number;
  #step = 0;
  #label = "";
  #frame = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(io: NarratorIo, totalSteps: number) {
    this.#io = io;
    this.#total = totalSteps;
  }

  /** Starts the next step: its heading, and the spinner while it runs. */
  step(title: string, time?: Date): void {
    this.#step++;
    this.#label = title;
    const at = time ? `  (${time.toISOString().slice(11, 16)} UTC, simulated)` : "";
    this.say(`\n${this.#step}. ${title}${at}`);
    this.#spin();
  }

  /** Lines of story, indented under the step. */
  say(text: string): void {
    this.#clear();
    this.#io.stdout(`${text}\n`);
    this.#draw();
  }

  /** Text people would read on GitHub (a check summary, a comment), quoted; long text is cut. */
  quote(text: string, maxLines = 14): void {
    const lines = text
      .split("\n")
      .filter((line) => !/^<!--.*-->$/.test(line.trim()))
      .filter((line, i, all) => line.trim() !== "" || (all[i - 1] ?? "").trim() !== "");
    const shown = lines.slice(0, maxLines).map((line) => `     │ ${line}`);
    if (lines.length > maxLines) shown.push(`     │ … (${lines.length - maxLines} more lines)`);
    this.say(shown.join("\n"));
  }

  /** Stops the spinner for good. */
  stop(): void {
    this.#clear();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #spin(): void {
    if (!this.#io.interactive || this.#timer) return;
    this.#timer = setInterval(() => {
      this.#frame = (this.#frame + 1) % FRAMES.length;
      this.#draw();
    }, 100);
    this.#timer.unref();
  }

  #draw(): void {
    if (!this.#timer) return;
    this.#io.stderr(`\r\x1b[K${FRAMES[this.#frame]} [${this.#step}/${this.#total}] ${this.#label}`);
  }

  #clear(): void {
    if (this.#timer) this.#io.stderr("\r\x1b[K");
  }
}

/**
 * The progress bar on stderr: bytes, total, rate and ETA on one line
 * redrawn in place, or a spinner with bytes and rate when the total is
 * unknown. It draws at most every {@linkcode REDRAW_MS} ms, always draws the
 * final state, and ends its line when the transfer is done.
 *
 * @module
 */

/** Where the bar is drawn. */
export interface BarOutput {
  writeSync(bytes: Uint8Array): number;
}

/** Minimum time between two redraws. */
export const REDRAW_MS = 100;
const SPINNER = ["|", "/", "-", "\\"];
const RATE_WINDOW_MS = 3_000;
const encoder = new TextEncoder();

/** One bar for one direction of one transfer. */
export class ProgressBar {
  readonly #out: BarOutput;
  readonly #label: string;
  readonly #columns: () => number;
  readonly #now: () => number;
  readonly #start: number;
  #done = 0;
  #total = 0;
  #lastDraw = -Infinity;
  #drawn = false;
  #closed = false;
  #spin = 0;
  #spinner: ReturnType<typeof setInterval> | undefined;
  readonly #samples: Array<[time: number, bytes: number]> = [];

  /**
   * @param out where to draw (stderr)
   * @param label `down` or `up`
   * @param columns the terminal width
   * @param now the clock in ms
   */
  constructor(
    out: BarOutput,
    label: string,
    columns: () => number = terminalColumns,
    now: () => number = () => performance.now(),
  ) {
    this.#out = out;
    this.#label = label;
    this.#columns = columns;
    this.#now = now;
    this.#start = now();
  }

  /** Bytes so far and the total (0: unknown). Redraws when it is time. */
  update(done: number, total: number): void {
    if (this.#closed) return;
    this.#done = done;
    this.#total = total;
    const now = this.#now();
    this.#samples.push([now, done]);
    while (this.#samples.length > 2 && now - this.#samples[0]![0] > RATE_WINDOW_MS) {
      this.#samples.shift();
    }
    if (total === 0 && this.#spinner === undefined) {
      this.#spinner = setInterval(() => this.#draw(false), REDRAW_MS);
    }
    if (now - this.#lastDraw >= REDRAW_MS) this.#draw(false);
  }

  /** Draws the final state (100% when the total is known) and ends the line. */
  finish(): void {
    if (this.#closed) return;
    if (this.#total > 0) this.#done = Math.max(this.#done, this.#total);
    this.#draw(true);
    this.#close("\n");
  }

  /** Ends the line where it is (the transfer failed); nothing if nothing was drawn. */
  abort(): void {
    if (this.#closed) return;
    this.#close(this.#drawn ? "\n" : "");
  }

  /** Whether anything was drawn. */
  get drawn(): boolean {
    return this.#drawn;
  }

  #close(tail: string): void {
    this.#closed = true;
    if (this.#spinner !== undefined) clearInterval(this.#spinner);
    this.#spinner = undefined;
    if (tail) this.#write(tail);
  }

  #draw(final: boolean): void {
    const now = this.#now();
    this.#lastDraw = now;
    this.#drawn = true;
    this.#write(`\r${this.render(final, now)}\x1b[K`);
  }

  /** The line for the current state. */
  render(final: boolean, now: number = this.#now()): string {
    const done = this.#done;
    const total = this.#total;
    const elapsed = now - this.#start;
    const rate = final ? (elapsed > 0 ? (done * 1000) / elapsed : 0) : this.#rate();
    const speed = `${formatBytes(rate)}/s`.padStart(12);
    const width = Math.max(20, this.#columns() - 1);
    if (total > 0) {
      const fraction = Math.min(1, done / total);
      const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
      const sizes = `${formatBytes(done).padStart(9)} / ${formatBytes(total).padEnd(9)}`;
      const eta = final
        ? `in ${formatElapsed(elapsed)}`
        : `ETA ${rate > 0 ? formatDuration(((total - done) / rate) * 1000) : "--:--"}`;
      const text = ` ${percent} ${sizes} ${speed}  ${eta.padEnd(11)}`;
      const barWidth = Math.min(40, width - this.#label.length - text.length - 3);
      if (barWidth < 5) return `${this.#label}${text}`.slice(0, width);
      const filled = Math.round(fraction * barWidth);
      const bar = "=".repeat(Math.max(0, filled - 1)) +
        (filled > 0 ? (fraction < 1 ? ">" : "=") : "");
      return `${this.#label} [${bar.padEnd(barWidth)}]${text}`.trimEnd();
    }
    const spinner = final ? "done" : SPINNER[this.#spin++ % SPINNER.length]!;
    const tail = final ? `in ${formatElapsed(elapsed)}` : "";
    return `${this.#label} ${spinner} ${formatBytes(done).padStart(9)} ${speed}  ${tail}`.trimEnd()
      .slice(0, width);
  }

  #rate(): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last[0] - first[0] <= 0) return 0;
    return ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
  }

  #write(text: string): void {
    const bytes = encoder.encode(text);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += this.#out.writeSync(bytes.subarray(offset));
    } catch {
      // A progress bar that cannot be drawn is not worth failing the transfer for.
      this.#closed = true;
    }
  }
}

/** The width of the terminal, 80 when unknown. */
export function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/** `1.5 MiB`, `512 B`, `0.98 MiB`: at most three digits before the point. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(value < 1 ? 2 : 1)} ${units[unit]}`;
}

/** `0:07`, `12:03`, `1:02:03`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** `0.4s`, `9.9s`, then as {@linkcode formatDuration}. */
export function formatElapsed(ms: number): string {
  return ms < 10_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatDuration(ms);
}

/**
 * Whether to draw bars: stderr is a terminal, -s was not given, and the body
 * does not go to the same terminal through stdout.
 */
export function progressWanted(silent: boolean, bodyToStdout: boolean): boolean {
  if (silent) return false;
  try {
    if (!Deno.stderr.isTerminal()) return false;
    return !(bodyToStdout && Deno.stdout.isTerminal());
  } catch {
    return false;
  }
}

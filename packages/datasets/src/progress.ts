/** Progress of a long job, reported to a callback; `stderrProgress` draws it. */
export interface PrepareProgress {
  done: number;
  total: number;
  failed: number;
  /** Seconds of source audio processed so far. */
  audioSeconds: number;
  elapsedSeconds: number;
}

/**
 * A status line on stderr, throttled: on a TTY redrawn in place at most every `ttyEveryMs`, otherwise printed
 * as a plain line at most every `plainEverySeconds` (CI logs stay short). `render(tty)` makes the text only when
 * it is printed; call with `final` true once at the end (always printed). Every package's progress goes here.
 */
export function stderrStatus(
  ttyEveryMs: number,
  plainEverySeconds: number,
): (render: (tty: boolean) => string, final?: boolean) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return (render, final = false) => {
    const now = Date.now();
    if (!final && now - last < (tty ? ttyEveryMs : plainEverySeconds * 1000)) return;
    last = now;
    const text = render(tty);
    process.stderr.write(
      tty ? `\r${text.slice(0, (process.stderr.columns ?? 160) - 1)}\x1b[K${final ? "\n" : ""}` : `${text}\n`,
    );
  };
}

/** Progress of prepare on stderr ({@link stderrStatus}): a bar at most 10 times a second on a TTY, else a line every 10 s. */
export function stderrProgress(label: string): (progress: PrepareProgress, final?: boolean) => void {
  const status = stderrStatus(100, 10);
  return (progress, final = false) =>
    status((tty) => {
      const { done, total, failed, audioSeconds, elapsedSeconds } = progress;
      const rate = elapsedSeconds > 0 ? audioSeconds / elapsedSeconds : 0;
      const eta = done > 0 ? ((total - done) * elapsedSeconds) / done : 0;
      const figures = `${done}/${total} files${failed ? `, ${failed} failed` : ""}, ${rate.toFixed(0)} s of audio/s${done < total ? `, ETA ${eta.toFixed(0)} s` : ""}`;
      if (!tty) return `${label}: ${figures}`;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${figures}`;
    }, final);
}

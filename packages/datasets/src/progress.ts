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
 * A progress reporter on stderr: a redrawn bar at most 10 times a second on a TTY, otherwise a plain line at most
 * every 10 seconds (CI logs stay short). Call with `final` true once at the end.
 */
export function stderrProgress(label: string): (progress: PrepareProgress, final?: boolean) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return (progress, final = false) => {
    const now = Date.now();
    if (!final && now - last < (tty ? 100 : 10_000)) return;
    last = now;
    const { done, total, failed, audioSeconds, elapsedSeconds } = progress;
    const rate = elapsedSeconds > 0 ? audioSeconds / elapsedSeconds : 0;
    const eta = done > 0 ? ((total - done) * elapsedSeconds) / done : 0;
    const figures = `${done}/${total} files${failed ? `, ${failed} failed` : ""}, ${rate.toFixed(0)} s of audio/s${done < total ? `, ETA ${eta.toFixed(0)} s` : ""}`;
    if (tty) {
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : width;
      process.stderr.write(
        `\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${figures}\x1b[K${final ? "\n" : ""}`,
      );
    } else {
      process.stderr.write(`${label}: ${figures}\n`);
    }
  };
}

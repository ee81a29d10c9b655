import { stderrStatus } from "@vox/datasets";

/** What the trainer reports after each step. */
export interface TrainProgress {
  step: number;
  totalSteps: number;
  stepsPerSecond: number;
  etaSeconds: number;
  losses: Record<string, number>;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${s}s`;
}

/** One line: step, speed, ETA and each loss. */
export function formatProgress(progress: TrainProgress): string {
  const losses = Object.entries(progress.losses)
    .map(
      ([name, value]) =>
        `${name} ${Math.abs(value) >= 100 || (value !== 0 && Math.abs(value) < 0.001) ? value.toExponential(2) : value.toFixed(3)}`,
    )
    .join("  ");
  return `step ${progress.step}/${progress.totalSteps}  ${progress.stepsPerSecond.toFixed(2)} steps/s  ETA ${duration(progress.etaSeconds)}  ${losses}`;
}

/**
 * Progress on stderr (@vox/datasets' stderrStatus): a line redrawn at most 5 times a second on a TTY, otherwise a
 * plain line at most every `plainEverySeconds` (CI logs stay readable). Call with `final` true at the end.
 */
export function stderrTrainProgress(plainEverySeconds = 10): (progress: TrainProgress, final?: boolean) => void {
  const status = stderrStatus(200, plainEverySeconds);
  return (progress, final = false) => status(() => formatProgress(progress), final);
}

/** Signals this soon after the first are copies of it, not a second request. */
const SAME_INTERRUPT_MS = 1000;

/**
 * SIGINT/SIGTERM as an AbortSignal for `StarGanTrainer.train`: the first signal lets the current step finish, then
 * the trainer writes a checkpoint and returns (the process exits 0); a second one exits at once with 130. Repeats
 * within a second of the first are the same interrupt: under `pnpm vox`, Ctrl-C reaches the trainer from the
 * terminal and again from each pnpm passing it on.
 */
export function abortOnSignals(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let first = 0;
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted && performance.now() - first < SAME_INTERRUPT_MS) return;
    if (controller.signal.aborted) {
      log(`${name} again: exiting without a checkpoint`);
      process.exit(130);
    }
    log(`${name}: finishing this step, then writing a checkpoint (send it again to quit at once)`);
    first = performance.now();
    controller.abort();
  };
  for (const name of signals) process.on(name, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.off(name, handler);
    },
  };
}

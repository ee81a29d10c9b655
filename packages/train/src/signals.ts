/**
 * SIGINT/SIGTERM as an AbortSignal for `StarGanTrainer.train`: the first signal lets the current step finish, then
 * the trainer writes a checkpoint and returns (the process exits 0); a second one exits at once with 130.
 */
export function abortOnSignals(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`${name} again: exiting without a checkpoint`);
      process.exit(130);
    }
    log(`${name}: finishing this step, then writing a checkpoint (send it again to quit at once)`);
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

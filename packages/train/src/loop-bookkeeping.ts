/**
 * The training loop's bookkeeping, each in its own small piece, so StarGanTrainer.train() reads batch -> D step ->
 * G step: the training clock, the steps/s window, the metrics waiting to be written, and the tensor-leak check.
 */
import { tf } from "@vox/models";
import { TrainError } from "./errors.js";
import { appendMetrics, type MetricsLine } from "./run-directory.js";

/** Adds wall time to the run's training seconds at each tick (time between ticks, nothing outside them). */
export class TrainingClock {
  private last = performance.now();
  constructor(private readonly add: (seconds: number) => void) {}

  tick(): void {
    const now = performance.now();
    this.add((now - this.last) / 1000);
    this.last = now;
  }
}

/** Steps per second over windows of at least 2 s (the last step of a call closes its window). */
export class Throughput {
  stepsPerSecond = 0;
  private windowStart = performance.now();
  private windowSteps = 0;

  count(last: boolean): void {
    this.windowSteps++;
    const now = performance.now();
    if (now - this.windowStart > 2000 || last) {
      this.stepsPerSecond = (this.windowSteps * 1000) / (now - this.windowStart);
      this.windowStart = now;
      this.windowSteps = 0;
    }
  }
}

/** metrics.jsonl lines held until the next checkpoint or sample set (one append per flush). */
export class MetricsBuffer {
  private pending: MetricsLine[] = [];
  constructor(private readonly runDir: string) {}

  push(line: MetricsLine): void {
    this.pending.push(line);
  }

  async flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    await appendMetrics(this.runDir, lines);
  }
}

/** Every `every` steps, the live tensor count must equal the count after the first step of this call. */
export class LeakCheck {
  private baseline: number | null = null;
  constructor(private readonly every: number) {}

  after(step: number): void {
    if (this.baseline === null) {
      this.baseline = tf.memory().numTensors;
      return;
    }
    const live = tf.memory().numTensors;
    if (step % this.every === 0 && live !== this.baseline) {
      throw new TrainError(`step ${step}`, "no tensors leaked since the first step", String(live - this.baseline));
    }
  }
}

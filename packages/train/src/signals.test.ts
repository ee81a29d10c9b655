import { afterEach, describe, expect, it, vi } from "vitest";
import { abortOnSignals } from "./signals.js";

describe("abortOnSignals", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("one Ctrl-C arriving three times at once (terminal + each pnpm) aborts once; a later one quits at once", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const lines: string[] = [];
    const { signal, dispose } = abortOnSignals((line) => lines.push(line), ["SIGUSR2"]);
    try {
      process.emit("SIGUSR2", "SIGUSR2");
      process.emit("SIGUSR2", "SIGUSR2");
      vi.advanceTimersByTime(50);
      process.emit("SIGUSR2", "SIGUSR2");
      expect(signal.aborted).toBe(true);
      expect(exit).not.toHaveBeenCalled();
      expect(lines).toEqual([
        "SIGUSR2: finishing this step, then writing a checkpoint (send it again to quit at once)",
      ]);
      vi.advanceTimersByTime(1500);
      process.emit("SIGUSR2", "SIGUSR2");
      expect(exit).toHaveBeenCalledWith(130);
      expect(lines[1]).toBe("SIGUSR2 again: exiting without a checkpoint");
    } finally {
      dispose();
    }
  });
});

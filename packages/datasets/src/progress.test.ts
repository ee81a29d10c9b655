import { afterEach, describe, expect, it, vi } from "vitest";
import { stderrProgress } from "./progress.js";

describe("stderrProgress", () => {
  const tty = process.stderr.isTTY;
  afterEach(() => {
    vi.restoreAllMocks();
    process.stderr.isTTY = tty;
  });

  function capture(isTTY: boolean): string[] {
    process.stderr.isTTY = isTTY;
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    return lines;
  }

  it("on a TTY redraws one bar (throttled) and ends it with a newline", () => {
    const lines = capture(true);
    const report = stderrProgress("prepare");
    report({ done: 1, total: 4, failed: 0, audioSeconds: 10, elapsedSeconds: 1 });
    report({ done: 2, total: 4, failed: 0, audioSeconds: 20, elapsedSeconds: 1.01 }); // within 100 ms: dropped
    report({ done: 4, total: 4, failed: 1, audioSeconds: 40, elapsedSeconds: 2 }, true);
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^\rprepare \[######------------------\] 1\/4 files, 10 s of audio\/s, ETA 3 s/);
    expect(lines[1]).toContain("[########################] 4/4 files, 1 failed, 20 s of audio/s");
    expect(lines[1]?.endsWith("\u001b[K\n")).toBe(true);
  });

  it("elsewhere writes plain lines, at most one per 10 s plus the final one", () => {
    const lines = capture(false);
    const report = stderrProgress("prepare");
    for (let done = 1; done <= 50; done++)
      report({ done, total: 50, failed: 0, audioSeconds: done, elapsedSeconds: done / 100 });
    report({ done: 50, total: 50, failed: 0, audioSeconds: 50, elapsedSeconds: 0.5 }, true);
    expect(lines).toEqual([
      "prepare: 1/50 files, 100 s of audio/s, ETA 0 s\n",
      "prepare: 50/50 files, 100 s of audio/s\n",
    ]);
  });
});

/**
 * Runs `work` on each item in order, at most `lanes` at a time; stops taking items once `stop()` is true (a
 * started item finishes). Resolves whether every item was taken. What prepare's workers and eval's ASR share.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<boolean> {
  let next = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      if (stop()) {
        stopped = true;
        return;
      }
      await work(items[next++] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  return !stopped;
}

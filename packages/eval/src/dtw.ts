/** Dynamic time warping between two sequences of vectors (frame-major, `dim` values per frame). */
export interface DtwResult {
  /** Sum of the distances along the best path. */
  cost: number;
  /** Aligned frame pairs [i, j] from [0, 0] to [n - 1, m - 1]. */
  path: [number, number][];
}

/**
 * The classic DTW: steps (1, 0), (0, 1), (1, 1), each adding the distance of the cell it enters; the path runs
 * from the first frames to the last. O(n m) time and memory.
 */
export function dtw(
  a: Float32Array,
  b: Float32Array,
  dim: number,
  distance: (a: Float32Array, i: number, b: Float32Array, j: number) => number = euclidean(dim),
): DtwResult {
  const n = a.length / dim;
  const m = b.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) {
    throw new RangeError(
      `dtw: expected non-empty sequences of ${dim}-value frames, found ${a.length} and ${b.length} values`,
    );
  }
  const total = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const d = distance(a, i, b, j);
      let best = 0;
      if (i > 0 || j > 0) {
        best = Number.POSITIVE_INFINITY;
        if (i > 0) best = Math.min(best, total[(i - 1) * m + j] ?? Number.POSITIVE_INFINITY);
        if (j > 0) best = Math.min(best, total[i * m + j - 1] ?? Number.POSITIVE_INFINITY);
        if (i > 0 && j > 0) best = Math.min(best, total[(i - 1) * m + j - 1] ?? Number.POSITIVE_INFINITY);
      }
      total[i * m + j] = best + d;
    }
  }
  const path: [number, number][] = [[n - 1, m - 1]];
  let i = n - 1;
  let j = m - 1;
  while (i > 0 || j > 0) {
    const diagonal = i > 0 && j > 0 ? (total[(i - 1) * m + j - 1] ?? Infinity) : Infinity;
    const up = i > 0 ? (total[(i - 1) * m + j] ?? Infinity) : Infinity;
    const left = j > 0 ? (total[i * m + j - 1] ?? Infinity) : Infinity;
    if (diagonal <= up && diagonal <= left) {
      i--;
      j--;
    } else if (up <= left) i--;
    else j--;
    path.push([i, j]);
  }
  path.reverse();
  return { cost: total[n * m - 1] ?? 0, path };
}

/** Euclidean distance between frame i of a and frame j of b, over coefficients [from, dim). */
export function euclidean(dim: number, from = 0): (a: Float32Array, i: number, b: Float32Array, j: number) => number {
  return (a, i, b, j) => {
    let sum = 0;
    for (let d = from; d < dim; d++) {
      const diff = (a[i * dim + d] ?? 0) - (b[j * dim + d] ?? 0);
      sum += diff * diff;
    }
    return Math.sqrt(sum);
  };
}

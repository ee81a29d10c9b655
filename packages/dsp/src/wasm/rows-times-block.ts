import { matrixKernelsWasmBase64 } from "./matrix-kernels.js";
import { compileKernels } from "./module.js";

interface MatrixExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  rows_times_block(a: number, rows: number, cols: number, x: number, width: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * A fixed matrix A (rows x cols, row-major) applied to blocks of up to `maxWidth` vectors: `input` holds the
 * vectors (width x cols, one per row), `run(width)` returns A's product with each, rows x width. In WebAssembly
 * SIMD (float64, see wasm/matrix-kernels.c) where available, else in JavaScript with the same sums.
 */
export class RowsTimesBlock {
  readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly kernel: { exports: MatrixExports; a: number; x: number; out: number } | null;

  constructor(
    private readonly matrix: Float64Array,
    readonly rows: number,
    readonly cols: number,
    readonly maxWidth: number,
    engine: "wasm" | "js" = "wasm",
  ) {
    if (compiled === undefined) compiled = compileKernels(matrixKernelsWasmBase64);
    if (compiled && engine === "wasm") {
      const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as MatrixExports;
      const base = (Number(exports.__heap_base.value) + 15) & ~15;
      const a = base;
      const x = a + 8 * rows * cols;
      const out = x + 8 * maxWidth * cols;
      const end = out + 8 * rows * maxWidth;
      const memory = exports.memory;
      if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      // Views taken after the one growth stay valid: nothing grows the memory again.
      new Float64Array(memory.buffer, a, rows * cols).set(matrix);
      this.input = new Float64Array(memory.buffer, x, maxWidth * cols);
      this.output = new Float64Array(memory.buffer, out, rows * maxWidth);
      this.kernel = { exports, a, x, out };
    } else {
      this.input = new Float64Array(maxWidth * cols);
      this.output = new Float64Array(rows * maxWidth);
      this.kernel = null;
    }
  }

  /** A times each of the first `width` vectors of `input`: out[r * width + j]. */
  run(width: number): Float64Array {
    const { rows, cols } = this;
    if (this.kernel) {
      const { exports, a, x, out } = this.kernel;
      exports.rows_times_block(a, rows, cols, x, width, out);
      return this.output;
    }
    const { matrix, input, output } = this;
    for (let j = 0; j < width; j++) {
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += (matrix[r * cols + c] as number) * (input[j * cols + c] as number);
        output[r * width + j] = s;
      }
    }
    return output;
  }
}

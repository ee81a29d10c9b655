import { describe, expect, it } from "vitest";
import { Mulberry32 } from "../random.js";
import { RowsTimesBlock } from "./rows-times-block.js";

describe.each(["wasm", "js"] as const)("RowsTimesBlock (%s)", (engine) => {
  it("multiplies a fixed matrix by blocks of vectors (odd sizes, partial blocks), to double precision", () => {
    const random = new Mulberry32(3);
    for (const [rows, cols] of [
      [36, 513],
      [513, 36],
      [3, 5],
    ] as const) {
      const matrix = new Float64Array(rows * cols).map(() => random.next() - 0.5);
      const product = new RowsTimesBlock(matrix, rows, cols, 8, engine);
      for (const width of [8, 3, 1]) {
        for (let i = 0; i < width * cols; i++) product.input[i] = random.next() - 0.5;
        const out = product.run(width);
        for (let r = 0; r < rows; r++) {
          for (let j = 0; j < width; j++) {
            let expected = 0;
            for (let c = 0; c < cols; c++)
              expected += (matrix[r * cols + c] as number) * (product.input[j * cols + c] as number);
            expect(out[r * width + j] as number).toBeCloseTo(expected, 12);
          }
        }
      }
    }
  });
});

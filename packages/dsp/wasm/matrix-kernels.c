// WebAssembly SIMD kernel for @vox/dsp's dense products (the mel-cepstrum's analysis and synthesis matrices),
// built by tools/build-dsp-wasm.sh into src/wasm/matrix-kernels.ts. Why: in JavaScript a dot product is one
// chain of dependent float adds (about 4 ns per term here); two-lane float64 vectors in two independent sums
// keep the precision of the JavaScript path (the SPTK-oracle tests hold to 1e-4) at several times the speed.
// No libc: memory is laid out by the JavaScript side, which passes byte pointers.

typedef double d2 __attribute__((vector_size(16)));
typedef double d2u __attribute__((vector_size(16), aligned(8)));  // for unaligned loads

// out[r * width + j] = sum_c a[r * cols + c] * x[j * cols + c]: each of `width` vectors x_j (rows of x) against
// every row of a.
void rows_times_block(const double *a, int rows, int cols, const double *x, int width, double *out) {
  for (int j = 0; j < width; j++) {
    const double *xj = x + (long)j * cols;
    for (int r = 0; r < rows; r++) {
      const double *ar = a + (long)r * cols;
      d2 s0 = {0.0, 0.0};
      d2 s1 = {0.0, 0.0};
      int c = 0;
      for (; c + 3 < cols; c += 4) {
        s0 += *(const d2u *)(ar + c) * *(const d2u *)(xj + c);
        s1 += *(const d2u *)(ar + c + 2) * *(const d2u *)(xj + c + 2);
      }
      double s = (s0[0] + s1[0]) + (s0[1] + s1[1]);
      for (; c < cols; c++) s += ar[c] * xj[c];
      out[(long)r * width + j] = s;
    }
  }
}

// WebAssembly SIMD kernel for @vox/dsp's mel -> linear inversion (src/mel-inverse.ts), built by
// tools/build-dsp-wasm.sh into src/wasm/mel-inverse-kernels.ts. Why: the projected-gradient iterations are a
// few sparse products over frequency-major rows (consecutive frames contiguous), which in JavaScript run one
// float at a time; here two frames ride in the two float64 lanes of each vector. Same arithmetic as the
// JavaScript path (float64), so the two agree to rounding.
// No libc: memory is laid out by the JavaScript side, which passes byte pointers.

typedef double d2 __attribute__((vector_size(16)));
typedef long long l2 __attribute__((vector_size(16)));

// out[m, t] = sum over k in [start[m], end[m]) of w[m * n_freq + k] * x[k, t]; rows of `frames` (even) values.
static void multiply_a(const double *w, const int *start, const int *end, int n_mels, int n_freq,
                       const double *x, int frames, double *out) {
  for (int m = 0; m < n_mels; m++) {
    d2 *row = (d2 *)(out + (long)m * frames);
    for (int t = 0; t < frames / 2; t++) row[t] = (d2){0.0, 0.0};
    for (int k = start[m]; k < end[m]; k++) {
      double weight = w[(long)m * n_freq + k];
      const d2 *column = (const d2 *)(x + (long)k * frames);
      for (int t = 0; t < frames / 2; t++) row[t] += weight * column[t];
    }
  }
}

// out[k, t] = sum over m of w[m * n_freq + k] * r[m, t].
static void multiply_at(const double *w, const int *start, const int *end, int n_mels, int n_freq,
                        const double *r, int frames, double *out) {
  for (long i = 0; i < (long)n_freq * frames / 2; i++) ((d2 *)out)[i] = (d2){0.0, 0.0};
  for (int m = 0; m < n_mels; m++) {
    const d2 *row = (const d2 *)(r + (long)m * frames);
    for (int k = start[m]; k < end[m]; k++) {
      double weight = w[(long)m * n_freq + k];
      d2 *column = (d2 *)(out + (long)k * frames);
      for (int t = 0; t < frames / 2; t++) column[t] += weight * row[t];
    }
  }
}

// FISTA with adaptive restart on min ||A X - M||^2, X >= 0 (see projectedGradient in src/mel-inverse.ts):
// x holds the start and gets the result; prev, y, grad are n_freq x frames scratch, proj n_mels x frames;
// step[k] the per-bin step. `frames` must be even (the caller pads with a zero frame). Returns the iterations.
int fista(const double *w, const int *start, const int *end, int n_mels, int n_freq, int frames, double *x,
          double *prev, double *y, double *proj, double *grad, const double *target, const double *step,
          double stop_residual_sq, int max_iterations) {
  long size = (long)n_freq * frames;
  long mel_size = (long)n_mels * frames;
  for (long i = 0; i < size; i++) prev[i] = x[i];
  double momentum = 1.0;
  for (int iteration = 0; iteration < max_iterations; iteration++) {
    double next_momentum = (1.0 + __builtin_sqrt(1.0 + 4.0 * momentum * momentum)) / 2.0;
    d2 beta = (d2){1.0, 1.0} * ((momentum - 1.0) / next_momentum);
    d2 *x2 = (d2 *)x, *p2 = (d2 *)prev, *y2 = (d2 *)y;
    for (long i = 0; i < size / 2; i++) y2[i] = x2[i] + beta * (x2[i] - p2[i]);
    multiply_a(w, start, end, n_mels, n_freq, y, frames, proj);
    d2 residual = {0.0, 0.0};
    d2 *q2 = (d2 *)proj;
    const d2 *m2 = (const d2 *)target;
    for (long i = 0; i < mel_size / 2; i++) {
      d2 r = q2[i] - m2[i];
      q2[i] = r;
      residual += r * r;
    }
    if (residual[0] + residual[1] < stop_residual_sq) {
      // The extrapolated point can dip below 0 where x sits on the bound: clip it.
      for (long i = 0; i < size; i++) x[i] = y[i] > 0.0 ? y[i] : 0.0;
      return iteration;
    }
    multiply_at(w, start, end, n_mels, n_freq, proj, frames, grad);
    // x_new = max(0, y - step * grad) into prev's storage, then swap (by copying pointers' roles).
    d2 uphill = {0.0, 0.0};
    d2 *g2 = (d2 *)grad;
    for (int k = 0; k < n_freq; k++) {
      d2 rate = (d2){1.0, 1.0} * step[k];
      for (long i = (long)k * frames / 2; i < (long)(k + 1) * frames / 2; i++) {
        d2 v = y2[i] - g2[i] * rate;
        d2 next = (d2)((l2)v & (v > 0.0));  // max(v, 0) lane by lane
        d2 old = x2[i];
        uphill += (y2[i] - next) * (next - old);
        p2[i] = old;
        x2[i] = next;
      }
    }
    momentum = uphill[0] + uphill[1] > 0.0 ? 1.0 : next_momentum;
  }
  return max_iterations;
}

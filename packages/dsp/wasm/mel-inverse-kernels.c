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

// Moves the columns listed in keep[0..kept) of a rows x frames block to a rows x kept block, in place (each
// column moves to an index at most its own, so ascending order never overwrites a column not yet moved).
static void compact_columns(double *block, int rows, int frames, const int *keep, int kept) {
  for (int r = 0; r < rows; r++) {
    const double *from = block + (long)r * frames;
    double *to = block + (long)r * kept;
    for (int j = 0; j < kept; j++) to[j] = from[keep[j]];
  }
}

// FISTA with adaptive restart on min ||A X - M||^2, X >= 0 (see projectedGradient in src/mel-inverse.ts), every
// frame at once: x (n_freq x frames) holds the start; the result goes to out (n_freq x out_frames, column map[t]
// for working column t). prev, y, grad are n_freq x frames scratch, proj n_mels x frames, frame_residual,
// frame_stop and keep `frames` each; x, prev, target and map are reordered as frames finish. `frames` must be
// even (the caller pads with a zero frame). A frame is finished when its squared residual is at most
// tolerance_sq x ||M_t||^2 (so the whole sum is at most tolerance_sq x ||M||^2 once all are) and leaves the
// working set: frames converge at very different rates. Returns the iterations run.
int fista(const double *w, const int *start, const int *end, int n_mels, int n_freq, int frames, double *x,
          double *prev, double *y, double *proj, double *grad, double *target, const double *step,
          int max_iterations, double *out, int out_frames, int *map, double *frame_residual, double *frame_stop,
          double tolerance_sq, int *keep) {
  for (long i = 0; i < (long)n_freq * frames; i++) prev[i] = x[i];
  for (int t = 0; t < frames; t++) frame_stop[t] = 0.0;
  for (int m = 0; m < n_mels; m++)
    for (int t = 0; t < frames; t++) frame_stop[t] += target[(long)m * frames + t] * target[(long)m * frames + t];
  for (int t = 0; t < frames; t++) frame_stop[t] *= tolerance_sq;
  double momentum = 1.0;
  int iteration = 0;
  for (; iteration < max_iterations; iteration++) {
    long size = (long)n_freq * frames;
    double next_momentum = (1.0 + __builtin_sqrt(1.0 + 4.0 * momentum * momentum)) / 2.0;
    d2 beta = (d2){1.0, 1.0} * ((momentum - 1.0) / next_momentum);
    d2 *x2 = (d2 *)x, *p2 = (d2 *)prev, *y2 = (d2 *)y;
    for (long i = 0; i < size / 2; i++) y2[i] = x2[i] + beta * (x2[i] - p2[i]);
    multiply_a(w, start, end, n_mels, n_freq, y, frames, proj);
    d2 *q2 = (d2 *)proj;
    const d2 *m2 = (const d2 *)target;
    d2 *f2 = (d2 *)frame_residual;
    for (int t = 0; t < frames / 2; t++) f2[t] = (d2){0.0, 0.0};
    for (int m = 0; m < n_mels; m++) {
      long row = (long)m * frames / 2;
      for (int t = 0; t < frames / 2; t++) {
        d2 r = q2[row + t] - m2[row + t];
        q2[row + t] = r;
        f2[t] += r * r;
      }
    }
    int done = 0;
    for (int t = 0; t < frames; t++) done += frame_residual[t] <= frame_stop[t];
    if (done == frames) break;  // every working frame ends at max(0, y) below
    // Retire finished frames at max(0, y) once there are enough of them to pay for moving the rest; with an odd
    // count the first finished frame stays in, to keep the working count even (it is written out later).
    if (done >= 2 && done * 16 >= frames) {
      int kept = 0;
      int hold = done % 2;
      for (int t = 0; t < frames; t++) {
        if (frame_residual[t] <= frame_stop[t] && !hold) {
          for (int k = 0; k < n_freq; k++) {
            double v = y[(long)k * frames + t];
            out[(long)k * out_frames + map[t]] = v > 0.0 ? v : 0.0;
          }
        } else {
          if (frame_residual[t] <= frame_stop[t]) hold = 0;
          keep[kept++] = t;
        }
      }
      compact_columns(x, n_freq, frames, keep, kept);
      compact_columns(prev, n_freq, frames, keep, kept);
      compact_columns(y, n_freq, frames, keep, kept);
      compact_columns(proj, n_mels, frames, keep, kept);
      compact_columns(target, n_mels, frames, keep, kept);
      for (int j = 0; j < kept; j++) {
        map[j] = map[keep[j]];
        frame_stop[j] = frame_stop[keep[j]];
      }
      frames = kept;
      size = (long)n_freq * frames;
      x2 = (d2 *)x, p2 = (d2 *)prev, y2 = (d2 *)y, q2 = (d2 *)proj;
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
  // The working frames: at max(0, y) when all were finished, at x when the iterations ran out.
  const double *last = iteration < max_iterations ? y : x;
  for (int k = 0; k < n_freq; k++)
    for (int t = 0; t < frames; t++) {
      double v = last[(long)k * frames + t];
      out[(long)k * out_frames + map[t]] = v > 0.0 ? v : 0.0;
    }
  return iteration;
}

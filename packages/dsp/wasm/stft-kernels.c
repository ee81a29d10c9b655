// WebAssembly SIMD kernels for @vox/dsp's STFT, ISTFT and Griffin-Lim, built by tools/build-dsp-wasm.sh into
// src/wasm/stft-kernels.ts. Why: a 512-point real FFT in JavaScript (fft.js) costs ~3 us, so STFT in JS runs
// several times slower than torchaudio's; here four consecutive frames ride in the four float32 lanes of one
// v128, so the FFT is written like scalar code and runs four frames at once, and the freq-major output rows
// (4 consecutive frames per bin) are stored with one vector store.
//
// Real FFT of n points = complex FFT of m = n/2 points over (even, odd) samples + a split step.
// No libc: memory is laid out by the JavaScript side, which passes pointers.

typedef float f4 __attribute__((vector_size(16)));
typedef float f4u __attribute__((vector_size(16), aligned(4)));  // for unaligned loads/stores

// Transposes the 4x4 block whose rows are a, b, c, d (in place): afterwards a holds the first lanes, and so on.
static inline void transpose4(f4 *a, f4 *b, f4 *c, f4 *d) {
  f4 ab_lo = __builtin_shufflevector(*a, *b, 0, 4, 1, 5), ab_hi = __builtin_shufflevector(*a, *b, 2, 6, 3, 7);
  f4 cd_lo = __builtin_shufflevector(*c, *d, 0, 4, 1, 5), cd_hi = __builtin_shufflevector(*c, *d, 2, 6, 3, 7);
  *a = __builtin_shufflevector(ab_lo, cd_lo, 0, 1, 4, 5);
  *b = __builtin_shufflevector(ab_lo, cd_lo, 2, 3, 6, 7);
  *c = __builtin_shufflevector(ab_hi, cd_hi, 0, 1, 4, 5);
  *d = __builtin_shufflevector(ab_hi, cd_hi, 2, 3, 6, 7);
}

// In-place radix-2 decimation-in-time FFT of m points (m >= 4, a power of two) on bit-reversed input.
// tw_re/tw_im: cos(2 pi j / m), -sin(2 pi j / m) for j < m/2.
static void fft_dit(f4 *re, f4 *im, int m, const float *tw_re, const float *tw_im) {
  // Stages of span 2 and 4 have trivial twiddles (1, -i).
  for (int a = 0; a < m; a += 4) {
    f4 r0 = re[a], i0 = im[a], r1 = re[a + 1], i1 = im[a + 1];
    f4 r2 = re[a + 2], i2 = im[a + 2], r3 = re[a + 3], i3 = im[a + 3];
    f4 s0r = r0 + r1, s0i = i0 + i1, d0r = r0 - r1, d0i = i0 - i1;
    f4 s1r = r2 + r3, s1i = i2 + i3, d1r = r2 - r3, d1i = i2 - i3;
    re[a] = s0r + s1r;
    im[a] = s0i + s1i;
    re[a + 2] = s0r - s1r;
    im[a + 2] = s0i - s1i;
    // d1 * (-i) = (d1i, -d1r)
    re[a + 1] = d0r + d1i;
    im[a + 1] = d0i - d1r;
    re[a + 3] = d0r - d1i;
    im[a + 3] = d0i + d1r;
  }
  // Then two stages per pass (spans h and 2h, "radix-2 squared"): each element is loaded and stored once per two
  // stages. In a block of 4h, stage h pairs (j, j+h) and (j+2h, j+3h) with twiddle W_2h^j; stage 2h pairs (j, j+2h)
  // with W_4h^j and (j+h, j+3h) with W_4h^(j+h) = W_4h^j (-i).
  int h = 4;
  for (; 4 * h <= m; h <<= 2) {
    int step1 = m / (2 * h), step2 = m / (4 * h);
    for (int base = 0; base < m; base += 4 * h) {
      f4 *r0 = re + base, *i0 = im + base;
      for (int j = 0; j < h; j++) {
        float w1r = tw_re[j * step1], w1i = tw_im[j * step1];
        float w2r = tw_re[j * step2], w2i = tw_im[j * step2];
        f4 ar = r0[j], ai = i0[j], br = r0[j + h], bi = i0[j + h];
        f4 cr = r0[j + 2 * h], ci = i0[j + 2 * h], dr = r0[j + 3 * h], di = i0[j + 3 * h];
        f4 tr = br * w1r - bi * w1i, ti = br * w1i + bi * w1r;
        f4 a1r = ar + tr, a1i = ai + ti, b1r = ar - tr, b1i = ai - ti;
        tr = dr * w1r - di * w1i;
        ti = dr * w1i + di * w1r;
        f4 c1r = cr + tr, c1i = ci + ti, d1r = cr - tr, d1i = ci - ti;
        tr = c1r * w2r - c1i * w2i;
        ti = c1r * w2i + c1i * w2r;
        r0[j] = a1r + tr;
        i0[j] = a1i + ti;
        r0[j + 2 * h] = a1r - tr;
        i0[j + 2 * h] = a1i - ti;
        // (d1 W_4h^j) (-i) = (im, -re)
        tr = d1r * w2r - d1i * w2i;
        ti = d1r * w2i + d1i * w2r;
        r0[j + h] = b1r + ti;
        i0[j + h] = b1i - tr;
        r0[j + 3 * h] = b1r - ti;
        i0[j + 3 * h] = b1i + tr;
      }
    }
  }
  // A last single stage when log2(m) is odd.
  if (h < m) {
    int step = m / (2 * h);
    for (int base = 0; base < m; base += 2 * h) {
      f4 *ra = re + base, *ia = im + base, *rb = re + base + h, *ib = im + base + h;
      for (int j = 0; j < h; j++) {
        float wr = tw_re[j * step], wi = tw_im[j * step];
        f4 br = rb[j] * wr - ib[j] * wi;
        f4 bi = rb[j] * wi + ib[j] * wr;
        f4 ar = ra[j], ai = ia[j];
        rb[j] = ar - br;
        ib[j] = ai - bi;
        ra[j] = ar + br;
        ia[j] = ai + bi;
      }
    }
  }
}

// Windowed frames t0..t0+3 of the centre-padded signal (lanes past `lanes` repeat frame t0), transformed:
// leaves the m-point complex FFT of (even, odd) samples in zr/zi. rev: bit reversal of m indices.
static inline void transform_frames(const float *padded, int t0, int lanes, int hop, int n, const float *window,
                                    const int *rev, const float *tw, f4 *zr, f4 *zi) {
  int m = n / 2;
  const float *p0 = padded + (long)t0 * hop;
  const float *p1 = lanes > 1 ? p0 + hop : p0;
  const float *p2 = lanes > 2 ? p0 + 2 * hop : p0;
  const float *p3 = lanes > 3 ? p0 + 3 * hop : p0;
  // Four samples of each of the four frames, transposed: one vector per sample, one lane per frame.
  for (int k = 0; k < m; k += 2) {
    int s = 2 * k;
    f4 v0 = *(const f4u *)(p0 + s), v1 = *(const f4u *)(p1 + s), v2 = *(const f4u *)(p2 + s),
       v3 = *(const f4u *)(p3 + s);
    transpose4(&v0, &v1, &v2, &v3);
    zr[rev[k]] = v0 * window[s];
    zi[rev[k]] = v1 * window[s + 1];
    zr[rev[k + 1]] = v2 * window[s + 2];
    zi[rev[k + 1]] = v3 * window[s + 3];
  }
  fft_dit(zr, zi, m, tw, tw + m / 2);
}

// Bin k (0..m) of the real FFT from the m-point FFT of (even, odd) samples: the split step.
// split: m+1 cos then m+1 sin of 2 pi k / n.
static inline void split_bin(const f4 *zr, const f4 *zi, int k, int m, const float *split, f4 *xr, f4 *xi) {
  int j = k == 0 || k == m ? 0 : m - k;
  int kk = k == m ? 0 : k;
  f4 ar = zr[kk], ai = zi[kk], br = zr[j], bi = -zi[j];
  f4 er = (ar + br) * 0.5f, ei = (ai + bi) * 0.5f, orr = (ar - br) * 0.5f, oi = (ai - bi) * 0.5f;
  float c = split[k], s = split[m + 1 + k];
  *xr = er + oi * c - orr * s;
  *xi = ei - orr * c - oi * s;
}

// The first `lanes` values at p (the rest zero): a block of frames at the end of the spectrogram is partial.
static inline f4 load_lanes(const float *p, int lanes) {
  if (lanes == 4) return *(const f4u *)p;
  f4 v = {0, 0, 0, 0};
  for (int l = 0; l < lanes; l++) v[l] = p[l];
  return v;
}

static inline void store_lanes(float *o, f4 v, int lanes) {
  if (lanes == 4) {
    *(f4u *)o = v;
  } else {
    for (int l = 0; l < lanes; l++) o[l] = v[l];
  }
}

// Workspace: 2 * m f4 values.
// padded: the centre-padded signal; window: n values; tw: m/2 cos then m/2 -sin (complex FFT of m).
// mode 0: complex -> out_re/out_im; mode 1: magnitude -> out_re; mode 2: power -> out_re.
// Bin k of frame t (t = t0 + lane, t0 a multiple of 4) is at k * row_stride + t0 * block_scale + lane: freq-major
// (row_stride = frames, block_scale = 1), or frame-blocked (row_stride = 4, block_scale = bins: each block of four
// frames holds its bins one vector each, so a pass over the bins walks memory in order; Griffin-Lim iterates in
// that layout). Only the first `bins` bins are written.
void stft_frames(const float *padded, int hop, int frames, int n, const float *window, const int *rev,
                 const float *tw, const float *split, f4 *work, int mode, int bins, float *out_re, float *out_im,
                 int row_stride, int block_scale) {
  int m = n / 2;
  f4 *zr = work, *zi = work + m;
  for (int t0 = 0; t0 < frames; t0 += 4) {
    int lanes = frames - t0 < 4 ? frames - t0 : 4;
    transform_frames(padded, t0, lanes, hop, n, window, rev, tw, zr, zi);
    for (int k = 0; k < bins; k++) {
      f4 xr, xi;
      split_bin(zr, zi, k, m, split, &xr, &xi);
      long at = (long)k * row_stride + (long)t0 * block_scale;
      float *o = out_re + at;
      if (mode == 0) {
        store_lanes(o, xr, lanes);
        store_lanes(out_im + at, xi, lanes);
      } else {
        f4 v = xr * xr + xi * xi;
        if (mode == 1) v = (f4)__builtin_wasm_sqrt_f32x4(v);
        store_lanes(o, v, lanes);
      }
    }
  }
}

// STFT power projected through a sparse filterbank (mel) without materialising the full-resolution power:
// out[b, t] = sum over k in [start[b], end[b]) of weights[b * (m + 1) + k] * |X[k, t]|^2.
// Workspace: 2 * m + (m + 1) f4 values.
void stft_filtered_power(const float *padded, int hop, int frames, int n, const float *window, const int *rev,
                         const float *tw, const float *split, f4 *work, const float *weights, const int *start,
                         const int *end, int bands, float *out) {
  int m = n / 2;
  f4 *zr = work, *zi = work + m, *power = work + 2 * m;
  for (int t0 = 0; t0 < frames; t0 += 4) {
    int lanes = frames - t0 < 4 ? frames - t0 : 4;
    transform_frames(padded, t0, lanes, hop, n, window, rev, tw, zr, zi);
    for (int k = 0; k <= m; k++) {
      f4 xr, xi;
      split_bin(zr, zi, k, m, split, &xr, &xi);
      power[k] = xr * xr + xi * xi;
    }
    for (int b = 0; b < bands; b++) {
      const float *w = weights + (long)b * (m + 1);
      f4 sum = {0, 0, 0, 0};
      for (int k = start[b]; k < end[b]; k++) sum += power[k] * w[k];
      store_lanes(out + (long)b * frames + t0, sum, lanes);
    }
  }
}

// Inverse: for each frame, irfft of bins 0..bins-1 (missing top bins are zero; the imaginary parts of DC and
// Nyquist are ignored, as numpy's irfft does), times the window, overlap-added at t * hop into `acc`
// (length n + hop * (frames - 1), zeroed by the caller). The input's layout is given as stft_frames' output's.
void istft_frames(const float *in_re, const float *in_im, int bins, int frames, int hop, int n, const float *window,
                  const int *rev, const float *tw, const float *split, f4 *work, float *acc, int row_stride,
                  int block_scale) {
  int m = n / 2;
  f4 *zr = work, *zi = work + m;
  const float *tw_re = tw, *tw_im = tw + m / 2;
  const float *cs = split, *sn = split + m + 1;
  float inv_m = 1.0f / (float)m;
  for (int t0 = 0; t0 < frames; t0 += 4) {
    int lanes = frames - t0 < 4 ? frames - t0 : 4;
    const float *block_re = in_re + (long)t0 * block_scale, *block_im = in_im + (long)t0 * block_scale;
    for (int k = 0; k < m; k++) {
      // Z[k] = E + i O with E = (X[k] + conj X[m-k]) / 2, O = (X[k] - conj X[m-k]) e^{+2 pi i k / n} / 2.
      int j = m - k;
      f4 ar = {0, 0, 0, 0}, ai = {0, 0, 0, 0}, br = {0, 0, 0, 0}, bi = {0, 0, 0, 0};
      if (k < bins) {
        ar = load_lanes(block_re + (long)k * row_stride, lanes);
        if (k != 0) ai = load_lanes(block_im + (long)k * row_stride, lanes);
      }
      if (j < bins) {
        br = load_lanes(block_re + (long)j * row_stride, lanes);
        if (j != m) bi = load_lanes(block_im + (long)j * row_stride, lanes);
      }
      bi = -bi;  // conj X[m-k]
      f4 er = (ar + br) * 0.5f, ei = (ai + bi) * 0.5f, dr = (ar - br) * 0.5f, di = (ai - bi) * 0.5f;
      float c = cs[k], s = sn[k];  // e^{+i theta} = (c, s)
      f4 orr = dr * c - di * s, oi = dr * s + di * c;
      // Z = E + i O; the inverse FFT is conj(FFT(conj Z)) / m, so load conj Z and conjugate at the end.
      int r = rev[k];
      zr[r] = er - oi;
      zi[r] = -(ei + orr);
    }
    fft_dit(zr, zi, m, tw_re, tw_im);
    // Frame l's samples 2k, 2k+1 are zr[k][l], -zi[k][l] (over m, windowed): four k at a time, transposed so
    // that each frame's eight samples are two vectors, added into the frame's place in acc.
    for (int k = 0; k < m; k += 4) {
      f4 r0 = zr[k], r1 = zr[k + 1], r2 = zr[k + 2], r3 = zr[k + 3];
      f4 i0 = -zi[k], i1 = -zi[k + 1], i2 = -zi[k + 2], i3 = -zi[k + 3];
      transpose4(&r0, &r1, &r2, &r3);
      transpose4(&i0, &i1, &i2, &i3);
      f4 lo_w = *(const f4u *)(window + 2 * k) * inv_m, hi_w = *(const f4u *)(window + 2 * k + 4) * inv_m;
      f4 rows_r[4] = {r0, r1, r2, r3}, rows_i[4] = {i0, i1, i2, i3};
      for (int l = 0; l < lanes; l++) {
        float *a = acc + (long)(t0 + l) * hop + 2 * k;
        f4 lo = __builtin_shufflevector(rows_r[l], rows_i[l], 0, 4, 1, 5);
        f4 hi = __builtin_shufflevector(rows_r[l], rows_i[l], 2, 6, 3, 7);
        *(f4u *)a = *(f4u *)a + lo * lo_w;
        *(f4u *)(a + 4) = *(f4u *)(a + 4) + hi * hi_w;
      }
    }
  }
}

// Griffin-Lim's update, librosa's rule: u = t - decay * t_prev; angle = u / (|u| + tiny); then the next
// estimate S * angle goes to w_re/w_im. `count` values, contiguous.
void griffin_lim_update(const float *s, const float *t_re, const float *t_im, const float *p_re, const float *p_im,
                        float decay, float *w_re, float *w_im, int count) {
  const float tiny = 1.17549435e-38f;
  int i = 0;
  for (; i + 4 <= count; i += 4) {
    f4 ur = *(const f4u *)(t_re + i) - *(const f4u *)(p_re + i) * decay;
    f4 ui = *(const f4u *)(t_im + i) - *(const f4u *)(p_im + i) * decay;
    f4 scale = *(const f4u *)(s + i) / ((f4)__builtin_wasm_sqrt_f32x4(ur * ur + ui * ui) + tiny);
    *(f4u *)(w_re + i) = ur * scale;
    *(f4u *)(w_im + i) = ui * scale;
  }
  for (; i < count; i++) {
    float ur = t_re[i] - decay * p_re[i], ui = t_im[i] - decay * p_im[i];
    float scale = s[i] / (__builtin_sqrtf(ur * ur + ui * ui) + tiny);
    w_re[i] = ur * scale;
    w_im[i] = ui * scale;
  }
}


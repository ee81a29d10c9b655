// Convolution kernels for vox's tfjs backends (wasm and cpu), in C++ with AVX2/FMA.
//
// Why: tfjs-backend-wasm runs XNNPACK with 128-bit wasm SIMD at 16-23 GFLOP/s per core and has no
// Conv2DBackpropFilter; a register-blocked GEMM with 256-bit FMA runs 65-100 GFLOP/s on the same core. Where
// libtensorflow cannot be installed (tfjs-node downloads it at install time), these three kernels carry most of a
// StarGAN training step. All three are one GEMM over implicit im2col patches of an NHWC input, filters
// [kh, kw, cin, cout]:
//   conv2d            y [M, cout]   = patches(x) [M, K] * w [K, cout]            M = n oh ow, K = kh kw cin
//   conv2dFilterGrad  dw [K, cout]  = patches(x)^T [K, M] * dy [M, cout]
//   conv2dInputGrad   dx            = col2im(dy [M, cout] * w^T [cout, K])
// Patches are packed straight from x into the GEMM's panels (no im2col matrix); the input gradient's patch
// gradients are made a block of rows at a time and scattered into dx.
// Buffers are plain Float32Arrays (views of the wasm heap, or the cpu backend's arrays); the caller allocates the
// output. A call may split its rows over `setThreads(n)` threads (1 by default; vox's trainer sets 1 while its
// replica threads keep every core busy, and n cores otherwise).

#include <node_api.h>

#include "napi_args.h"

#include "batch_norm_kernels.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

namespace {

using vox_native::ArgError;
using vox_native::floatArray;

constexpr int MR = 6;     // rows of C per micro-kernel call (broadcast A values)
constexpr int NR = 16;    // columns of C per micro-kernel call (two 8-float vectors)
constexpr int KC = 256;   // depth of one packed block: an MR x KC panel of A stays in L1
constexpr int MC = 120;   // rows of A per packed block (a multiple of MR): MC x KC stays in L2
constexpr int NC = 1024;  // columns of B per packed block: KC x NC (1 MB) is reused across all of A's rows

// Geometry of one convolution: x [n, h, w, cin] -> y [n, oh, ow, cout], zero padding top/left (bottom/right
// padding is implied by oh/ow), stride s and dilation d.
struct Geometry {
  int64_t n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, padTop, padLeft;
  int64_t positions() const { return n * oh * ow; }
  int64_t taps() const { return kh * kw * cin; }
};

// C [6 x 16] (+)= A panel [kc x 6] * B panel [kc x 16], both packed; C row stride ldc.
__attribute__((target("avx2,fma"))) void microKernel(int64_t kc, const float* a, const float* b, float* c,
                                                     int64_t ldc, bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 a0 = _mm256_broadcast_ss(a), a1 = _mm256_broadcast_ss(a + 1);
    c00 = _mm256_fmadd_ps(a0, b0, c00);
    c01 = _mm256_fmadd_ps(a0, b1, c01);
    c10 = _mm256_fmadd_ps(a1, b0, c10);
    c11 = _mm256_fmadd_ps(a1, b1, c11);
    a0 = _mm256_broadcast_ss(a + 2);
    a1 = _mm256_broadcast_ss(a + 3);
    c20 = _mm256_fmadd_ps(a0, b0, c20);
    c21 = _mm256_fmadd_ps(a0, b1, c21);
    c30 = _mm256_fmadd_ps(a1, b0, c30);
    c31 = _mm256_fmadd_ps(a1, b1, c31);
    a0 = _mm256_broadcast_ss(a + 4);
    a1 = _mm256_broadcast_ss(a + 5);
    c40 = _mm256_fmadd_ps(a0, b0, c40);
    c41 = _mm256_fmadd_ps(a0, b1, c41);
    c50 = _mm256_fmadd_ps(a1, b0, c50);
    c51 = _mm256_fmadd_ps(a1, b1, c51);
    a += MR;
    b += NR;
  }
  __m256 rows[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  for (int i = 0; i < MR; ++i) {
    float* ci = c + i * ldc;
    if (accumulate) {
      rows[2 * i] = _mm256_add_ps(rows[2 * i], _mm256_loadu_ps(ci));
      rows[2 * i + 1] = _mm256_add_ps(rows[2 * i + 1], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, rows[2 * i]);
    _mm256_storeu_ps(ci + 8, rows[2 * i + 1]);
  }
}

// 64-byte aligned scratch, kept per thread across calls (replica threads each have their own).
struct Scratch {
  float* data = nullptr;
  size_t size = 0;
  float* get(size_t floats) {
    if (floats > size) {
      std::free(data);
      data = static_cast<float*>(std::aligned_alloc(64, ((floats * sizeof(float) + 63) / 64) * 64));
      if (!data) throw std::bad_alloc();
      size = floats;
    }
    return data;
  }
  ~Scratch() { std::free(data); }
};
thread_local Scratch packedA, packedB, rowBlock;

// C [M x N] = A [M x K] * B [K x N], with A and B read through packers:
//   packA(dst, i0, mc, p0, kc): rows i0..i0+mc, depth p0..p0+kc into MR-row panels, dst[panel][p][r], zero-filled
//   packB(dst, j0, nc, p0, kc): depth p0..p0+kc, columns j0..j0+nc into NR-column panels, dst[panel][p][q]
// The first depth block overwrites C, later ones add to it.
template <class PackA, class PackB>
void gemm(int64_t M, int64_t N, int64_t K, PackA&& packA, PackB&& packB, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (int64_t i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
    return;
  }
  float* pa = packedA.get(MC * KC);
  float* pb = packedB.get(KC * (NC + NR));
  alignas(32) float edge[MR * NR];
  for (int64_t jc = 0; jc < N; jc += NC) {
    const int64_t nc = std::min<int64_t>(NC, N - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min<int64_t>(KC, K - pc);
      const bool acc = pc > 0;
      packB(pb, jc, nc, pc, kc);
      for (int64_t ic = 0; ic < M; ic += MC) {
        const int64_t mc = std::min<int64_t>(MC, M - ic);
        packA(pa, ic, mc, pc, kc);
        for (int64_t j = 0; j < nc; j += NR) {
          const int64_t nr = std::min<int64_t>(NR, nc - j);
          for (int64_t i = 0; i < mc; i += MR) {
            const int64_t mr = std::min<int64_t>(MR, mc - i);
            float* c = C + (ic + i) * ldc + jc + j;
            if (mr == MR && nr == NR) {
              microKernel(kc, pa + i * kc, pb + j * kc, c, ldc, acc);
            } else {
              microKernel(kc, pa + i * kc, pb + j * kc, edge, NR, false);
              for (int64_t r = 0; r < mr; ++r)
                for (int64_t q = 0; q < nr; ++q) c[r * ldc + q] = (acc ? c[r * ldc + q] : 0.0f) + edge[r * NR + q];
            }
          }
        }
      }
    }
  }
}

// Packs B panels from a row-major [K x N] matrix with row stride ld.
struct RowMajorB {
  const float* b;
  int64_t ld;
  void operator()(float* dst, int64_t j0, int64_t nc, int64_t p0, int64_t kc) const {
    for (int64_t j = 0; j < nc; j += NR) {
      const int64_t nr = std::min<int64_t>(NR, nc - j);
      float* panel = dst + j * kc;
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b + (p0 + p) * ld + j0 + j;
        float* out = panel + p * NR;
        if (nr == NR) {
          std::memcpy(out, src, sizeof(float) * NR);
        } else {
          std::memcpy(out, src, sizeof(float) * nr);
          std::fill(out + nr, out + NR, 0.0f);
        }
      }
    }
  }
};

// Packs B panels of the transpose of a row-major [N x K] matrix (B[p][j] = m[j * ld + p]).
struct TransposedB {
  const float* m;
  int64_t ld;
  void operator()(float* dst, int64_t j0, int64_t nc, int64_t p0, int64_t kc) const {
    for (int64_t j = 0; j < nc; j += NR) {
      const int64_t nr = std::min<int64_t>(NR, nc - j);
      float* panel = dst + j * kc;
      for (int64_t q = 0; q < NR; ++q) {
        if (q < nr) {
          const float* src = m + (j0 + j + q) * ld + p0;
          for (int64_t p = 0; p < kc; ++p) panel[p * NR + q] = src[p];
        } else {
          for (int64_t p = 0; p < kc; ++p) panel[p * NR + q] = 0.0f;
        }
      }
    }
  }
};

// Packs A panels from a row-major [M x K] matrix with row stride ld.
struct RowMajorA {
  const float* a;
  int64_t ld;
  void operator()(float* dst, int64_t i0, int64_t mc, int64_t p0, int64_t kc) const {
    for (int64_t i = 0; i < mc; i += MR) {
      float* panel = dst + i * kc;
      for (int64_t r = 0; r < MR; ++r) {
        if (i + r < mc) {
          const float* src = a + (i0 + i + r) * ld + p0;
          for (int64_t p = 0; p < kc; ++p) panel[p * MR + r] = src[p];
        } else {
          for (int64_t p = 0; p < kc; ++p) panel[p * MR + r] = 0.0f;
        }
      }
    }
  }
};

// Where patch row m (output position) starts reading x, and its position in x's batch.
struct PatchOrigin {
  const float* image;  // x's item for this position
  int64_t y0, x0;      // top-left tap's input row / column (may be negative: padding)
};

// The same as offsets: where output position m's item starts in x, and its top-left tap's row and column.
struct PatchOffset {
  int64_t image, y0, x0;
};

inline PatchOffset patchOffset(const Geometry& g, int64_t m) {
  const int64_t perImage = g.oh * g.ow;
  const int64_t b = m / perImage, rest = m % perImage;
  const int64_t oy = rest / g.ow, ox = rest % g.ow;
  return {b * g.h * g.w * g.cin, oy * g.sh - g.padTop, ox * g.sw - g.padLeft};
}

inline PatchOrigin patchOrigin(const float* x, const Geometry& g, int64_t m) {
  const PatchOffset o = patchOffset(g, m);
  return {x + o.image, o.y0, o.x0};
}

// Copies patch values k0..k0+count of one output position into out (stride outStride), zeros for padding.
// k runs over (ky, kx, ci), so runs of one tap are contiguous channels of x.
inline void readPatch(const PatchOrigin& o, const Geometry& g, int64_t k0, int64_t count, float* out,
                      int64_t outStride) {
  const int64_t tap = k0 / g.cin;
  int64_t ci = k0 % g.cin, ky = tap / g.kw, kx = tap % g.kw;
  for (int64_t done = 0; done < count;) {
    const int64_t run = std::min(count - done, g.cin - ci);
    const int64_t iy = o.y0 + ky * g.dh, ix = o.x0 + kx * g.dw;
    float* dst = out + done * outStride;
    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
      for (int64_t t = 0; t < run; ++t) dst[t * outStride] = 0.0f;
    } else {
      const float* src = o.image + (iy * g.w + ix) * g.cin + ci;
      for (int64_t t = 0; t < run; ++t) dst[t * outStride] = src[t];
    }
    done += run;
    ci = 0;
    if (++kx == g.kw) {
      kx = 0;
      ++ky;
    }
  }
}

// A = patches(x) [M x K], packed straight from x.
struct PatchesA {
  const float* x;
  const Geometry& g;

  // A panel of MR positions in one output row: per tap, one bounds check per position and a strided copy of the
  // tap's channels, instead of a readPatch (divisions, a check per value) per position. With one input channel
  // (a first layer) this is most of the packing's cost. False when the positions span two rows.
  bool packRowPanel(float* panel, int64_t m0, int64_t p0, int64_t kc) const {
    if (m0 % g.ow + MR > g.ow) return false;
    const PatchOffset o = patchOffset(g, m0);
    const float* image = x + o.image;
    int64_t tap = p0 / g.cin, c = p0 % g.cin;
    for (int64_t done = 0; done < kc; ++tap, c = 0) {
      const int64_t run = std::min(kc - done, g.cin - c);
      const int64_t iy = o.y0 + (tap / g.kw) * g.dh, ix0 = o.x0 + (tap % g.kw) * g.dw;
      float* out = panel + done * MR;
      if (iy < 0 || iy >= g.h) {
        std::fill(out, out + run * MR, 0.0f);
      } else {
        const float* row = image + iy * g.w * g.cin + c;
        for (int64_t r = 0; r < MR; ++r) {
          const int64_t ix = ix0 + r * g.sw;
          if (ix < 0 || ix >= g.w) {
            for (int64_t t = 0; t < run; ++t) out[t * MR + r] = 0.0f;
          } else {
            const float* src = row + ix * g.cin;
            for (int64_t t = 0; t < run; ++t) out[t * MR + r] = src[t];
          }
        }
      }
      done += run;
    }
    return true;
  }

  void operator()(float* dst, int64_t i0, int64_t mc, int64_t p0, int64_t kc) const {
    for (int64_t i = 0; i < mc; i += MR) {
      float* panel = dst + i * kc;
      if (i + MR <= mc && packRowPanel(panel, i0 + i, p0, kc)) continue;
      for (int64_t r = 0; r < MR; ++r) {
        if (i + r < mc) {
          readPatch(patchOrigin(x, g, i0 + i + r), g, p0, kc, panel + r, MR);
        } else {
          for (int64_t p = 0; p < kc; ++p) panel[p * MR + r] = 0.0f;
        }
      }
    }
  }
};

// A = patches(x)^T [K x M]: rows are patch values k, depth runs over output positions m. The depth block's
// patch origins are found once and each row's tap offset once per panel: this packer runs per position.
struct TransposedPatchesA {
  const float* x;
  const Geometry& g;
  void operator()(float* dst, int64_t i0, int64_t mc, int64_t p0, int64_t kc) const {
    thread_local std::vector<PatchOrigin> origins;
    origins.resize(kc);
    for (int64_t p = 0; p < kc; ++p) origins[p] = patchOrigin(x, g, p0 + p);
    int64_t offsetY[MR], offsetX[MR], channel[MR];
    for (int64_t i = 0; i < mc; i += MR) {
      float* panel = dst + i * kc;
      const int64_t rows = std::min<int64_t>(MR, mc - i);
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t k = i0 + i + r, tap = k / g.cin;
        offsetY[r] = (tap / g.kw) * g.dh;
        offsetX[r] = (tap % g.kw) * g.dw;
        channel[r] = k % g.cin;
      }
      // MR consecutive channels of one tap: each position's values are contiguous in x, one bounds check.
      if (rows == MR && channel[0] + MR <= g.cin && offsetY[MR - 1] == offsetY[0] && offsetX[MR - 1] == offsetX[0]) {
        for (int64_t p = 0; p < kc; ++p) {
          const PatchOrigin& o = origins[p];
          float* out = panel + p * MR;
          const int64_t iy = o.y0 + offsetY[0], ix = o.x0 + offsetX[0];
          if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) {
            for (int64_t r = 0; r < MR; ++r) out[r] = 0.0f;
          } else {
            const float* src = o.image + (iy * g.w + ix) * g.cin + channel[0];
            for (int64_t r = 0; r < MR; ++r) out[r] = src[r];
          }
        }
        continue;
      }
      for (int64_t p = 0; p < kc; ++p) {
        const PatchOrigin& o = origins[p];
        float* out = panel + p * MR;
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t iy = o.y0 + offsetY[r], ix = o.x0 + offsetX[r];
          out[r] = (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) ? 0.0f : o.image[(iy * g.w + ix) * g.cin + channel[r]];
        }
        for (int64_t r = rows; r < MR; ++r) out[r] = 0.0f;
      }
    }
  }
};

// ---- Thin convolutions: a few output channels (an output layer, a critic's src head) ----
// The GEMM's 16-wide column panels would be mostly zeros, so these walk the patches directly: per output position
// and in-bounds tap, a dot product (forward) or an axpy (gradients) over the tap's contiguous input channels, with
// the filter (and the filter gradient) kept channels-first [cout][K] so each is contiguous.
constexpr int64_t THIN = 4;

__attribute__((target("avx2,fma"))) float dot(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
  float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// y[i] += alpha * x[i]
__attribute__((target("avx2,fma"))) void axpy(float* y, const float* x, float alpha, int64_t n) {
  const __m256 a = _mm256_set1_ps(alpha);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(a, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  for (; i < n; ++i) y[i] += alpha * x[i];
}

thread_local Scratch channelsFirst;

// [rows x cols] -> [cols x rows]
void transpose(const float* in, float* out, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
}

// Calls visit(m, tap, input offset) for every in-bounds tap of output positions m0..m1-1.
template <class Visit>
void forEachTap(const Geometry& g, int64_t m0, int64_t m1, Visit&& visit) {
  for (int64_t m = m0; m < m1; ++m) {
    const PatchOffset o = patchOffset(g, m);
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = o.y0 + ky * g.dh;
      if (iy < 0 || iy >= g.h) continue;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = o.x0 + kx * g.dw;
        if (ix < 0 || ix >= g.w) continue;
        visit(m, ky * g.kw + kx, o.image + (iy * g.w + ix) * g.cin);
      }
    }
  }
}

void thinConv2d(const float* x, const float* w, float* y, const Geometry& g) {
  const int64_t K = g.taps(), C = g.cout;
  float* wt = channelsFirst.get(C * K);
  transpose(w, wt, K, C);
  std::fill(y, y + g.positions() * C, 0.0f);
  forEachTap(g, 0, g.positions(), [&](int64_t m, int64_t tap, int64_t at) {
    for (int64_t co = 0; co < C; ++co) y[m * C + co] += dot(x + at, wt + co * K + tap * g.cin, g.cin);
  });
}

void thinFilterGrad(const float* x, const float* dy, float* dw, const Geometry& g) {
  const int64_t K = g.taps(), C = g.cout;
  float* dwt = channelsFirst.get(C * K);
  std::fill(dwt, dwt + C * K, 0.0f);
  forEachTap(g, 0, g.positions(), [&](int64_t m, int64_t tap, int64_t at) {
    for (int64_t co = 0; co < C; ++co) axpy(dwt + co * K + tap * g.cin, x + at, dy[m * C + co], g.cin);
  });
  transpose(dwt, dw, C, K);
}

void thinInputGrad(const float* dy, const float* w, float* dx, const Geometry& g) {
  const int64_t K = g.taps(), C = g.cout;
  float* wt = channelsFirst.get(C * K);
  transpose(w, wt, K, C);
  std::fill(dx, dx + g.n * g.h * g.w * g.cin, 0.0f);
  forEachTap(g, 0, g.positions(), [&](int64_t m, int64_t tap, int64_t at) {
    for (int64_t co = 0; co < C; ++co) axpy(dx + at, wt + co * K + tap * g.cin, dy[m * C + co], g.cin);
  });
}

// ---- Threads within a call ----

std::atomic<int> threadCount{1};
// Below this much work per thread (flops, or values moved) handing a range to a pool thread and packing its own
// panels cost more than it saves.
constexpr double MIN_WORK_PER_THREAD = 4e6;

// Threads kept across calls: the demo recipe's convolutions take 0.1-1 ms each, where starting a thread per
// call (30-60 us) ate the gain. A worker spins briefly for the next call, then sleeps. One caller at a time (a
// second caller, another JS thread, runs its parts itself); the pool is never destroyed (its threads are
// detached and end with the process).
class WorkerPool {
 public:
  // task(i) for i in [0, parts): part 0 on the caller, the rest on whichever threads take them first.
  template <class Task>
  void run(int parts, Task& task) {
    std::unique_lock<std::mutex> busy(callMutex_, std::try_to_lock);
    if (!busy.owns_lock()) {
      for (int i = 0; i < parts; ++i) task(i);
      return;
    }
    while (threads_ < parts - 1) {
      std::thread([this] { loop(); }).detach();
      ++threads_;
    }
    const Call call = [](void* t, int i) { (*static_cast<Task*>(t))(i); };
    uint32_t generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation = ++generation_;
      call_ = call;
      task_ = &task;
      parts_ = parts;
      remaining_.store(parts - 1);
      // Tickets carry the call's generation: a worker still holding an earlier call's task takes none of these.
      ticket_.store((uint64_t{generation} << 32) | 1, std::memory_order_release);
    }
    wake_.notify_all();
    task(0);
    take(call, &task, parts, generation);
    while (remaining_.load(std::memory_order_acquire) > 0) _mm_pause();
  }

 private:
  using Call = void (*)(void*, int);

  // Runs parts of call `generation` until none is left.
  void take(Call call, void* task, int parts, uint32_t generation) {
    uint64_t v = ticket_.load(std::memory_order_acquire);
    while ((v >> 32) == generation && (v & 0xffffffffu) < static_cast<uint64_t>(parts)) {
      if (ticket_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) {
        call(task, static_cast<int>(v & 0xffffffffu));
        remaining_.fetch_sub(1, std::memory_order_release);
        v = ticket_.load(std::memory_order_acquire);
      }
    }
  }

  void loop() {
    uint32_t seen = 0;
    for (;;) {
      // Calls come in bursts (a training step is ~100 of them): spin a little before sleeping.
      for (int spin = 0; spin < 20000 && (ticket_.load(std::memory_order_acquire) >> 32) == seen; ++spin)
        _mm_pause();
      Call call;
      void* task;
      int parts;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        call = call_;
        task = task_;
        parts = parts_;
      }
      take(call, task, parts, seen);
    }
  }

  std::mutex callMutex_, mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int> remaining_{0};
  uint32_t generation_ = 0;  // guarded by mutex_
  Call call_ = nullptr;
  void* task_ = nullptr;
  int parts_ = 0;
  int threads_ = 0;
};
WorkerPool& pool() {
  static WorkerPool* p = new WorkerPool();  // never destroyed: detached workers may still wait on it at exit
  return *p;
}

// Runs fn(begin, end) over [0, count) split into up to threadCount contiguous ranges (multiples of `granule`),
// the first on the calling thread. An exception in any range is rethrown here after all have finished.
template <class Fn>
void parallelRanges(int64_t count, int64_t granule, double work, Fn&& fn) {
  const int64_t byWork = std::max<int64_t>(1, static_cast<int64_t>(work / MIN_WORK_PER_THREAD));
  const int64_t parts = std::min<int64_t>({threadCount.load(), (count + granule - 1) / granule, byWork});
  if (parts <= 1) {
    fn(int64_t{0}, count);
    return;
  }
  const int64_t per = ((count + parts - 1) / parts + granule - 1) / granule * granule;
  std::vector<std::exception_ptr> errors(parts);
  auto part = [&](int t) {
    const int64_t begin = t * per, end = std::min(count, begin + per);
    if (begin >= end) return;
    try {
      fn(begin, end);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  pool().run(static_cast<int>(parts), part);
  for (auto& error : errors)
    if (error) std::rethrow_exception(error);
}

// A packer of rows [base, ...) of a bigger A: one thread's share.
template <class Pack>
struct RowsFrom {
  const Pack& pack;
  int64_t base;
  void operator()(float* dst, int64_t i0, int64_t mc, int64_t p0, int64_t kc) const {
    pack(dst, base + i0, mc, p0, kc);
  }
};

// C [M x N] = A [M x K] * B [K x N], A's rows split over threads (each packs its own panels of A and of B).
template <class PackA, class PackB>
void parallelGemm(int64_t M, int64_t N, int64_t K, const PackA& packA, const PackB& packB, float* C) {
  parallelRanges(M, MR, 2.0 * M * N * K, [&](int64_t r0, int64_t r1) {
    gemm(r1 - r0, N, K, RowsFrom<PackA>{packA, r0}, packB, C + r0 * N, N);
  });
}

// ---- One input channel (a first layer, and the last layer's transposed conv): direct loops ----
// With cin 1 a patch row is kh x kw scattered values, so packing cost more than the GEMM it fed. Here each tap
// is a broadcast of one input value against 8 output channels; 8 consecutive output (or, for the input
// gradient, input) positions share each filter load. Stride 1, no dilation, channels a multiple of 8.
bool oneChannel(const Geometry& g) {
  return g.cin == 1 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.cout % 8 == 0 && g.cout > THIN;
}

constexpr int64_t SPAN = 8;  // positions per block

// y[b, oy, ox0 .. ox0 + N, c0 .. c0 + 8] for one output row.
template <int64_t N>
__attribute__((target("avx2,fma"))) void oneChannelForwardBlock(const float* image, const float* w, float* out,
                                                                 const Geometry& g, int64_t oy, int64_t ox0,
                                                                 int64_t c0) {
  __m256 acc[N];
  for (int64_t j = 0; j < N; ++j) acc[j] = _mm256_setzero_ps();
  for (int64_t ky = 0; ky < g.kh; ++ky) {
    const int64_t iy = oy - g.padTop + ky;
    if (iy < 0 || iy >= g.h) continue;
    const float* row = image + iy * g.w;
    for (int64_t kx = 0; kx < g.kw; ++kx) {
      const __m256 wv = _mm256_loadu_ps(w + (ky * g.kw + kx) * g.cout + c0);
      const int64_t base = ox0 - g.padLeft + kx;
      if (base >= 0 && base + N <= g.w) {
        for (int64_t j = 0; j < N; ++j) acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(row + base + j), wv, acc[j]);
      } else {
        for (int64_t j = 0; j < N; ++j)
          if (base + j >= 0 && base + j < g.w)
            acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(row + base + j), wv, acc[j]);
      }
    }
  }
  for (int64_t j = 0; j < N; ++j) _mm256_storeu_ps(out + (ox0 + j) * g.cout + c0, acc[j]);
}

void oneChannelConv2d(const float* x, const float* w, float* y, const Geometry& g) {
  parallelRanges(g.n * g.oh, 1, 2.0 * g.positions() * g.kh * g.kw * g.cout, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* image = x + (r / g.oh) * g.h * g.w;
      float* out = y + r * g.ow * g.cout;
      for (int64_t c0 = 0; c0 < g.cout; c0 += 8) {
        int64_t ox = 0;
        for (; ox + SPAN <= g.ow; ox += SPAN) oneChannelForwardBlock<SPAN>(image, w, out, g, r % g.oh, ox, c0);
        for (; ox < g.ow; ++ox) oneChannelForwardBlock<1>(image, w, out, g, r % g.oh, ox, c0);
      }
    }
  });
}

__attribute__((target("avx2,fma"))) inline float horizontalSum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

// dx[b, iy, ix0 .. ix0 + N] = sum over taps and channels of dy[b, iy + padTop - ky, ix + padLeft - kx, c] w[ky, kx, c]
template <int64_t N>
__attribute__((target("avx2,fma"))) void oneChannelInputGradBlock(const float* dyImage, const float* w, float* dx,
                                                                  const Geometry& g, int64_t iy, int64_t ix0) {
  __m256 acc[N];
  for (int64_t j = 0; j < N; ++j) acc[j] = _mm256_setzero_ps();
  for (int64_t ky = 0; ky < g.kh; ++ky) {
    const int64_t oy = iy + g.padTop - ky;
    if (oy < 0 || oy >= g.oh) continue;
    const float* row = dyImage + oy * g.ow * g.cout;
    for (int64_t kx = 0; kx < g.kw; ++kx) {
      const float* wt = w + (ky * g.kw + kx) * g.cout;
      const int64_t base = ix0 + g.padLeft - kx;
      const bool inside = base >= 0 && base + N <= g.ow;
      for (int64_t c0 = 0; c0 < g.cout; c0 += 8) {
        const __m256 wv = _mm256_loadu_ps(wt + c0);
        for (int64_t j = 0; j < N; ++j)
          if (inside || (base + j >= 0 && base + j < g.ow))
            acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(row + (base + j) * g.cout + c0), wv, acc[j]);
      }
    }
  }
  for (int64_t j = 0; j < N; ++j) dx[ix0 + j] = horizontalSum(acc[j]);
}

void oneChannelInputGrad(const float* dy, const float* w, float* dx, const Geometry& g) {
  parallelRanges(g.n * g.h, 1, 2.0 * g.n * g.h * g.w * g.kh * g.kw * g.cout, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.h, iy = r % g.h;
      const float* dyImage = dy + b * g.oh * g.ow * g.cout;
      float* out = dx + r * g.w;
      int64_t ix = 0;
      for (; ix + SPAN <= g.w; ix += SPAN) oneChannelInputGradBlock<SPAN>(dyImage, w, out, g, iy, ix);
      for (; ix < g.w; ++ix) oneChannelInputGradBlock<1>(dyImage, w, out, g, iy, ix);
    }
  });
}

// dw[ky, kx, c0 .. c0 + 8] for every kx of one filter row: sum over positions of x[b, iy, ox - padLeft + kx] dy[b, oy, ox, c]
template <int64_t KW>
__attribute__((target("avx2,fma"))) void oneChannelFilterGradRow(const float* x, const float* dy, float* dw,
                                                                  const Geometry& g, int64_t ky, int64_t c0) {
  __m256 acc[KW];
  for (int64_t k = 0; k < KW; ++k) acc[k] = _mm256_setzero_ps();
  // Output columns whose every tap of the row reads inside x.
  const int64_t first = std::min(g.ow, std::max<int64_t>(0, g.padLeft)),
                last = std::max(first, std::min(g.ow, g.w - KW + 1 + g.padLeft));
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const int64_t iy = oy - g.padTop + ky;
      if (iy < 0 || iy >= g.h) continue;
      const float* row = x + (b * g.h + iy) * g.w - g.padLeft;
      const float* d = dy + ((b * g.oh + oy) * g.ow) * g.cout + c0;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        const __m256 dv = _mm256_loadu_ps(d + ox * g.cout);
        if (ox >= first && ox < last) {
          for (int64_t k = 0; k < KW; ++k) acc[k] = _mm256_fmadd_ps(_mm256_broadcast_ss(row + ox + k), dv, acc[k]);
        } else {
          for (int64_t k = 0; k < KW; ++k) {
            const int64_t ix = ox - g.padLeft + k;
            if (ix >= 0 && ix < g.w) acc[k] = _mm256_fmadd_ps(_mm256_broadcast_ss(row + ox + k), dv, acc[k]);
          }
        }
      }
    }
  }
  for (int64_t k = 0; k < KW; ++k) _mm256_storeu_ps(dw + (ky * KW + k) * g.cout + c0, acc[k]);
}

template <int64_t KW>
void oneChannelFilterGradWidth(const float* x, const float* dy, float* dw, const Geometry& g) {
  const int64_t blocks = g.cout / 8;
  parallelRanges(g.kh * blocks, 1, 2.0 * g.positions() * g.kh * KW * g.cout, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) oneChannelFilterGradRow<KW>(x, dy, dw, g, u / blocks, (u % blocks) * 8);
  });
}

// The filter gradient's row width is a template argument (its accumulators stay in registers): the widths vox's
// presets use. False for others, which take the GEMM.
bool oneChannelFilterGrad(const float* x, const float* dy, float* dw, const Geometry& g) {
  switch (g.kw) {
    case 3: return oneChannelFilterGradWidth<3>(x, dy, dw, g), true;
    case 5: return oneChannelFilterGradWidth<5>(x, dy, dw, g), true;
    case 7: return oneChannelFilterGradWidth<7>(x, dy, dw, g), true;
    case 9: return oneChannelFilterGradWidth<9>(x, dy, dw, g), true;
    default: return false;
  }
}

void conv2d(const float* x, const float* w, float* y, const Geometry& g) {
  if (g.cout <= THIN) return thinConv2d(x, w, y, g);
  if (oneChannel(g)) return oneChannelConv2d(x, w, y, g);
  parallelGemm(g.positions(), g.cout, g.taps(), PatchesA{x, g}, RowMajorB{w, g.cout}, y);
}

void conv2dFilterGrad(const float* x, const float* dy, float* dw, const Geometry& g) {
  if (g.cout <= THIN) return thinFilterGrad(x, dy, dw, g);
  if (oneChannel(g) && oneChannelFilterGrad(x, dy, dw, g)) return;
  parallelGemm(g.taps(), g.cout, g.positions(), TransposedPatchesA{x, g}, RowMajorB{dy, g.cout}, dw);
}

// At stride 1 the input gradient is a forward convolution of dy with the filter flipped in both axes and its
// channels swapped, padded by (k - 1 - pad): one GEMM with nothing to scatter (the patch product below spends a
// third of its time adding overlapping patches into dx).
thread_local Scratch flippedFilter;
bool inputGradAsForward(const float* dy, const float* w, float* dx, const Geometry& g) {
  if (g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1 || g.padTop > g.kh - 1 || g.padLeft > g.kw - 1) return false;
  float* flipped = flippedFilter.get(static_cast<size_t>(g.taps() * g.cout));
  for (int64_t ky = 0; ky < g.kh; ++ky)
    for (int64_t kx = 0; kx < g.kw; ++kx) {
      const float* src = w + (ky * g.kw + kx) * g.cin * g.cout;                      // [cin][cout]
      float* dst = flipped + ((g.kh - 1 - ky) * g.kw + (g.kw - 1 - kx)) * g.cout * g.cin;  // [cout][cin]
      transpose(src, dst, g.cin, g.cout);
    }
  const Geometry t{g.n, g.oh, g.ow, g.cout, g.h, g.w, g.cin, g.kh, g.kw, 1, 1, 1, 1, g.kh - 1 - g.padTop,
                   g.kw - 1 - g.padLeft};
  conv2d(dy, flipped, dx, t);
  return true;
}

void conv2dInputGrad(const float* dy, const float* w, float* dx, const Geometry& g) {
  if (g.cout <= THIN) return thinInputGrad(dy, w, dx, g);
  if (oneChannel(g)) return oneChannelInputGrad(dy, w, dx, g);
  if (g.cin > THIN && inputGradAsForward(dy, w, dx, g)) return;
  const int64_t K = g.taps(), M = g.positions();
  std::fill(dx, dx + g.n * g.h * g.w * g.cin, 0.0f);
  // Patch gradients for a block of output positions at a time (about 4 M values), scattered into dx.
  const int64_t blockRows = std::max<int64_t>(MR, ((int64_t{1} << 22) / std::max<int64_t>(K, 1)) / MR * MR);
  float* block = rowBlock.get(static_cast<size_t>(std::min(blockRows, M) * K));
  for (int64_t m0 = 0; m0 < M; m0 += blockRows) {
    const int64_t rows = std::min(blockRows, M - m0);
    parallelGemm(rows, K, g.cout, RowMajorA{dy + m0 * g.cout, g.cout}, TransposedB{w, g.cout}, block);
    // Overlapping patches add into the same dx values: threads take disjoint channel ranges instead of rows.
    // (A scattered value costs about what 40 GEMM flops do: ~2 G values/s against ~80 GFLOP/s.)
    parallelRanges(g.cin, 8, 40.0 * rows * K, [&](int64_t c0, int64_t c1) {
      forEachTap(g, m0, m0 + rows, [&](int64_t m, int64_t tap, int64_t at) {
        const float* src = block + (m - m0) * K + tap * g.cin;
        for (int64_t c = c0; c < c1; ++c) dx[at + c] += src[c];
      });
    });
  }
}

// ---- N-API glue ----


Geometry geometry(napi_env env, napi_value value) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (isTyped) napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  if (!isTyped || type != napi_int32_array || length != 15)
    throw ArgError{"geometry: expected an Int32Array of 15 values [n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, "
                   "dw, padTop, padLeft]"};
  const int32_t* v = static_cast<int32_t*>(data);
  Geometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  for (int i = 0; i < 13; ++i)
    if (v[i] < (i < 9 ? 0 : 1)) throw ArgError{"geometry: value " + std::to_string(i) + " out of range"};
  return g;
}

enum class Kind { Forward, FilterGrad, InputGrad };

template <Kind kind>
napi_value call(napi_env env, napi_callback_info info) {
  return vox_native::withArgs<4>(env, info, "conv", [&](napi_value* argv) {
    const Geometry g = geometry(env, argv[3]);
    const int64_t xSize = g.n * g.h * g.w * g.cin, wSize = g.taps() * g.cout, ySize = g.positions() * g.cout;
    if (kind == Kind::Forward) {
      conv2d(floatArray(env, argv[0], "x", xSize), floatArray(env, argv[1], "filter", wSize),
             floatArray(env, argv[2], "y", ySize), g);
    } else if (kind == Kind::FilterGrad) {
      conv2dFilterGrad(floatArray(env, argv[0], "x", xSize), floatArray(env, argv[1], "dy", ySize),
                       floatArray(env, argv[2], "dw", wSize), g);
    } else {
      conv2dInputGrad(floatArray(env, argv[0], "dy", ySize), floatArray(env, argv[1], "filter", wSize),
                      floatArray(env, argv[2], "dx", xSize), g);
    }
  });
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1 || n > 256) {
    napi_throw_range_error(env, nullptr, "setThreads: expected a whole number of threads from 1 to 256");
    return nullptr;
  }
  threadCount.store(n);
  return nullptr;
}

napi_value supported(napi_env env, napi_callback_info) {
  __builtin_cpu_init();
  napi_value result;
  napi_get_boolean(env, __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"), &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"conv2d", nullptr, call<Kind::Forward>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dFilterGrad", nullptr, call<Kind::FilterGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dInputGrad", nullptr, call<Kind::InputGrad>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormForward", nullptr, batchNormForward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormBackward", nullptr, batchNormBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"supported", nullptr, supported, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

// Batch normalisation in training mode for vox's tfjs backends, in C++ with AVX2 (one pass per direction).
//
// Why: on the wasm backend a training-mode BatchNorm is about 25 kernels forward and backward (moments, the
// normalisation, and the gradients of both, each reduction over N, H, W transposing the whole map first); in
// the demo recipe's small generator they cost about as much as its convolutions. Here x is [rows, C] (NHWC
// flattened), statistics are per channel over the rows, the variance is the biased one (tf.moments'):
//   forward   mean, var; y = (x - mean) / sqrt(var + eps) * gamma + beta
//   backward  dbeta = sum dy; dgamma = sum dy * xhat;
//             dx = gamma / sqrt(var + eps) * (dy - dbeta / rows - xhat * dgamma / rows)
// which is the gradient of the whole composite (through the batch statistics too). Sums run in double.

#include "batch_norm_kernels.h"
#include "napi_args.h"

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using vox_native::ArgError;
using vox_native::floatArray;

int64_t length(napi_env env, napi_value value) {
  size_t n = 0;
  napi_typedarray_type type;
  void* data = nullptr;
  napi_get_typedarray_info(env, value, &type, &n, &data, nullptr, nullptr);
  return static_cast<int64_t>(n);
}

// Per-channel sums of a [rows, C] array and, when b is given, of its products with b; accumulated in double.
void channelSums(const float* a, const float* b, int64_t rows, int64_t c, double* sumA, double* sumAB) {
  for (int64_t j = 0; j < c; ++j) sumA[j] = 0.0;
  if (b)
    for (int64_t j = 0; j < c; ++j) sumAB[j] = 0.0;
  for (int64_t i = 0; i < rows; ++i) {
    const float* ra = a + i * c;
    const float* rb = b ? b + i * c : nullptr;
    for (int64_t j = 0; j < c; ++j) {
      sumA[j] += ra[j];
      if (rb) sumAB[j] += static_cast<double>(ra[j]) * rb[j];
    }
  }
}

__attribute__((target("avx2,fma"))) void forward(const float* x, const float* gamma, const float* beta, float* y,
                                                  float* mean, float* variance, int64_t rows, int64_t c,
                                                  float epsilon) {
  std::vector<double> sum(c), squares(c, 0.0);
  channelSums(x, nullptr, rows, c, sum.data(), nullptr);
  for (int64_t j = 0; j < c; ++j) mean[j] = static_cast<float>(sum[j] / rows);
  // Two passes: the variance of centred values (no cancellation for maps far from zero mean).
  for (int64_t i = 0; i < rows; ++i) {
    const float* r = x + i * c;
    for (int64_t j = 0; j < c; ++j) {
      const double d = static_cast<double>(r[j]) - mean[j];
      squares[j] += d * d;
    }
  }
  std::vector<float> scale(c), shift(c);
  for (int64_t j = 0; j < c; ++j) {
    variance[j] = static_cast<float>(squares[j] / rows);
    scale[j] = gamma[j] / std::sqrt(variance[j] + epsilon);
    shift[j] = beta[j] - mean[j] * scale[j];
  }
  for (int64_t i = 0; i < rows; ++i) {
    const float* r = x + i * c;
    float* o = y + i * c;
    int64_t j = 0;
    for (; j + 8 <= c; j += 8) {
      const __m256 v = _mm256_loadu_ps(r + j);
      _mm256_storeu_ps(o + j, _mm256_fmadd_ps(v, _mm256_loadu_ps(&scale[j]), _mm256_loadu_ps(&shift[j])));
    }
    for (; j < c; ++j) o[j] = r[j] * scale[j] + shift[j];
  }
}

__attribute__((target("avx2,fma"))) void backward(const float* dy, const float* x, const float* mean,
                                                   const float* variance, const float* gamma, float* dx, float* dgamma,
                                                   float* dbeta, int64_t rows, int64_t c, float epsilon) {
  std::vector<double> sumDy(c), sumDyX(c);
  channelSums(dy, x, rows, c, sumDy.data(), sumDyX.data());
  // sum dy * xhat = (sum dy * x - mean * sum dy) * inverseStd
  std::vector<float> a(c), b(c), k(c);
  for (int64_t j = 0; j < c; ++j) {
    const double inverseStd = 1.0 / std::sqrt(static_cast<double>(variance[j]) + epsilon);
    const double sumDyXhat = (sumDyX[j] - mean[j] * sumDy[j]) * inverseStd;
    dbeta[j] = static_cast<float>(sumDy[j]);
    dgamma[j] = static_cast<float>(sumDyXhat);
    // dx = g * (dy - sumDy / rows - xhat * sumDyXhat / rows), g = gamma * inverseStd, xhat = (x - mean) * inverseStd
    //    = a * dy + b * x + k
    const double g = gamma[j] * inverseStd;
    const double slope = sumDyXhat / rows * inverseStd;  // per unit of (x - mean)
    a[j] = static_cast<float>(g);
    b[j] = static_cast<float>(-g * slope);
    k[j] = static_cast<float>(g * (-sumDy[j] / rows + slope * mean[j]));
  }
  for (int64_t i = 0; i < rows; ++i) {
    const float* rd = dy + i * c;
    const float* rx = x + i * c;
    float* o = dx + i * c;
    int64_t j = 0;
    for (; j + 8 <= c; j += 8) {
      __m256 v = _mm256_fmadd_ps(_mm256_loadu_ps(rd + j), _mm256_loadu_ps(&a[j]), _mm256_loadu_ps(&k[j]));
      _mm256_storeu_ps(o + j, _mm256_fmadd_ps(_mm256_loadu_ps(rx + j), _mm256_loadu_ps(&b[j]), v));
    }
    for (; j < c; ++j) o[j] = rd[j] * a[j] + rx[j] * b[j] + k[j];
  }
}

double numberArg(napi_env env, napi_value value, const char* name) {
  double v = 0;
  if (napi_get_value_double(env, value, &v) != napi_ok) throw ArgError{std::string(name) + ": expected a number"};
  return v;
}

}  // namespace

// batchNormForward(x, gamma, beta, y, mean, variance, channels, epsilon)
napi_value batchNormForward(napi_env env, napi_callback_info info) {
  return vox_native::withArgs<8>(env, info, "batchNormForward", [&](napi_value* argv) {
    const int64_t c = static_cast<int64_t>(numberArg(env, argv[6], "channels"));
    const int64_t size = length(env, argv[0]);
    if (c < 1 || size % c != 0 || size == 0) throw ArgError{"x: expected a whole number of rows of " + std::to_string(c)};
    forward(floatArray(env, argv[0], "x", size), floatArray(env, argv[1], "gamma", c),
            floatArray(env, argv[2], "beta", c), floatArray(env, argv[3], "y", size),
            floatArray(env, argv[4], "mean", c), floatArray(env, argv[5], "variance", c), size / c, c,
            static_cast<float>(numberArg(env, argv[7], "epsilon")));
  });
}

// batchNormBackward(dy, x, mean, variance, gamma, dx, dgamma, dbeta, channels, epsilon)
napi_value batchNormBackward(napi_env env, napi_callback_info info) {
  return vox_native::withArgs<10>(env, info, "batchNormBackward", [&](napi_value* argv) {
    const int64_t c = static_cast<int64_t>(numberArg(env, argv[8], "channels"));
    const int64_t size = length(env, argv[0]);
    if (c < 1 || size % c != 0 || size == 0) throw ArgError{"dy: expected a whole number of rows of " + std::to_string(c)};
    backward(floatArray(env, argv[0], "dy", size), floatArray(env, argv[1], "x", size),
             floatArray(env, argv[2], "mean", c), floatArray(env, argv[3], "variance", c),
             floatArray(env, argv[4], "gamma", c), floatArray(env, argv[5], "dx", size),
             floatArray(env, argv[6], "dgamma", c), floatArray(env, argv[7], "dbeta", c), size / c, c,
             static_cast<float>(numberArg(env, argv[9], "epsilon")));
  });
}

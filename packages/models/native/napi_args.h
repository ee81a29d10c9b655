// Reading the addon's arguments (conv_kernels.cc, batch_norm_kernels.cc): typed arrays checked for type and
// length, with errors that name the argument; the caller turns an ArgError into a JS TypeError.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <new>
#include <string>

namespace vox_native {

struct ArgError {
  std::string message;
};

// The Float32Array `value` (argument `name`), of exactly `expected` values (any length when expected < 0).
inline float* floatArray(napi_env env, napi_value value, const char* name, int64_t expected) {
  bool isTyped = false;
  napi_is_typedarray(env, value, &isTyped);
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (isTyped) napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr);
  if (!isTyped || type != napi_float32_array) throw ArgError{std::string(name) + ": expected a Float32Array"};
  if (expected >= 0 && static_cast<int64_t>(length) != expected)
    throw ArgError{std::string(name) + ": expected " + std::to_string(expected) + " values, found " +
                   std::to_string(length)};
  return static_cast<float*>(data);
}

// An addon function of exactly N arguments: body(argv) runs with them; an ArgError becomes a TypeError and an
// allocation failure a RangeError in JS, never a crash.
template <size_t N, class Body>
napi_value withArgs(napi_env env, napi_callback_info info, const char* name, Body&& body) {
  size_t argc = N;
  napi_value argv[N];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  try {
    if (argc != N) throw ArgError{std::string(name) + ": expected " + std::to_string(N) + " arguments"};
    body(argv);
  } catch (const ArgError& e) {
    napi_throw_type_error(env, nullptr, e.message.c_str());
  } catch (const std::bad_alloc&) {
    napi_throw_range_error(env, nullptr, (std::string(name) + ": out of memory for packing buffers").c_str());
  }
  return nullptr;
}

}  // namespace vox_native

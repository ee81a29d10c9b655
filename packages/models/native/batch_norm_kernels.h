// Batch normalisation in training mode (batch_norm_kernels.cc), exported by the addon's module (conv_kernels.cc).
#pragma once
#include <node_api.h>

napi_value batchNormForward(napi_env env, napi_callback_info info);
napi_value batchNormBackward(napi_env env, napi_callback_info info);

/**
 * TensorFlow.js as @vox/models uses it: the umbrella @tensorflow/tfjs (core with all gradients registered,
 * layers, the cpu backend) with the Conv2D gradient replaced by forward convolutions (ops/conv.ts) and
 * BatchNorm's by one that broadcasts instead of tiling (ops/batch-norm.ts). Every module of this package imports
 * tf from here, except the ops/ modules this one registers, which import @tensorflow/tfjs itself (one copy of it:
 * the same module). (Importing tfjs-core's gradient registration by its deep ESM path instead loads a second copy of
 * tfjs-core beside the CommonJS one the backends use, and tensors of one copy then fail in ops of the other.)
 */
import { useBroadcastBatchNormGradient } from "./ops/batch-norm.js";
import { setConvGradientMode } from "./ops/conv.js";

setConvGradientMode("fast");
useBroadcastBatchNormGradient();

export * from "@tensorflow/tfjs";

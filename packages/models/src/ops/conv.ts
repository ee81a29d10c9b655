/**
 * Convolution gradients as forward convolutions.
 *
 * Why: on the wasm backend (the engine on machines without libtensorflow) tfjs 4.22 has no
 * Conv2DBackpropFilter kernel and its Conv2DBackpropInput / conv2dTranspose run ~2 GFLOP/s, against 16-23 for
 * a forward Conv2D; the cpu backend's filter gradient runs ~0.01 GFLOP/s. So the two adjoints of a
 * convolution are written here with forward `tf.conv2d` plus cheap reshaping ops, and registered as the
 * gradient of tfjs's Conv2D kernel:
 *
 *   y  = conv(x, w)              (native Conv2D: stride s or dilation d, explicit or 'same'/'valid' padding)
 *   dx = convTranspose(dy, w)    stride 1: one dilated forward conv with the flipped kernel;
 *                                stride s: s x s forward convs over dy, one per output phase, interleaved
 *   dw = filterGrad(x, dy)       one forward conv with x's channels as the batch and dy as a filter
 *                                (the roles of stride and dilation swap)
 *
 * Both adjoints are made of ops whose gradients tfjs knows (Conv2D among them, i.e. this gradient again), so
 * gradients of gradients work too: WGAN-GP's penalty differentiates a gradient norm. Registering the kernel's
 * gradient (rather than wrapping ops in tf.customGrad) also speeds up every tf.conv2d, tfjs-layers' included.
 *
 * Weight-bound convolutions (a large filter applied at few output positions, see isWeightBound) take a patch
 * product + col2im for dx and one im2col product for dw instead: there the phase decomposition's filter copies
 * dominate. The patch product also takes dx below weight-bound where it pays (PATCH_INPUT_GRAD_FILTER_PER_POSITION),
 * and stride-1 filter gradients at batch 1 take patch rows (filterGradByPatchRows). tfjs's Conv2DBackpropInput
 * kernel (tf.conv2dTranspose) gets a gradient in forward convolutions here too.
 * Layout NHWC, filters [kh, kw, cin, cout]. The folder conv/: geometry.ts, route.ts (the one dispatcher, the
 * only place that asks whether the native kernels are in), phases.ts, filter-grad.ts, input-grad-patches.ts and
 * gradients.ts (the registered gradients).
 */
export { setConvGradientMode, convGradientMode, type ConvGradientMode } from "./conv/gradients.js";
export { type ConvGeometry, convOutputSize } from "./conv/geometry.js";
export { conv2dFast, conv2dFilterGrad, conv2dTransposeFast, isWeightBound } from "./conv/route.js";

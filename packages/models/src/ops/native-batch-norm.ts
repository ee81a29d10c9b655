/**
 * Training-mode batch normalisation as one native kernel each way (native/batch_norm_kernels.cc), where the
 * addon runs: `VoxBatchNormTraining` (x, gamma, beta -> y, batch mean, batch variance) and its gradient kernel.
 *
 * Why: tfjs-layers' BatchNormalization in training is tf.moments + FusedBatchNorm, about 25 wasm kernels with
 * their gradients, each reduction over N, H, W transposing the whole map; in the demo recipe's generator they
 * cost a third of the step. The gradient here is the whole composite's (through the batch statistics); the
 * statistics outputs feed only the moving averages and carry no gradient. Registered and removed with the
 * native conv kernels (native-conv.ts); {@link batchNormTraining} returns null where they are not in.
 */
import * as tf from "@tensorflow/tfjs";
import { buffersOf, type NativeAddon, type NativeBackend } from "./native-addon.js";

export const BATCH_NORM_TRAINING = "VoxBatchNormTraining";
const BATCH_NORM_TRAINING_GRAD = "VoxBatchNormTrainingGrad";
/** The kernels {@link batchNormKernelConfigs} registers. */
export const batchNormKernelNames = [BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD] as const;

interface BatchNormAttrs {
  epsilon: number;
}

function channelsOf(x: tf.TensorInfo): number {
  return x.shape[x.shape.length - 1] ?? 1;
}

/** The forward and gradient kernels of one backend. */
export function batchNormKernelConfigs(backendName: NativeBackend, native: NativeAddon): tf.KernelConfig[] {
  const forward: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
    const c = channelsOf(x);
    const buffers = buffersOf(backendName, backend);
    // Allocate every output before taking views: an allocation may move the wasm heap.
    const y = buffers.output(x.shape);
    const mean = buffers.output([c]);
    const variance = buffers.output([c]);
    const { epsilon } = attrs as unknown as BatchNormAttrs;
    native.batchNormForward(
      buffers.view(x),
      buffers.view(gamma),
      buffers.view(beta),
      buffers.view(y),
      buffers.view(mean),
      buffers.view(variance),
      c,
      epsilon,
    );
    return [y, mean, variance];
  };
  const gradient: tf.KernelFunc = ({ inputs, attrs, backend }) => {
    const { dy, x, mean, variance, gamma } = inputs as Record<string, tf.TensorInfo>;
    const c = channelsOf(x as tf.TensorInfo);
    const buffers = buffersOf(backendName, backend);
    const dx = buffers.output((x as tf.TensorInfo).shape);
    const dgamma = buffers.output([c]);
    const dbeta = buffers.output([c]);
    const { epsilon } = attrs as unknown as BatchNormAttrs;
    const v = (t: tf.TensorInfo | undefined) => buffers.view(t as tf.TensorInfo);
    native.batchNormBackward(v(dy), v(x), v(mean), v(variance), v(gamma), v(dx), v(dgamma), v(dbeta), c, epsilon);
    return [dx, dgamma, dbeta];
  };
  return [
    { kernelName: BATCH_NORM_TRAINING, backendName, kernelFunc: forward },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName, kernelFunc: gradient },
  ];
}

const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ["x", "gamma"],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const dy = (dys as tf.Tensor[])[0] as tf.Tensor;
    const [x, gamma, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, mean, variance, gamma }, attrs) as tf.Tensor[];
    return { x: () => dx as tf.Tensor, gamma: () => dgamma as tf.Tensor, beta: () => dbeta as tf.Tensor };
  },
};
tf.registerGradient(batchNormTrainingGradient);

/**
 * y = (x - mean) / sqrt(variance + epsilon) * gamma + beta with the batch's statistics over every axis but the
 * last (biased variance, as tf.moments), and those statistics; null where the native kernel is not registered
 * for the active backend (the caller then takes tf.moments + tf.batchNorm).
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } | null {
  if (!tf.getKernel(BATCH_NORM_TRAINING, tf.getBackend())) return null;
  if (x.dtype !== "float32") return null;
  const attrs = { epsilon } as unknown as tf.NamedAttrMap;
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAINING, { x, gamma, beta }, attrs) as tf.Tensor[];
  return { y: y as tf.Tensor, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

import * as tf from "../tfjs.js";
import type { Shape } from "./common.js";

/**
 * Concatenates a label vector, repeated over every spatial position, to a feature map:
 * [features (n, h, w, c), labels (n, l)] -> (n, h, w, c + l). The seed tiles its 1479 labels over the 32 x 32
 * bottleneck this way; the image StarGAN over its input.
 */
export class TileLabels extends tf.layers.Layer {
  static className = "VoxTileLabels";

  constructor(args: { name?: string } = {}) {
    super(args);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [features, labels] = inputShape as Shape[];
    const [n, h, w, c] = features as Shape;
    const l = (labels as Shape)[1];
    return [n ?? null, h ?? null, w ?? null, c == null || l == null ? null : c + l];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [features, labels] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const [n, h, w] = features.shape;
      const tiled = tf.tile(tf.reshape(labels, [n, 1, 1, labels.shape[1]]), [1, h, w, 1]);
      return tf.concat([features, tiled], 3);
    });
  }
}
tf.serialization.registerClass(TileLabels);

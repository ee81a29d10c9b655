import type { Cepstra } from "./cepstrum.js";

/** Utterance-level speaker features: per-coefficient mean and standard deviation of c1..cD over the frames. */
export function utteranceEmbedding(cepstra: Cepstra): Float64Array {
  const width = cepstra.order + 1;
  const out = new Float64Array(2 * cepstra.order);
  for (let d = 1; d < width; d++) {
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < cepstra.frames; t++) {
      const v = cepstra.data[t * width + d] ?? 0;
      sum += v;
      squares += v * v;
    }
    const mean = sum / cepstra.frames;
    out[d - 1] = mean;
    out[cepstra.order + d - 1] = Math.sqrt(Math.max(0, squares / cepstra.frames - mean * mean));
  }
  return out;
}

export interface ClassifierOptions {
  iterations?: number;
  learningRate?: number;
  /** L2 weight decay. */
  l2?: number;
}

/**
 * An independent speaker classifier (not the GAN's discriminator): multinomial logistic regression on standardised
 * utterance embeddings (mean and spread of each mel-cepstral coefficient), trained by full-batch gradient descent
 * on real utterances. Deterministic: weights start at 0.
 */
export class SpeakerClassifier {
  private mean = new Float64Array(0);
  private scale = new Float64Array(0);
  private weights = new Float64Array(0);
  private dims = 0;

  constructor(readonly speakers: readonly string[]) {}

  private standardise(x: Float64Array): Float64Array {
    return x.map((v, k) => (v - (this.mean[k] ?? 0)) / (this.scale[k] ?? 1));
  }

  fit(examples: { embedding: Float64Array; speaker: string }[], options: ClassifierOptions = {}): this {
    const { iterations = 400, learningRate = 0.5, l2 = 1e-3 } = options;
    const classes = this.speakers.length;
    if (examples.length === 0) throw new RangeError("SpeakerClassifier.fit: expected training utterances, found none");
    this.dims = examples[0]?.embedding.length ?? 0;
    const n = examples.length;
    this.mean = new Float64Array(this.dims);
    this.scale = new Float64Array(this.dims);
    for (const { embedding } of examples)
      for (let k = 0; k < this.dims; k++) this.mean[k] = (this.mean[k] ?? 0) + (embedding[k] ?? 0) / n;
    for (const { embedding } of examples) {
      for (let k = 0; k < this.dims; k++)
        this.scale[k] = (this.scale[k] ?? 0) + ((embedding[k] ?? 0) - (this.mean[k] ?? 0)) ** 2 / n;
    }
    this.scale = this.scale.map((v) => Math.sqrt(v) || 1);
    const inputs = examples.map((e) => this.standardise(e.embedding));
    const labels = examples.map((e) => {
      const label = this.speakers.indexOf(e.speaker);
      if (label < 0)
        throw new RangeError(
          `SpeakerClassifier.fit: speaker ${JSON.stringify(e.speaker)} is not one of ${this.speakers.join(", ")}`,
        );
      return label;
    });
    const width = this.dims + 1; // + bias
    this.weights = new Float64Array(classes * width);
    const gradient = new Float64Array(classes * width);
    for (let iteration = 0; iteration < iterations; iteration++) {
      gradient.fill(0);
      inputs.forEach((x, index) => {
        const p = this.probabilitiesOf(x);
        for (let c = 0; c < classes; c++) {
          const error = (p[c] ?? 0) - (c === labels[index] ? 1 : 0);
          for (let k = 0; k < this.dims; k++)
            gradient[c * width + k] = (gradient[c * width + k] ?? 0) + error * (x[k] ?? 0);
          gradient[c * width + this.dims] = (gradient[c * width + this.dims] ?? 0) + error;
        }
      });
      for (let w = 0; w < this.weights.length; w++) {
        this.weights[w] =
          (this.weights[w] ?? 0) - learningRate * ((gradient[w] ?? 0) / n + l2 * (this.weights[w] ?? 0));
      }
    }
    return this;
  }

  private probabilitiesOf(x: Float64Array): Float64Array {
    const classes = this.speakers.length;
    const width = this.dims + 1;
    const logits = new Float64Array(classes);
    for (let c = 0; c < classes; c++) {
      let z = this.weights[c * width + this.dims] ?? 0;
      for (let k = 0; k < this.dims; k++) z += (this.weights[c * width + k] ?? 0) * (x[k] ?? 0);
      logits[c] = z;
    }
    const top = Math.max(...logits);
    const exp = logits.map((z) => Math.exp(z - top));
    const total = exp.reduce((a, b) => a + b, 0);
    return exp.map((v) => v / total);
  }

  /** Probability of each speaker (in `speakers` order). */
  probabilities(embedding: Float64Array): Float64Array {
    return this.probabilitiesOf(this.standardise(embedding));
  }

  predict(embedding: Float64Array): string {
    const p = this.probabilities(embedding);
    let best = 0;
    for (let c = 1; c < p.length; c++) if ((p[c] ?? 0) > (p[best] ?? 0)) best = c;
    return this.speakers[best] ?? "";
  }
}

import type { Cepstra } from "./cepstrum.js";

/** Frames as rows: value k of frame t at `data[t * dims + k]`. */
export interface FrameMatrix {
  data: Float64Array;
  frames: number;
  dims: number;
}

/** A frame is heard when its c0 (mean ln amplitude) is within 40 dB of the utterance's loudest frame. */
const QUIET_LN_AMPLITUDE = Math.log(100);

/**
 * The frames a speaker model hears: c1..cD and their deltas ((c[t+1] - c[t-1]) / 2), of the frames within 40 dB of
 * the loudest (silence says nothing about the voice). Deltas are taken before quiet frames are dropped, so every
 * kept frame's context is real.
 */
export function speakerFrames(cepstra: Cepstra): FrameMatrix {
  const { frames, order } = cepstra;
  const width = order + 1;
  const dims = 2 * order;
  let loudest = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < frames; t++) loudest = Math.max(loudest, cepstra.data[t * width] ?? 0);
  const kept: number[] = [];
  for (let t = 0; t < frames; t++) if ((cepstra.data[t * width] ?? 0) >= loudest - QUIET_LN_AMPLITUDE) kept.push(t);
  const data = new Float64Array(kept.length * dims);
  kept.forEach((t, row) => {
    const previous = Math.max(0, t - 1) * width;
    const next = Math.min(frames - 1, t + 1) * width;
    for (let d = 1; d < width; d++) {
      data[row * dims + d - 1] = cepstra.data[t * width + d] ?? 0;
      data[row * dims + order + d - 1] = ((cepstra.data[next + d] ?? 0) - (cepstra.data[previous + d] ?? 0)) / 2;
    }
  });
  return { data, frames: kept.length, dims };
}

/** Every `step`-th frame of `frames` utterances, concatenated: a speaker's training frames under a cap. */
function concatenateFrames(parts: readonly FrameMatrix[], most: number): FrameMatrix {
  const dims = parts[0]?.dims ?? 0;
  const total = parts.reduce((n, p) => n + p.frames, 0);
  const step = Math.max(1, Math.ceil(total / most));
  const data = new Float64Array(Math.ceil(total / step) * dims);
  let index = 0;
  let row = 0;
  for (const part of parts) {
    for (let t = 0; t < part.frames; t++, index++) {
      if (index % step !== 0) continue;
      data.set(part.data.subarray(t * dims, (t + 1) * dims), row * dims);
      row++;
    }
  }
  return { data: data.subarray(0, row * dims), frames: row, dims };
}

/**
 * A diagonal-covariance Gaussian mixture over frames, fitted by EM from one component split in two until it has
 * `components` (the LBG/binary-splitting start speaker-ID GMMs use), with k-means passes after each split (EM alone
 * separates two wide halves only slowly): deterministic, no random start.
 */
export class DiagonalGmm {
  private weights = new Float64Array(0);
  private means: Float64Array[] = [];
  private variances: Float64Array[] = [];
  /** Per component: ln weight - 0.5 sum ln(2 pi var), refreshed after each M step. */
  private constants = new Float64Array(0);
  private responsibilities = new Float64Array(0);

  constructor(readonly dims: number) {}

  get components(): number {
    return this.means.length;
  }

  fit(x: FrameMatrix, components: number, iterationsPerSplit = 8): this {
    if (x.frames === 0) throw new RangeError("DiagonalGmm.fit: expected frames, found none");
    if (x.dims !== this.dims) throw new RangeError(`DiagonalGmm.fit: expected ${this.dims} dims, found ${x.dims}`);
    const { dims } = this;
    const mean = new Float64Array(dims);
    const variance = new Float64Array(dims);
    for (let t = 0; t < x.frames; t++) for (let k = 0; k < dims; k++) mean[k] += (x.data[t * dims + k] ?? 0) / x.frames;
    for (let t = 0; t < x.frames; t++)
      for (let k = 0; k < dims; k++) variance[k] += ((x.data[t * dims + k] ?? 0) - (mean[k] ?? 0)) ** 2 / x.frames;
    // A floor on each variance (a thousandth of the data's) keeps a component that collapses onto a few frames finite.
    const floor = variance.map((v) => Math.max(v * 1e-3, 1e-8));
    this.means = [mean];
    this.variances = [variance.map((v, k) => Math.max(v, floor[k] ?? 0))];
    this.weights = Float64Array.of(1);
    while (this.components < components) {
      const split = Math.min(this.components, components - this.components);
      for (let c = 0; c < split; c++) {
        const mu = this.means[c] as Float64Array;
        const sigma = (this.variances[c] as Float64Array).map(Math.sqrt);
        this.means.push(mu.map((m, k) => m + 0.2 * (sigma[k] ?? 0)));
        this.means[c] = mu.map((m, k) => m - 0.2 * (sigma[k] ?? 0));
        this.variances.push(Float64Array.from(this.variances[c] as Float64Array));
        const w = (this.weights[c] ?? 0) / 2;
        this.weights = Float64Array.from([...this.weights, w]);
        this.weights[c] = w;
      }
      for (let i = 0; i < iterationsPerSplit; i++) this.kMeansStep(x, variance, floor);
    }
    for (let i = 0; i < 2 * iterationsPerSplit; i++) this.emStep(x, floor);
    return this;
  }

  /** Each frame to its nearest mean (distance scaled by the data's variance); the components refitted to them. */
  private kMeansStep(x: FrameMatrix, scale: Float64Array, floor: Float64Array): void {
    const { dims } = this;
    const k = this.components;
    const count = new Float64Array(k);
    const first = Array.from({ length: k }, () => new Float64Array(dims));
    const second = Array.from({ length: k }, () => new Float64Array(dims));
    for (let t = 0; t < x.frames; t++) {
      let nearest = 0;
      let best = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const mu = this.means[c] as Float64Array;
        let distance = 0;
        for (let j = 0; j < dims; j++) distance += ((x.data[t * dims + j] ?? 0) - (mu[j] ?? 0)) ** 2 / (scale[j] || 1);
        if (distance < best) {
          best = distance;
          nearest = c;
        }
      }
      count[nearest] += 1;
      const s1 = first[nearest] as Float64Array;
      const s2 = second[nearest] as Float64Array;
      for (let j = 0; j < dims; j++) {
        const value = x.data[t * dims + j] ?? 0;
        s1[j] += value;
        s2[j] += value * value;
      }
    }
    this.refit(count, first, second, x.frames, floor);
  }

  /** The M step from per-component mass and first and second moments. */
  private refit(
    mass: Float64Array,
    first: Float64Array[],
    second: Float64Array[],
    frames: number,
    floor: Float64Array,
  ) {
    for (let c = 0; c < this.components; c++) {
      const n = mass[c] ?? 0;
      // A component that lost every frame keeps its place (and a tiny weight) rather than becoming NaN.
      if (n < 1e-6) {
        this.weights[c] = 1e-10;
        continue;
      }
      this.weights[c] = n / frames;
      const mu = (first[c] as Float64Array).map((s) => s / n);
      this.means[c] = mu;
      this.variances[c] = (second[c] as Float64Array).map((s, j) => Math.max(s / n - (mu[j] ?? 0) ** 2, floor[j] ?? 0));
    }
  }

  private refreshConstants(): void {
    this.constants = this.weights.map((w, c) => {
      let sum = Math.log(Math.max(w, 1e-300));
      for (const v of this.variances[c] as Float64Array) sum -= 0.5 * Math.log(2 * Math.PI * v);
      return sum;
    });
    if (this.responsibilities.length !== this.components) this.responsibilities = new Float64Array(this.components);
  }

  /** ln p(frame t), leaving each component's posterior in `this.responsibilities`. */
  private frameLogLikelihood(x: FrameMatrix, t: number): number {
    const r = this.responsibilities;
    const offset = t * this.dims;
    let top = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < this.components; c++) {
      const mu = this.means[c] as Float64Array;
      const v = this.variances[c] as Float64Array;
      let sum = this.constants[c] ?? 0;
      for (let k = 0; k < this.dims; k++) {
        const d = (x.data[offset + k] ?? 0) - (mu[k] ?? 0);
        sum -= (0.5 * d * d) / (v[k] ?? 1);
      }
      r[c] = sum;
      if (sum > top) top = sum;
    }
    let total = 0;
    for (let c = 0; c < this.components; c++) {
      r[c] = Math.exp((r[c] ?? 0) - top);
      total += r[c] ?? 0;
    }
    for (let c = 0; c < this.components; c++) r[c] = (r[c] ?? 0) / total;
    return top + Math.log(total);
  }

  private emStep(x: FrameMatrix, floor: Float64Array): void {
    const { dims } = this;
    const k = this.components;
    this.refreshConstants();
    const mass = new Float64Array(k);
    const first = Array.from({ length: k }, () => new Float64Array(dims));
    const second = Array.from({ length: k }, () => new Float64Array(dims));
    for (let t = 0; t < x.frames; t++) {
      this.frameLogLikelihood(x, t);
      for (let c = 0; c < k; c++) {
        const g = this.responsibilities[c] ?? 0;
        if (g < 1e-10) continue;
        mass[c] += g;
        const s1 = first[c] as Float64Array;
        const s2 = second[c] as Float64Array;
        for (let j = 0; j < dims; j++) {
          const value = x.data[t * dims + j] ?? 0;
          s1[j] += g * value;
          s2[j] += g * value * value;
        }
      }
    }
    this.refit(mass, first, second, x.frames, floor);
  }

  /** Mean ln-likelihood per frame of `x`. */
  meanLogLikelihood(x: FrameMatrix): number {
    if (x.frames === 0) return Number.NEGATIVE_INFINITY;
    this.refreshConstants();
    let sum = 0;
    for (let t = 0; t < x.frames; t++) sum += this.frameLogLikelihood(x, t);
    return sum / x.frames;
  }
}

export interface ClassifierOptions {
  /** Mixture components per speaker (default 16). */
  components?: number;
  /** Training frames per speaker, evenly subsampled beyond this (default 20000): bounds the fit on big corpora. */
  maxFramesPerSpeaker?: number;
}

/**
 * An independent speaker classifier (not the GAN's discriminator): one diagonal GMM per speaker over the heard
 * frames' mel-cepstra and deltas (Reynolds' text-independent speaker identification), an utterance going to the
 * speaker under whose model its frames are likeliest. Trained on real utterances only. Frame-level on purpose: a
 * conversion that only moves each coefficient's mean and spread (the mean/variance baseline) matches utterance
 * statistics, not where each sound of the target voice lies, and an utterance-statistics classifier could not
 * tell the two apart.
 */
export class SpeakerClassifier {
  private models: DiagonalGmm[] = [];

  constructor(readonly speakers: readonly string[]) {}

  fit(examples: { frames: FrameMatrix; speaker: string }[], options: ClassifierOptions = {}): this {
    const { components = 16, maxFramesPerSpeaker = 20_000 } = options;
    if (examples.length === 0) throw new RangeError("SpeakerClassifier.fit: expected training utterances, found none");
    const bySpeaker = new Map<string, FrameMatrix[]>(this.speakers.map((s) => [s, []]));
    for (const e of examples) {
      const list = bySpeaker.get(e.speaker);
      if (!list)
        throw new RangeError(
          `SpeakerClassifier.fit: speaker ${JSON.stringify(e.speaker)} is not one of ${this.speakers.join(", ")}`,
        );
      if (e.frames.frames > 0) list.push(e.frames);
    }
    this.models = this.speakers.map((speaker) => {
      const frames = concatenateFrames(bySpeaker.get(speaker) ?? [], maxFramesPerSpeaker);
      if (frames.frames === 0)
        throw new RangeError(
          `SpeakerClassifier.fit: expected heard frames of speaker ${JSON.stringify(speaker)}, found none`,
        );
      return new DiagonalGmm(frames.dims).fit(frames, Math.min(components, frames.frames));
    });
    return this;
  }

  /** Mean ln-likelihood per frame under each speaker's model (in `speakers` order). */
  scores(frames: FrameMatrix): Float64Array {
    if (this.models.length === 0) throw new RangeError("SpeakerClassifier: expected fit() before scoring");
    return Float64Array.from(this.models, (model) => model.meanLogLikelihood(frames));
  }

  predict(frames: FrameMatrix): string {
    const s = this.scores(frames);
    let best = 0;
    for (let c = 1; c < s.length; c++) if ((s[c] ?? 0) > (s[best] ?? 0)) best = c;
    return this.speakers[best] ?? "";
  }
}

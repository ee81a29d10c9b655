// fft.js 4.0.4 ships no types; this declares the part of its API @vox/dsp uses.
declare module "fft.js" {
  export default class FFT {
    constructor(size: number);
    readonly size: number;
    createComplexArray(): number[];
    /** Fills bins 0..size/2 of `out` (interleaved re, im) from the real `input`; `out !== input`. */
    realTransform(out: ArrayLike<number> & { [index: number]: number }, input: ArrayLike<number>): void;
    completeSpectrum(spectrum: ArrayLike<number> & { [index: number]: number }): void;
    transform(out: ArrayLike<number> & { [index: number]: number }, input: ArrayLike<number>): void;
    /** Inverse complex transform, divided by size. */
    inverseTransform(out: ArrayLike<number> & { [index: number]: number }, input: ArrayLike<number>): void;
  }
}

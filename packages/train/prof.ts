import { buildGenerator, initBackend, presetConfig, tf } from "@vox/models";
await initBackend(undefined, () => {});
const cfg = presetConfig("stargan-vc2", { numLabels: 2, bins: 32, frames: 32 });
const G = buildGenerator(cfg.generator);
const x = tf.randomUniform([4, 32, 32, 1]);
const c = tf.randomUniform([4, 4]);
const gv = G.trainableWeights.map((w) => w.read() as tf.Variable);
const run = () => {
  tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => tf.mean(G.apply([x, c], { training: true }) as tf.Tensor) as tf.Scalar,
      gv,
    );
    return Object.values(grads)[0];
  })?.dispose();
};
run();
const t = performance.now();
run();
console.log("G grad ms", (performance.now() - t).toFixed(0));
const info = await tf.profile(run);
const byKernel = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += Number(k.kernelTimeMs) || 0;
  e.n++;
  byKernel.set(k.name, e);
}
console.log(
  [...byKernel]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8)
    .map(([n, e]) => `${n} ${e.ms.toFixed(0)}ms x${e.n}`)
    .join("\n"),
);
console.log(
  info.kernels
    .filter((k) => Number(k.kernelTimeMs) > 40)
    .slice(0, 12)
    .map(
      (k) =>
        `${k.name} ${Number(k.kernelTimeMs).toFixed(0)} in=${JSON.stringify(k.inputShapes)} out=${JSON.stringify(k.outputShapes)}`,
    )
    .join("\n"),
);

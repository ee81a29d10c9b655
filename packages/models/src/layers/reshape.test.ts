import { describeLayerContract, type LayerCase } from "../test-support.js";
import { FoldFrequency, ProjectionHead, UnfoldFrequency } from "./reshape.js";

const cases: LayerCase[] = [
  {
    name: "FoldFrequency",
    make: () => new FoldFrequency(),
    inputs: [[5, 6, 3]],
    output: [2, 1, 6, 15],
    hasWeights: false,
  },
  {
    name: "UnfoldFrequency",
    make: () => new UnfoldFrequency({ bins: 5 }),
    inputs: [[1, 6, 15]],
    output: [2, 5, 6, 3],
    hasWeights: false,
  },
  {
    name: "ProjectionHead",
    make: () => new ProjectionHead(),
    inputs: [[3, 4, 6], [4]],
    output: [2, 1],
    hasWeights: true,
    // Its output sums 12 positions of 6 channels, so an Adam step of 0.05 per weight moves it by about 1, the
    // target's own scale: 5 of 300 random starts then overshot in 3 steps; at 0.01 none did (worst loss ratio 0.44).
    learningRate: 0.01,
  },
];

describeLayerContract("reshape layers", cases);

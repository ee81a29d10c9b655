import { describeLayerContract, type LayerCase } from "../test-support.js";
import { GLU, LeakyReLU2, PixelShuffle } from "./activations.js";

const cases: LayerCase[] = [
  {
    name: "LeakyReLU2",
    make: () => new LeakyReLU2({ alpha: 0.2 }),
    inputs: [[3, 4, 2]],
    output: [2, 3, 4, 2],
    hasWeights: false,
  },
  { name: "GLU", make: () => new GLU(), inputs: [[3, 4, 6]], output: [2, 3, 4, 3], hasWeights: false },
  {
    name: "PixelShuffle",
    make: () => new PixelShuffle({ factor: 2 }),
    inputs: [[3, 4, 8]],
    output: [2, 6, 8, 2],
    hasWeights: false,
  },
];

describeLayerContract("activation layers", cases);

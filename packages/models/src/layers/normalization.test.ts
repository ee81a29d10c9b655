import { describeLayerContract, type LayerCase } from "../test-support.js";
import { BatchNorm, ConditionalInstanceNorm, InstanceNorm } from "./normalization.js";

const cases: LayerCase[] = [
  {
    name: "BatchNorm (training mode)",
    make: () => new BatchNorm({ momentum: 0.9, epsilon: 1e-5 }),
    inputs: [[5, 6, 3]],
    output: [2, 5, 6, 3],
    hasWeights: true,
    training: true,
  },
  {
    name: "BatchNorm (inference)",
    make: () => new BatchNorm({ momentum: 0.9, epsilon: 1e-5 }),
    inputs: [[5, 6, 3]],
    output: [2, 5, 6, 3],
    hasWeights: true,
  },
  { name: "InstanceNorm", make: () => new InstanceNorm(), inputs: [[5, 6, 3]], output: [2, 5, 6, 3], hasWeights: true },
  {
    name: "ConditionalInstanceNorm",
    make: () => new ConditionalInstanceNorm(),
    inputs: [[5, 6, 3], [4]],
    output: [2, 5, 6, 3],
    hasWeights: true,
  },
];

describeLayerContract("normalisation layers", cases);

import { describeLayerContract, type LayerCase } from "../test-support.js";
import { PaddedConv2D, PaddedConv2DTranspose } from "./conv.js";

const cases: LayerCase[] = [
  {
    name: "PaddedConv2D 4x4/2 p1",
    make: () => new PaddedConv2D({ filters: 5, kernelSize: [4, 4], strides: [2, 2], padding: [1, 1] }),
    inputs: [[8, 10, 3]],
    output: [2, 4, 5, 5],
    hasWeights: true,
  },
  {
    name: "PaddedConv2D 3x5 p1x2",
    make: () => new PaddedConv2D({ filters: 4, kernelSize: [3, 5], padding: [1, 2], useBias: false }),
    inputs: [[6, 7, 2]],
    output: [2, 6, 7, 4],
    hasWeights: true,
  },
  {
    name: "PaddedConv2DTranspose 4x4/2 p1",
    make: () => new PaddedConv2DTranspose({ filters: 3, kernelSize: [4, 4], strides: [2, 2], padding: [1, 1] }),
    inputs: [[4, 5, 6]],
    output: [2, 8, 10, 3],
    hasWeights: true,
  },
  {
    name: "PaddedConv2DTranspose 7x7 p3",
    make: () => new PaddedConv2DTranspose({ filters: 1, kernelSize: [7, 7], padding: [3, 3] }),
    inputs: [[6, 6, 4]],
    output: [2, 6, 6, 1],
    hasWeights: true,
  },
];

describeLayerContract("conv layers", cases);

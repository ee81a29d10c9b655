/**
 * @vox/models/config: model configs, presets and backend names, without TensorFlow (nothing here loads tfjs), for
 * code that reads or validates configs only: @vox/train's run folder, a CLI checking flags.
 */
export { type BackendName, backendNames } from "./backend-names.js";
export {
  type DiscriminatorConfig,
  type GeneratorConfig,
  type ModelConfig,
  modelConfigSchema,
  type ProjectionDiscriminatorConfig,
  type StarGanDiscriminatorConfig,
  type StarGanGeneratorConfig,
  type Vc2GeneratorConfig,
  validateModelConfig,
} from "./config.js";
export { ModelConfigError } from "./errors.js";
export { type PresetName, type PresetOptions, presetConfig, presetNames } from "./presets.js";

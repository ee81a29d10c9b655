/** Backends in the order `initBackend()` tries them (here without TensorFlow, for configs that name one). */
export const backendNames = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof backendNames)[number];

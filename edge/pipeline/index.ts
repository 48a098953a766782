export { type InferenceSpec, mountInference, type PipelineOptions } from "./mount.ts";

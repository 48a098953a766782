import { GgmlType, GgufFileType, readGgufFileInfo } from "node-llama-cpp";

/** What the registry records of a GGUF header. */
export interface GgufSummary {
  architecture: string | null;
  parameters: number | null;
  contextLength: number | null;
  quantization: string | null;
}

import { InvalidModelFileError } from "./errors.ts";

export { InvalidModelFileError };

/**
 * Reads a GGUF header (and tensor table, for the parameter count) without loading weights.
 * Throws {@link InvalidModelFileError} with the reason when the file is not a usable GGUF.
 */
export async function readGgufSummary(path: string): Promise<GgufSummary> {
  let info: Awaited<ReturnType<typeof readGgufFileInfo>>;
  try {
    info = await readGgufFileInfo(path, {
      readTensorInfo: true,
      logWarnings: false,
      sourceType: "filesystem",
    });
  } catch (err) {
    throw new InvalidModelFileError(`${path} is not a valid GGUF model: ${(err as Error).message}`);
  }
  const general = info.metadata?.general;
  const architecture = general?.architecture ?? null;
  if (!architecture)
    throw new InvalidModelFileError(`${path} has no general.architecture in its GGUF header`);
  if (!info.tensorInfo || info.tensorInfo.length === 0)
    throw new InvalidModelFileError(`${path} holds no tensors`);
  const archMeta = (
    info.metadata as unknown as Record<string, Record<string, unknown> | undefined>
  )[architecture];
  const contextLength =
    typeof archMeta?.context_length === "number" ? archMeta.context_length : null;
  let parameters = 0;
  const elementsByType = new Map<number, number>();
  for (const tensor of info.tensorInfo) {
    const elements = tensor.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    parameters += elements;
    elementsByType.set(tensor.ggmlType, (elementsByType.get(tensor.ggmlType) ?? 0) + elements);
  }
  const fileType = general?.file_type;
  // Older converters leave general.file_type out: name the type that holds most weights instead.
  const dominant = [...elementsByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    architecture,
    parameters,
    contextLength,
    quantization:
      fileType !== undefined
        ? (GgufFileType[fileType] ?? String(fileType))
        : dominant !== undefined
          ? (GgmlType[dominant] ?? String(dominant))
          : null,
  };
}

/** Raised for a file that is not a readable GGUF model. */
export class InvalidModelFileError extends Error {
  override name = "InvalidModelFileError";
}

/** Raised for a registry operation that cannot be done as asked. */
export class ModelRegistryError extends Error {
  override name = "ModelRegistryError";
}

/**
 * A minimal GGUF v3 writer: enough to produce a small random-weight llama model so that a fresh
 * clone serves something without downloading weights. Format: github.com/ggml-org/ggml
 * docs/gguf.md (header, metadata key/values, tensor infos, aligned tensor data).
 */

const ALIGNMENT = 32;

enum ValueType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  STRING = 8,
  ARRAY = 9,
}

/** A metadata value: numbers must say their GGUF type. */
export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "f32"; value: number }
  | { type: "string"; value: string }
  | { type: "string[]"; value: string[] }
  | { type: "f32[]"; value: number[] }
  | { type: "i32[]"; value: number[] };

/** An F32 tensor; `dims` in GGML order (fastest-varying first). */
export interface GgufTensor {
  name: string;
  dims: number[];
  data: Float32Array;
}

class ByteWriter {
  #chunks: Uint8Array[] = [];
  #size = 0;
  get size(): number {
    return this.#size;
  }
  bytes(b: Uint8Array): void {
    this.#chunks.push(b);
    this.#size += b.length;
  }
  #num(bytes: number, write: (v: DataView) => void): void {
    const b = new Uint8Array(bytes);
    write(new DataView(b.buffer));
    this.bytes(b);
  }
  u32(v: number): void {
    this.#num(4, (d) => d.setUint32(0, v, true));
  }
  i32(v: number): void {
    this.#num(4, (d) => d.setInt32(0, v, true));
  }
  u64(v: number): void {
    this.#num(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }
  f32(v: number): void {
    this.#num(4, (d) => d.setFloat32(0, v, true));
  }
  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.bytes(b);
  }
  pad(): void {
    const rem = this.#size % ALIGNMENT;
    if (rem) this.bytes(new Uint8Array(ALIGNMENT - rem));
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case "u32":
      w.u32(ValueType.UINT32);
      w.u32(v.value);
      break;
    case "f32":
      w.u32(ValueType.FLOAT32);
      w.f32(v.value);
      break;
    case "string":
      w.u32(ValueType.STRING);
      w.string(v.value);
      break;
    case "string[]":
      w.u32(ValueType.ARRAY);
      w.u32(ValueType.STRING);
      w.u64(v.value.length);
      for (const s of v.value) w.string(s);
      break;
    case "f32[]":
      w.u32(ValueType.ARRAY);
      w.u32(ValueType.FLOAT32);
      w.u64(v.value.length);
      for (const x of v.value) w.f32(x);
      break;
    case "i32[]":
      w.u32(ValueType.ARRAY);
      w.u32(ValueType.INT32);
      w.u64(v.value.length);
      for (const x of v.value) w.i32(x);
      break;
  }
}

/** Serialises metadata and F32 tensors as a GGUF v3 file. */
export function encodeGguf(metadata: Record<string, GgufValue>, tensors: GgufTensor[]): Uint8Array {
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    w.string(key);
    writeValue(w, value);
  }
  let offset = 0;
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    offset += Math.ceil(t.data.byteLength / ALIGNMENT) * ALIGNMENT;
  }
  w.pad();
  for (const t of tensors) {
    w.bytes(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    w.pad();
  }
  return w.concat();
}

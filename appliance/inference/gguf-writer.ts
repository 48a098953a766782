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

/** A tensor; `dims` in GGML order (fastest-varying first). */
export interface GgufTensor {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Stored as F32 (default) or rounded to F16 (half the bytes, as llama.cpp's F16 files). */
  type?: "f32" | "f16";
}

const GGML_TYPE = { f32: 0, f16: 1 } as const;

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even (Node 20 has no Float16Array). */
export function toHalf(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow: zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // Rounding may carry into the exponent, which is still the right binary16 value.
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

function tensorBytes(t: GgufTensor): Uint8Array {
  if (t.type !== "f16") return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint16Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = toHalf(t.data[i] as number);
  return new Uint8Array(out.buffer);
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

/** Serialises metadata and tensors (F32 or F16) as a GGUF v3 file. */
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
  const data = tensors.map(tensorBytes);
  let offset = 0;
  tensors.forEach((t, i) => {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(GGML_TYPE[t.type ?? "f32"]);
    w.u64(offset);
    offset += Math.ceil((data[i] as Uint8Array).byteLength / ALIGNMENT) * ALIGNMENT;
  });
  w.pad();
  for (const bytes of data) {
    w.bytes(bytes);
    w.pad();
  }
  return w.concat();
}

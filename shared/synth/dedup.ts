/**
 * Duplicate detection for generated samples: exact (after normalising case and whitespace) and
 * near-duplicate by MinHash signatures over word shingles with LSH banding, confirmed by the
 * exact Jaccard similarity of the shingle sets. The first sample in key order is kept.
 */

/** Options of near-duplicate detection. */
export interface NearDuplicateOptions {
  /** Jaccard similarity at or above which two texts are duplicates (0..1). */
  threshold: number;
  /** Words per shingle. */
  shingleSize?: number;
  /** MinHash permutations; must be divisible by `bands`. */
  permutations?: number;
  bands?: number;
  seed?: number;
}

/** Lowercased, whitespace-collapsed, trimmed text: what "exactly the same" compares. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim();
}

function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The set of word shingles of a text (the whole text when shorter than one shingle). */
export function shingles(text: string, size = 3): Set<string> {
  const words = normalizeText(text).split(" ").filter(Boolean);
  const out = new Set<string>();
  if (words.length <= size) {
    if (words.length > 0) out.add(words.join(" "));
    return out;
  }
  for (let i = 0; i + size <= words.length; i++) out.add(words.slice(i, i + size).join(" "));
  return out;
}

/** Exact Jaccard similarity of two sets. */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

const PRIME = 4294967311; // the first prime above 2^32

/** MinHash signature: per permutation h(x) = (a·x + b) mod p, minimum over the shingles. */
export function minHash(set: Set<string>, permutations: number, seed = 1): number[] {
  const params: [number, number][] = [];
  for (let i = 0; i < permutations; i++) {
    params.push([(fnv1a(`a${i}`, seed) % (PRIME - 1)) + 1, fnv1a(`b${i}`, seed) % PRIME]);
  }
  const signature = new Array<number>(permutations).fill(Number.POSITIVE_INFINITY);
  for (const item of set) {
    const x = fnv1a(item);
    for (let i = 0; i < permutations; i++) {
      const [a, b] = params[i] as [number, number];
      // Split the multiplication so it stays exact in doubles (a, x < 2^32).
      const value = (((a * (x >>> 16)) % PRIME) * 65536 + a * (x & 0xffff) + b) % PRIME;
      if (value < (signature[i] as number)) signature[i] = value;
    }
  }
  return signature;
}

/** For each text, the index of the earlier text it duplicates (exact match), or -1. */
export function exactDuplicates(texts: readonly string[]): number[] {
  const first = new Map<string, number>();
  return texts.map((text, index) => {
    const key = normalizeText(text);
    const seen = first.get(key);
    if (seen !== undefined) return seen;
    first.set(key, index);
    return -1;
  });
}

/**
 * For each text, the earlier kept text it nearly duplicates and their Jaccard similarity, or
 * null. Candidates come from LSH buckets; each is confirmed with the exact Jaccard similarity.
 */
export function nearDuplicates(
  texts: readonly string[],
  options: NearDuplicateOptions,
): ({ of: number; similarity: number } | null)[] {
  const size = options.shingleSize ?? 3;
  const permutations = options.permutations ?? 128;
  const bands = options.bands ?? 32;
  const rows = Math.floor(permutations / bands);
  const sets = texts.map((text) => shingles(text, size));
  const buckets = new Map<string, number[]>();
  return sets.map((set, index) => {
    const signature = minHash(set, permutations, options.seed);
    const keys: string[] = [];
    for (let band = 0; band < bands; band++)
      keys.push(`${band}:${signature.slice(band * rows, band * rows + rows).join(",")}`);
    let best: { of: number; similarity: number } | null = null;
    const candidates = new Set<number>();
    for (const key of keys) for (const other of buckets.get(key) ?? []) candidates.add(other);
    for (const other of [...candidates].sort((a, b) => a - b)) {
      const similarity = jaccard(set, sets[other] as Set<string>);
      if (similarity >= options.threshold && (!best || similarity > best.similarity))
        best = { of: other, similarity };
    }
    // Only kept texts go into buckets, so a chain of near-duplicates all point at the original.
    if (!best) for (const key of keys) buckets.set(key, [...(buckets.get(key) ?? []), index]);
    return best;
  });
}

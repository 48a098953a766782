export {
  cardNetwork,
  IBAN_LENGTHS,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  luhnValid,
  ssnValid,
} from "./checksums.ts";
export {
  defaultMask,
  detectPii,
  type MaskOptions,
  maskPii,
  PII_TYPES,
  type PiiHit,
  type PiiOptions,
  type PiiType,
} from "./detect.ts";
export {
  type EntropyOptions,
  highEntropySpans,
  SECRET_PATTERNS,
  shannonEntropy,
} from "./secrets.ts";

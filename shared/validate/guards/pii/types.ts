/**
 * The PII types, apart from the detector so that schemas can name them without pulling in the
 * phone-number metadata.
 */

/** The kinds of PII the detector finds. */
export const PII_TYPES = [
  "email",
  "phone",
  "card",
  "iban",
  "ssn",
  "ipv4",
  "ipv6",
  "secret",
] as const;
/** One kind of PII. */
export type PiiType = (typeof PII_TYPES)[number];

/**
 * Images as the fakes see them: a tiny PNG any fake serves at `GET /__image.png` (for the
 * gateway to fetch when a provider needs the bytes), and the checks each fake makes of the
 * image parts it receives, as its real API would.
 */

/** A 1×1 PNG, base64. */
export const tinyPngBase64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** Where every fake serves {@link tinyPngBase64} as `image/png`. */
export const fakeImagePath = "/__image.png";

/** Whether `value` is non-empty canonical base64. */
export function isBase64(value: unknown): boolean {
  if (typeof value !== "string" || value.length === 0 || value.length % 4 !== 0) return false;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

/** Whether `value` is an http(s) URL. */
export function isHttpUrl(value: unknown): boolean {
  return typeof value === "string" && /^https?:\/\/[^\s]+$/.test(value);
}

/** Whether `value` is a base64 `data:image/…` URI. */
export function isImageDataUri(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const match = /^data:image\/(png|jpeg|gif|webp);base64,(.*)$/.exec(value);
  return !!match && isBase64(match[2]);
}

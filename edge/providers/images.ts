/**
 * Images in chat messages: `data:` URIs read in place, and the bytes behind an `http(s)` URL
 * fetched for providers that take only bytes (Gemini, Bedrock). The edge fetches a URL its
 * caller chose, so the fetch is guarded: http(s) only, no private, loopback or link-local hosts
 * (unless the operator allows them, in test and development), no redirects to such hosts, an
 * image content type, a size cap and a time cap.
 */
import { ApiError } from "../../shared/api/errors.ts";
import {
  type ChatCompletionRequest,
  type ChatMessage,
  imagePartsOf,
} from "../../shared/api/schemas/chat.ts";

/** An image's bytes, base64-encoded, with its media type. */
export interface ImageBytes {
  mimeType: string;
  data: string;
}

/** Fetches the image behind a URL (throws a 400 `ApiError` when it may not or cannot). */
export type ImageFetcher = (url: string) => Promise<ImageBytes>;

/** Reads a base64 `data:` URI; undefined for anything else. */
export function parseDataUri(url: string): ImageBytes | undefined {
  const match = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*);base64,(.*)$/is.exec(url);
  if (!match) return undefined;
  return { mimeType: (match[1] ?? "application/octet-stream").toLowerCase(), data: match[3] ?? "" };
}

/**
 * For providers that take images only as bytes (Gemini's `inlineData`, Bedrock's `image`
 * blocks): each `http(s)` image URL is fetched (guarded) and replaced by a `data:` URI before
 * the request is mapped. A chat adapter's `resolve`.
 */
export async function inlineImageUrls(
  req: ChatCompletionRequest,
  fetchImage: ImageFetcher,
): Promise<ChatCompletionRequest> {
  if (!imagePartsOf(req.messages).some(({ part }) => !parseDataUri(part.image_url.url))) {
    return req;
  }
  const messages = await Promise.all(
    req.messages.map(async (m): Promise<ChatMessage> => {
      if (m.role !== "user" || typeof m.content === "string") return m;
      const content = await Promise.all(
        m.content.map(async (part) => {
          if (part.type !== "image_url" || parseDataUri(part.image_url.url)) return part;
          const { mimeType, data } = await fetchImage(part.image_url.url);
          return {
            ...part,
            image_url: { ...part.image_url, url: `data:${mimeType};base64,${data}` },
          };
        }),
      );
      return { ...m, content };
    }),
  );
  return { ...req, messages };
}

const imageError = (message: string, code = "invalid_image_url") =>
  new ApiError(400, message, { code, param: "messages" });

/** Whether an IPv4 address (dotted) is private, loopback, link-local, CGNAT or otherwise not public. */
function privateIpv4(host: string): boolean {
  const parts = host.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return false;
  }
  const [a = 0, b = 0] = parts;
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/** Whether an IPv6 literal (without brackets) is loopback, link-local, unique-local or maps a private IPv4. */
function privateIpv6(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "::" || h === "::1") return true;
  if (/^fe[89ab]/.test(h) || /^f[cd]/.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
  if (mapped) return privateIpv4(mapped);
  // The URL parser writes a mapped IPv4 as hex (::ffff:7f00:1): any mapped address is refused.
  return h.startsWith("::ffff:");
}

/** Why a URL may not be fetched, or undefined when it may. */
export function refusedUrl(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be http or https";
  if (url.username || url.password) return "must not carry credentials";
  if (allowPrivate) return undefined;
  // WHATWG URL parsing has already turned decimal, octal and hex hosts into dotted IPv4.
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal") ||
    privateIpv4(host) ||
    (host.includes(":") && privateIpv6(host))
  ) {
    return "points at a private, loopback or link-local address";
  }
  return undefined;
}

/** Options of {@link createImageFetcher}. */
export interface ImageFetcherOptions {
  fetch: typeof fetch;
  /** Allows private, loopback and link-local hosts (test and development only). */
  allowPrivate?: boolean;
  /** The largest image accepted, in bytes (default 5 MiB, Anthropic's and Gemini's inline cap region). */
  maxBytes?: number;
  /** The longest the whole fetch may take (default 5 s). */
  timeoutMs?: number;
  /** Redirects followed, each one checked like the first URL (default 3). */
  maxRedirects?: number;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Reads a body up to `maxBytes`, failing as soon as it is over. */
async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw imageError(`The image is larger than ${maxBytes} bytes.`, "image_too_large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A guarded fetcher of image URLs. */
export function createImageFetcher({
  fetch,
  allowPrivate = false,
  maxBytes = 5 * 1024 * 1024,
  timeoutMs = 5_000,
  maxRedirects = 3,
}: ImageFetcherOptions): ImageFetcher {
  return async function fetchImage(first: string): Promise<ImageBytes> {
    const signal = AbortSignal.timeout(timeoutMs);
    let url = first;
    try {
      for (let hop = 0; ; hop++) {
        const why = refusedUrl(url, allowPrivate);
        if (why) throw imageError(`The image URL ${why}.`);
        const res = await fetch(url, {
          redirect: "manual",
          signal,
          headers: { accept: "image/*" },
        });
        const location = res.headers.get("location");
        if (res.status >= 300 && res.status < 400 && location) {
          await res.body?.cancel();
          if (hop >= maxRedirects) throw imageError("The image URL redirects too many times.");
          url = new URL(location, url).href;
          continue;
        }
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          throw imageError(`The image URL answered HTTP ${res.status}.`);
        }
        const mimeType = (res.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
        if (!mimeType.startsWith("image/")) {
          await res.body.cancel();
          throw imageError(`The image URL is not an image (content-type '${mimeType}').`);
        }
        const length = Number(res.headers.get("content-length") ?? 0);
        if (length > maxBytes) {
          await res.body.cancel();
          throw imageError(`The image is larger than ${maxBytes} bytes.`, "image_too_large");
        }
        return { mimeType, data: toBase64(await readCapped(res.body, maxBytes)) };
      }
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (signal.aborted) throw imageError(`The image URL took longer than ${timeoutMs} ms.`);
      throw imageError("The image URL could not be fetched.");
    }
  };
}

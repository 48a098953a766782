/**
 * Finished datasets' exports in R2 (`DATASETS`): written once, in multipart parts of 8 MiB (R2
 * takes parts of 5 MiB and more, the last one smaller), so an export of any size is never held
 * in memory whole; served from R2 after. A failed write aborts its upload and leaves nothing.
 */
import type { ExportStore } from "../../shared/synth/routes/datasets.ts";

const PART_BYTES = 8 * 1024 * 1024;
const encoder = new TextEncoder();

/** The export store of a bucket. */
export function r2ExportStore(bucket: R2Bucket): ExportStore {
  return {
    async get(key) {
      return (await bucket.get(key))?.body ?? null;
    },
    async put(key, produce) {
      const upload = await bucket.createMultipartUpload(key);
      const parts: R2UploadedPart[] = [];
      let pending: Uint8Array[] = [];
      let size = 0;
      const flush = async () => {
        const part = new Uint8Array(size);
        let at = 0;
        for (const chunk of pending) {
          part.set(chunk, at);
          at += chunk.byteLength;
        }
        parts.push(await upload.uploadPart(parts.length + 1, part));
        pending = [];
        size = 0;
      };
      try {
        await produce(async (chunk) => {
          const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
          pending.push(bytes);
          size += bytes.byteLength;
          if (size >= PART_BYTES) await flush();
        });
        if (size > 0 || parts.length === 0) await flush();
        await upload.complete(parts);
      } catch (err) {
        await upload.abort().catch(() => {});
        throw err;
      }
    },
    async deleteAll(prefix) {
      for (let cursor: string | undefined; ; ) {
        const listed = await bucket.list({ prefix, cursor });
        if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
        if (!listed.truncated) return;
        cursor = listed.cursor;
      }
    },
  };
}

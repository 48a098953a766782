/**
 * Writes the Python client's generated half, `clients/python/textnlp/_generated.py`, from the
 * appliance's and the edge's `/openapi.json` (built in-process, no server started). With
 * `--check` it writes nothing and exits 1 when the committed file differs.
 *
 *   npx tsx clients/python/generate.ts [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serverDocuments } from "./generator/documents.ts";
import { generatePython } from "./generator/python-client.ts";

/** The generated module's path. */
export const GENERATED_FILE = join(import.meta.dirname, "textnlp", "_generated.py");

/** The module's text as the servers' documents are now. */
export async function generatedSource(): Promise<string> {
  return generatePython(await serverDocuments());
}

if (resolve(process.argv[1] ?? "") === import.meta.filename) {
  const source = await generatedSource();
  if (process.argv.includes("--check")) {
    const committed = readFileSync(GENERATED_FILE, "utf8");
    if (committed !== source) {
      console.error(`${GENERATED_FILE} is out of date: run npx tsx clients/python/generate.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(GENERATED_FILE, source);
    console.log(`wrote ${GENERATED_FILE}`);
  }
}

/**
 * The cases of the NLTK differential test and NLTK's answers to them. Where Debian's
 * python3-nltk is installed the test asks NLTK live; elsewhere it compares with the answers
 * recorded in `nltk-reference.json.gz` beside this file, which the live run also checks.
 * Regenerate the file (python3-nltk and wordnet-base installed) with:
 *
 *   npx tsx appliance/validate/nltk-reference.ts
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import type { WordNetFiles } from "../../shared/validate/wordnet.ts";
import { WORDNET_POS } from "../../shared/validate/wordnet.ts";
import { askNltk, findNltkPython, peerWordNetDir } from "./nltk-peer.ts";
import { generatePairs, type TokenPair } from "./synthetic-pairs.ts";
import { readWordNetFiles } from "./wordnet.ts";

/** The recorded answers. */
export const NLTK_REFERENCE_FILE = fileURLToPath(
  new URL("./nltk-reference.json.gz", import.meta.url),
);

/** The scored pairs: seeded, so every run and the recorded file see the same ones. */
export const NLTK_PAIRS: TokenPair[] = generatePairs(1200, 20260501);

/** NLTK's answers: BLEU per smoothing method (null: NLTK raised), METEOR, Porter stems. */
export interface NltkAnswers {
  version: string;
  bleu: Record<string, (number | null)[]>;
  meteor: number[];
  stems: string[];
}

/** What the recorded file holds: the answers and fingerprints of the questions. */
interface NltkReference extends NltkAnswers {
  regenerate: string;
  pairsSha256: string;
  wordsSha256: string;
}

const sha256 = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** Every single-word WordNet lemma, plus suffixed, capitalised, accented and astral forms. */
export function stemmerWords(files: WordNetFiles): string[] {
  const lemmas = new Set<string>();
  for (const pos of WORDNET_POS) {
    for (const line of files.index[pos].split("\n")) {
      const lemma = line.slice(0, line.indexOf(" "));
      if (lemma && line[0] !== " " && !lemma.includes("_")) lemmas.add(lemma);
    }
  }
  const suffixes = ["s", "es", "ed", "ing", "ly", "ness", "ational", "izer", "fulness"];
  suffixes.push("ies", "ied", "alli", "logi");
  const words = [...lemmas];
  const extra: string[] = [];
  words.forEach((lemma, i) => {
    if (i % 7 === 0) extra.push(lemma + suffixes[i % suffixes.length]);
    // Capitals, accents and astral characters: lowercasing and code point indexing.
    if (i % 50 === 0) extra.push(lemma.toUpperCase() + suffixes[i % suffixes.length]);
    const cut = i % Math.max(1, lemma.length);
    if (i % 51 === 0) extra.push(`${lemma.slice(0, cut)}\u00e9${lemma.slice(cut)}ed`);
    if (i % 52 === 0) extra.push(`${lemma.slice(0, cut)}\u{1F600}\u{1F600}${lemma.slice(cut)}ing`);
    if (i % 53 === 0) extra.push(`${lemma}\u{1F600}\u{1F600}ed`);
  });
  return [...words, ...extra];
}

/** Asks NLTK itself (through `python`) every question of the test. */
export function askNltkLive(
  peer: { python: string; version: string },
  words: string[],
): NltkAnswers {
  const scores = askNltk<{ bleu: NltkAnswers["bleu"]; meteor: number[] }>(peer.python, {
    task: "score",
    pairs: NLTK_PAIRS.map((p) => [p.hypothesis, p.references]),
    wordnet: peerWordNetDir(),
  });
  const { stems } = askNltk<{ stems: string[] }>(peer.python, { task: "stem", words });
  return { version: peer.version, bleu: scores.bleu, meteor: scores.meteor, stems };
}

/**
 * The recorded answers, after checking that they answer these very questions (a change to the
 * pairs or the word list needs a regenerated file, and says so).
 */
export function readNltkReference(words: string[]): NltkAnswers {
  const reference = JSON.parse(
    gunzipSync(readFileSync(NLTK_REFERENCE_FILE)).toString("utf8"),
  ) as NltkReference;
  const stale = (what: string) =>
    new Error(`${NLTK_REFERENCE_FILE} was recorded for other ${what}: ${reference.regenerate}`);
  if (reference.pairsSha256 !== sha256(NLTK_PAIRS)) throw stale("pairs");
  if (reference.wordsSha256 !== sha256(words)) throw stale("stemmer words");
  return reference;
}

async function regenerate(): Promise<void> {
  const peer = findNltkPython();
  if (!peer) throw new Error("no python3 with NLTK: apt-get install -y python3-nltk wordnet-base");
  const words = stemmerWords(await readWordNetFiles());
  const reference: NltkReference = {
    regenerate: "npx tsx appliance/validate/nltk-reference.ts (python3-nltk, wordnet-base)",
    pairsSha256: sha256(NLTK_PAIRS),
    wordsSha256: sha256(words),
    ...askNltkLive(peer, words),
  };
  const partial = `${NLTK_REFERENCE_FILE}.partial`;
  writeFileSync(partial, gzipSync(JSON.stringify(reference), { level: 9 }));
  renameSync(partial, NLTK_REFERENCE_FILE);
  console.log(`wrote ${NLTK_REFERENCE_FILE} (NLTK ${peer.version}, ${words.length} words)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await regenerate();

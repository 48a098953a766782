/**
 * Differential check against NLTK itself (Debian's `python3-nltk`, 3.8): 1,200 seeded random
 * pairs scored by NLTK's `sentence_bleu` (smoothing methods 0..7) and `meteor_score` (WordNet 3.0
 * from Debian's `wordnet-base`, else the npm package's copy), and NLTK's Porter stemmer over
 * every single-word WordNet lemma plus inflected forms, compared with ours to 4 decimals.
 * Skips, saying so, where python3-nltk is not installed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type NltkSmoothing, nltkSentenceBleu } from "../../shared/validate/bleu/nltk.ts";
import { meteorScore } from "../../shared/validate/meteor.ts";
import { porterStem } from "../../shared/validate/stem/porter.ts";
import { createWordNet, WORDNET_POS, type WordNet } from "../../shared/validate/wordnet.ts";
import { askNltk, findNltkPython, peerWordNetDir } from "./nltk-peer.ts";
import { generatePairs } from "./synthetic-pairs.ts";
import { readWordNetFiles } from "./wordnet.ts";

const PAIRS = generatePairs(1200, 20260501);
const peer = findNltkPython();
if (!peer) {
  console.warn(
    "nltk-differential: SKIPPED, no python3 with NLTK found (Debian: apt-get install -y python3-nltk wordnet-base)",
  );
}

/** Numbers equal to 4 decimals (vitest's toBeCloseTo(x, 4)), and errors on both sides alike. */
function agrees(ours: number | null, theirs: number | null): boolean {
  if (ours === null || theirs === null) return ours === theirs;
  return Math.abs(ours - theirs) < 5e-5;
}

// NLTK needs a few seconds per test here, more on a busy machine: well past vitest's default 5 s.
const TIMEOUT = 120_000;

describe.skipIf(!peer)(
  `NLTK ${peer?.version ?? "(absent)"} through ${peer?.python ?? "python3"}`,
  () => {
    let wordnet: WordNet;
    let words: string[];
    beforeAll(async () => {
      const files = await readWordNetFiles();
      wordnet = createWordNet(files);
      // Every single-word lemma of WordNet, plus suffixed and otherwise altered forms of some.
      const lemmas = new Set<string>();
      for (const pos of WORDNET_POS) {
        for (const line of files.index[pos].split("\n")) {
          const lemma = line.slice(0, line.indexOf(" "));
          if (lemma && line[0] !== " " && !lemma.includes("_")) lemmas.add(lemma);
        }
      }
      const suffixes = [
        "s",
        "es",
        "ed",
        "ing",
        "ly",
        "ness",
        "ational",
        "izer",
        "fulness",
        "ies",
        "ied",
        "alli",
        "logi",
      ];
      words = [...lemmas];
      const extra: string[] = [];
      words.forEach((lemma, i) => {
        if (i % 7 === 0) extra.push(lemma + suffixes[i % suffixes.length]);
        // Capitals, accents and astral characters: lowercasing and code point indexing.
        if (i % 50 === 0) extra.push(lemma.toUpperCase() + suffixes[i % suffixes.length]);
        const cut = i % Math.max(1, lemma.length);
        if (i % 51 === 0) extra.push(`${lemma.slice(0, cut)}\u00e9${lemma.slice(cut)}ed`);
        if (i % 52 === 0)
          extra.push(`${lemma.slice(0, cut)}\u{1F600}\u{1F600}${lemma.slice(cut)}ing`);
        if (i % 53 === 0) extra.push(`${lemma}\u{1F600}\u{1F600}ed`);
      });
      words.push(...extra);
    }, TIMEOUT);

    it(
      `sentence_bleu agrees on ${PAIRS.length} generated pairs, smoothing methods 0 to 7`,
      () => {
        const answer = askNltk<{ bleu: Record<string, (number | null)[]> }>(peer?.python ?? "", {
          task: "score",
          pairs: PAIRS.map((p) => [p.hypothesis, p.references]),
          wordnet: peerWordNetDir(),
          skipMeteor: true,
        });
        const mismatches: string[] = [];
        let nonZero = 0;
        for (let method = 0; method <= 7; method++) {
          PAIRS.forEach((pair, i) => {
            let ours: number | null;
            try {
              ours = nltkSentenceBleu(pair.references, pair.hypothesis, {
                smoothing: method as NltkSmoothing,
              });
            } catch {
              ours = null;
            }
            const theirs = answer.bleu[String(method)][i];
            if (method === 0 && (theirs ?? 0) > 1e-4) nonZero++;
            if (!agrees(ours, theirs))
              mismatches.push(`method${method} pair ${i}: ours ${ours}, NLTK ${theirs}`);
          });
        }
        expect(mismatches.slice(0, 10)).toEqual([]);
        // The data must exercise real scores, not only zeros.
        expect(nonZero).toBeGreaterThan(PAIRS.length / 4);
      },
      TIMEOUT,
    );

    it(
      `meteor_score agrees on ${PAIRS.length} generated pairs (WordNet 3.0)`,
      () => {
        const answer = askNltk<{ meteor: number[] }>(peer?.python ?? "", {
          task: "score",
          pairs: PAIRS.map((p) => [p.hypothesis, p.references]),
          wordnet: peerWordNetDir(),
          skipBleu: true,
        });
        const mismatches: string[] = [];
        PAIRS.forEach((pair, i) => {
          const ours = meteorScore(pair.references, pair.hypothesis, wordnet);
          if (!agrees(ours, answer.meteor[i])) {
            mismatches.push(
              `pair ${i}: ours ${ours}, NLTK ${answer.meteor[i]} (${pair.hypothesis.join(" ")})`,
            );
          }
        });
        expect(mismatches.slice(0, 10)).toEqual([]);
        expect(answer.meteor.filter((m) => m > 0.3).length).toBeGreaterThan(PAIRS.length / 4);
      },
      TIMEOUT,
    );

    it(
      "PorterStemmer agrees on every single-word WordNet lemma and altered forms",
      () => {
        const { stems } = askNltk<{ stems: string[] }>(peer?.python ?? "", { task: "stem", words });
        const mismatches = words
          .map((word, i) => [word, porterStem(word), stems[i]])
          .filter(([, ours, theirs]) => ours !== theirs);
        expect(words.length).toBeGreaterThan(90_000);
        expect(mismatches.slice(0, 10)).toEqual([]);
      },
      TIMEOUT,
    );
  },
);

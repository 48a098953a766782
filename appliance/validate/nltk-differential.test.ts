/**
 * Differential check against NLTK itself (Debian's `python3-nltk`, 3.8): 1,200 seeded random
 * pairs scored by NLTK's `sentence_bleu` (smoothing methods 0..7) and `meteor_score` (WordNet 3.0
 * from Debian's `wordnet-base`, else the npm package's copy), and NLTK's Porter stemmer over
 * every single-word WordNet lemma plus inflected forms, compared with ours to 4 decimals.
 * NLTK answers live where python3-nltk is installed, and then also vouches for the answers
 * recorded in `nltk-reference.json.gz`, which the test uses where it is not.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type NltkSmoothing, nltkSentenceBleu } from "../../shared/validate/bleu/nltk.ts";
import { meteorScore } from "../../shared/validate/meteor.ts";
import { porterStem } from "../../shared/validate/stem/porter.ts";
import { createWordNet, type WordNet } from "../../shared/validate/wordnet.ts";
import { findNltkPython } from "./nltk-peer.ts";
import {
  askNltkLive,
  type NltkAnswers,
  NLTK_PAIRS as PAIRS,
  readNltkReference,
  stemmerWords,
} from "./nltk-reference.ts";
import { readWordNetFiles } from "./wordnet.ts";

const peer = findNltkPython();

/** Numbers equal to 4 decimals (vitest's toBeCloseTo(x, 4)), and errors on both sides alike. */
function agrees(ours: number | null, theirs: number | null): boolean {
  if (ours === null || theirs === null) return ours === theirs;
  return Math.abs(ours - theirs) < 5e-5;
}

// NLTK needs a few seconds per test here, more on a busy machine: well past vitest's default 5 s.
const TIMEOUT = 120_000;

describe(
  peer
    ? `NLTK ${peer.version} through ${peer.python}, live`
    : "NLTK's answers recorded in nltk-reference.json.gz (python3-nltk is not installed)",
  () => {
    let wordnet: WordNet;
    let words: string[];
    let nltk: NltkAnswers;
    beforeAll(async () => {
      const files = await readWordNetFiles();
      wordnet = createWordNet(files);
      words = stemmerWords(files);
      nltk = peer ? askNltkLive(peer, words) : readNltkReference(words);
    }, TIMEOUT);

    it(`sentence_bleu agrees on ${PAIRS.length} generated pairs, smoothing methods 0 to 7`, () => {
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
          const theirs = nltk.bleu[String(method)]?.[i] ?? null;
          if (method === 0 && (theirs ?? 0) > 1e-4) nonZero++;
          if (!agrees(ours, theirs))
            mismatches.push(`method${method} pair ${i}: ours ${ours}, NLTK ${theirs}`);
        });
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
      // The data must exercise real scores, not only zeros.
      expect(nonZero).toBeGreaterThan(PAIRS.length / 4);
    });

    it(`meteor_score agrees on ${PAIRS.length} generated pairs (WordNet 3.0)`, () => {
      const mismatches: string[] = [];
      PAIRS.forEach((pair, i) => {
        const ours = meteorScore(pair.references, pair.hypothesis, wordnet);
        const theirs = nltk.meteor[i] ?? null;
        if (!agrees(ours, theirs))
          mismatches.push(`pair ${i}: ours ${ours}, NLTK ${theirs} (${pair.hypothesis.join(" ")})`);
      });
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(nltk.meteor.filter((m) => m > 0.3).length).toBeGreaterThan(PAIRS.length / 4);
    });

    it("PorterStemmer agrees on every single-word WordNet lemma and altered forms", () => {
      const mismatches = words
        .map((word, i) => [word, porterStem(word), nltk.stems[i]])
        .filter(([, ours, theirs]) => ours !== theirs);
      expect(words.length).toBeGreaterThan(90_000);
      expect(mismatches.slice(0, 10)).toEqual([]);
    });

    // Only a live NLTK can vouch for the recorded file (the title above says which one ran).
    if (peer)
      it("the recorded answers are NLTK's live ones", () => {
        const recorded = readNltkReference(words);
        expect(recorded.stems).toEqual(nltk.stems);
        expect(recorded.meteor).toEqual(nltk.meteor);
        expect(recorded.bleu).toEqual(nltk.bleu);
      });
  },
);

/**
 * Metric throughput: pairs per second on 10,000 generated pairs for BLEU, chrF, ROUGE and
 * METEOR, beside NLTK (Debian's python3-nltk) computing BLEU and METEOR on the same pairs in one
 * python3 process. Passes are interleaved (ours, NLTK's, ours, …) and each figure is the median
 * of the repeats; one untimed pass each first warms JIT and caches (NLTK's synset cache, our
 * stem and synonym caches). WordNet loading is outside the timings on both sides.
 *
 *   npx tsx bench/metrics.ts [--pairs 10000] [--repeats 5]
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import {
  askNltk,
  findNltkPython,
  NLTK_PEER_SCRIPT,
  peerWordNetDir,
} from "../appliance/validate/nltk-peer.ts";
import { generatePairs } from "../appliance/validate/synthetic-pairs.ts";
import { loadWordNet } from "../appliance/validate/wordnet.ts";
import { nltkSentenceBleu } from "../shared/validate/bleu/nltk.ts";
import { sentenceBleu } from "../shared/validate/bleu/sacrebleu.ts";
import { sentenceChrf } from "../shared/validate/chrf.ts";
import { meteorScore } from "../shared/validate/meteor.ts";
import { createRougeScorer } from "../shared/validate/rouge/rouge.ts";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const PAIR_COUNT = flag("pairs", 10_000);
const REPEATS = flag("repeats", 5);
const pairs = generatePairs(PAIR_COUNT, 7);
// sacreBLEU refuses a segment without any non-empty reference; those few pairs are left out of
// the string-based passes (the count is printed).
const texts = pairs
  .map((p) => ({
    hypothesis: p.hypothesis.join(" "),
    references: p.references.map((r) => r.join(" ")).filter((r) => r !== ""),
  }))
  .filter((t) => t.references.length > 0);
const wordnet = await loadWordNet();
const rouge = createRougeScorer(["rouge1", "rouge2", "rougeL"], { useStemmer: true });

/** Our passes: each scores every pair once. */
const ours: Record<string, () => number> = {
  "BLEU (NLTK sentence_bleu)": () => {
    for (const p of pairs) nltkSentenceBleu(p.references, p.hypothesis);
    return pairs.length;
  },
  "METEOR (NLTK meteor_score)": () => {
    for (const p of pairs) meteorScore(p.references, p.hypothesis, wordnet);
    return pairs.length;
  },
  "BLEU (sacreBLEU sentence_bleu, 13a)": () => {
    for (const t of texts) sentenceBleu(t.hypothesis, t.references);
    return texts.length;
  },
  "chrF (sacreBLEU)": () => {
    for (const t of texts) sentenceChrf(t.hypothesis, t.references);
    return texts.length;
  },
  "chrF++ (sacreBLEU)": () => {
    for (const t of texts) sentenceChrf(t.hypothesis, t.references, { wordOrder: 2 });
    return texts.length;
  },
  "ROUGE-1/2/L, stemmed (rouge-score), first reference": () => {
    for (const t of texts) rouge(t.references[0], t.hypothesis);
    return texts.length;
  },
};
/** The NLTK pass that scores the same thing, where Debian has a peer. */
const peerCommand: Record<string, string> = {
  "BLEU (NLTK sentence_bleu)": "bleu",
  "METEOR (NLTK meteor_score)": "meteor",
};

/** Pairs per second of one pass. */
function rate(run: () => number): number {
  const start = performance.now();
  const count = run();
  return count / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A long-lived NLTK process that runs one timed pass per command line. */
async function startPeer(python: string) {
  const child = spawn(python, [NLTK_PEER_SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("nltk-peer.py ended early");
    return line.value;
  };
  child.stdin.write(
    `${JSON.stringify({ task: "bench", pairs: pairs.map((p) => [p.hypothesis, p.references]), wordnet: peerWordNetDir() })}\n`,
  );
  if ((await next()) !== "ready") throw new Error("nltk-peer.py did not start");
  return {
    async pass(command: string): Promise<number> {
      child.stdin.write(`${command}\n`);
      return Number(await next());
    },
    stop() {
      child.stdin.end("quit\n");
    },
  };
}

const found = findNltkPython();
const peer = found ? await startPeer(found.python) : undefined;
// Sanity: both sides score the same data the same way before we time them.
if (found) {
  const sample = pairs.slice(0, 200);
  const theirs = askNltk<{ meteor: number[] }>(found.python, {
    task: "score",
    pairs: sample.map((p) => [p.hypothesis, p.references]),
    wordnet: peerWordNetDir(),
    skipBleu: true,
  });
  const off = sample.filter(
    (p, i) => Math.abs(meteorScore(p.references, p.hypothesis, wordnet) - theirs.meteor[i]) >= 5e-5,
  );
  if (off.length > 0) throw new Error(`METEOR differs from NLTK on ${off.length} of 200 pairs`);
}

const oursRates: Record<string, number[]> = {};
const peerRates: Record<string, number[]> = {};
for (let repeat = 0; repeat <= REPEATS; repeat++) {
  for (const [name, run] of Object.entries(ours)) {
    const r = rate(run);
    const command = peerCommand[name];
    const seconds = peer && command ? await peer.pass(command) : undefined;
    if (repeat === 0) continue; // warm-up
    oursRates[name] = [...(oursRates[name] ?? []), r];
    if (seconds !== undefined)
      peerRates[name] = [...(peerRates[name] ?? []), pairs.length / seconds];
  }
}
peer?.stop();

console.log(
  `${PAIR_COUNT} pairs (1-3 references each; ${texts.length} with a non-empty reference for the ` +
    `sacreBLEU / rouge passes), median of ${REPEATS} interleaved repeats; ` +
    `Node ${process.version}, ${cpus()[0]?.model ?? "cpu"} x${cpus().length}; ` +
    `peer: ${found ? `NLTK ${found.version} (${found.python})` : "none (install python3-nltk wordnet-base)"}`,
);
const rows = Object.keys(ours).map((name) => {
  const oursRate = median(oursRates[name]);
  const peerRate = peerRates[name] ? median(peerRates[name]) : undefined;
  return {
    metric: name,
    "ours pairs/s": Math.round(oursRate),
    "NLTK pairs/s": peerRate === undefined ? "no Debian peer" : Math.round(peerRate),
    ratio: peerRate === undefined ? "-" : `${(oursRate / peerRate).toFixed(1)}x`,
  };
});
console.table(rows);

/**
 * Validation metrics that agree with the reference tools: BLEU and chrF as sacreBLEU computes
 * them, BLEU and METEOR as NLTK does, ROUGE as Google's rouge-score does, plus diversity and
 * readability figures. Pure TypeScript: WordNet, for METEOR, is passed in by the caller.
 */

export {
  type AlphaLevel,
  averageRanks,
  type CohenOptions,
  cohenKappa,
  cohenKappaFromMatrix,
  fleissKappa,
  type KappaWeights,
  krippendorffAlpha,
  pearson,
  type Rating,
  spearman,
} from "./agreement.ts";
export {
  type NltkBleuOptions,
  type NltkSmoothing,
  nltkCorpusBleu,
  nltkCorpusBleuMulti,
  nltkSentenceBleu,
} from "./bleu/nltk.ts";
export {
  type BleuOptions,
  type BleuScore,
  type BleuSmoothMethod,
  bleuSignature,
  computeBleu,
  corpusBleu,
  SACREBLEU_VERSION,
  sentenceBleu,
} from "./bleu/sacrebleu.ts";
export { BLEU_TOKENIZERS, type BleuTokenizerName, tokenize } from "./bleu/tokenizers.ts";
export { type ChrfOptions, type ChrfScore, corpusChrf, sentenceChrf } from "./chrf.ts";
export {
  defaultTokenizer,
  distinctN,
  duplicateRate,
  ngramEntropy,
  type SelfBleuOptions,
  selfBleu,
  type Tokenizer,
} from "./diversity.ts";
export * from "./guards/index.ts";
export { alignWords, type MeteorOptions, meteorScore, singleMeteorScore } from "./meteor.ts";
export {
  countSyllables,
  type Distribution,
  describeDistribution,
  type FleschScore,
  fleschReadingEase,
  lengthStats,
  repetitionRate,
} from "./readability.ts";
export {
  createRougeScorer,
  meanRouge,
  type RougeOptions,
  type RougeScore,
  type RougeType,
  rougeTokenize,
  scoreMulti,
} from "./rouge/rouge.ts";
export { runValidation, type ValidationInput, type ValidationOutput } from "./run.ts";
export { createPorterStemmer, porterStem } from "./stem/porter.ts";
export {
  createWordNet,
  WORDNET_POS,
  type WordNet,
  type WordNetFiles,
  type WordNetPos,
} from "./wordnet.ts";

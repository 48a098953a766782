/**
 * `textnlp validate <metric>`: metrics on line files computed here, no server needed, like
 * sacreBLEU's command line: `textnlp validate bleu --ref refs.txt < hyps.txt`.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CountryCode } from "libphonenumber-js/max";
import { loadWordNet } from "../../appliance/validate/wordnet.ts";
import type { BleuSmoothMethod } from "../../shared/validate/bleu/sacrebleu.ts";
import { BLEU_TOKENIZERS, type BleuTokenizerName } from "../../shared/validate/bleu/tokenizers.ts";
import { PII_TYPES, type PiiType } from "../../shared/validate/guards/pii/types.ts";
import type { RougeType } from "../../shared/validate/rouge/rouge.ts";
import { UsageError } from "../config.ts";
import { withoutServer } from "../context.ts";
import { print } from "../io.ts";
import { guardReport } from "../validate/guard-reports.ts";
import { type LineInput, readLineInput } from "../validate/lines.ts";
import {
  bleuReport,
  chrfReport,
  type MetricReport,
  meteorReport,
  rougeReport,
} from "../validate/reference-metrics.ts";
import { diversityReport, readabilityReport } from "../validate/set-metrics.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

/** A number flag, checked by commander (a bad value is a usage error, exit 2). */
function number(min: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(
        `expected ${integer ? "a whole number" : "a number"} ≥ ${min}`,
      );
    return n;
  };
}

const orders = (value: string): number[] =>
  value.split(",").map((part) => number(1, true)(part.trim()));

const ROUGE_TYPE = /^rouge(?:[1-9]|L|Lsum)$/;
const rougeTypes = (value: string): RougeType[] => {
  const types = value.split(",").map((t) => t.trim());
  const bad = types.find((t) => !ROUGE_TYPE.test(t));
  if (bad !== undefined)
    throw new InvalidArgumentError(`${bad} is not rouge1..rouge9, rougeL or rougeLsum`);
  return types as RougeType[];
};

interface LineFlags {
  ref: string[];
  input?: string;
  sentence?: boolean;
}

/** Adds the flags every metric over line files takes. */
function lineCommand(parent: Command, name: string, description: string, needsRefs: boolean) {
  const command = parent
    .command(name)
    .description(description)
    .option("-i, --input <file>", "hypotheses, one per line (default: stdin)");
  if (needsRefs)
    command.option(
      "-r, --ref <file>",
      "references, one per hypothesis line; repeat for several references",
      collect,
      [],
    );
  return command;
}

type Flags = LineFlags & Record<string, unknown>;

/** Reads the files, runs the metric (a metric's complaint about the data is a usage error). */
async function scoreLines(
  ctx: { json: boolean },
  flags: LineFlags,
  needsRefs: boolean,
  compute: (input: LineInput) => MetricReport | Promise<MetricReport>,
): Promise<void> {
  if (needsRefs && (flags.ref ?? []).length === 0)
    throw new UsageError("give at least one --ref <file>");
  const input = readLineInput(flags.input, flags.ref ?? []);
  if (input.hypotheses.length === 0) throw new UsageError("no hypotheses: the input is empty");
  let report: MetricReport;
  try {
    report = await compute(input);
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
  print(ctx.json, report.json, report.text);
}

const piiTypes = (value: string): PiiType[] => {
  const types = value.split(",").map((t) => t.trim());
  const bad = types.find((t) => !(PII_TYPES as readonly string[]).includes(t));
  if (bad !== undefined)
    throw new InvalidArgumentError(`${bad} is not one of ${PII_TYPES.join(", ")}`);
  return types as PiiType[];
};

const country = (value: string): CountryCode => {
  if (!/^[A-Z]{2}$/.test(value))
    throw new InvalidArgumentError("an ISO 3166-1 alpha-2 code, e.g. US");
  return value as CountryCode;
};

/** `textnlp validate bleu|chrf|rouge|meteor|diversity|readability|pii|injection|toxicity`. */
export function registerValidateCommands(program: Command): void {
  const validate = program
    .command("validate")
    .description(
      "score line files here (no server): BLEU and chrF as sacreBLEU, ROUGE as rouge-score, METEOR as NLTK, diversity, readability",
    );

  lineCommand(validate, "bleu", "corpus BLEU as sacreBLEU computes it, with its signature", true)
    .addOption(new Option("--tokenize <name>", "tokenizer").choices(BLEU_TOKENIZERS).default("13a"))
    .addOption(
      new Option("--smooth-method <method>", "smoothing")
        .choices(["exp", "floor", "add-k", "none"])
        .default("exp"),
    )
    .option("--smooth-value <v>", "value for floor (0.1) and add-k (1)", number(0))
    .option("--max-ngram-order <n>", "highest n-gram order", number(1, true), 4)
    .option("--lowercase", "lowercase before scoring")
    .option("--effective-order", "stop at the highest order the hypothesis has n-grams of")
    .option(
      "--sentence",
      "each line's sentence BLEU too (effective order unless --no-effective-order)",
    )
    .option(
      "--no-effective-order",
      "all orders even where the hypothesis has no n-grams (default for corpus BLEU)",
    )
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        const options = {
          tokenize: flags.tokenize as BleuTokenizerName,
          smoothMethod: flags.smoothMethod as BleuSmoothMethod,
          smoothValue: flags.smoothValue as number | undefined,
          maxNgramOrder: flags.maxNgramOrder as number,
          lowercase: flags.lowercase === true,
        };
        await scoreLines(ctx, flags, true, (input) =>
          bleuReport(
            input,
            {
              ...options,
              // Unset unless typed: sacreBLEU's defaults, off for corpus BLEU, on per sentence.
              effectiveOrder: flags.effectiveOrder as boolean | undefined,
            },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(validate, "chrf", "chrF (chrF++ with --word-order 2) as sacreBLEU computes it", true)
    .option("--char-order <n>", "character n-gram order", number(1, true), 6)
    .option("--word-order <n>", "word n-gram order: 0 chrF, 2 chrF++", number(0, true), 0)
    .option("--beta <b>", "recall weight", number(0), 2)
    .option("--lowercase", "lowercase before scoring")
    .option("--whitespace", "keep whitespace in character n-grams")
    .option("--eps-smoothing", "epsilon smoothing (chrF++.py, NLTK) instead of effective order")
    .option("--sentence", "each line's chrF too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, true, (input) =>
          chrfReport(
            input,
            {
              charOrder: flags.charOrder as number,
              wordOrder: flags.wordOrder as number,
              beta: flags.beta as number,
              lowercase: flags.lowercase === true,
              whitespace: flags.whitespace === true,
              epsSmoothing: flags.epsSmoothing === true,
            },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(validate, "rouge", "ROUGE as Google's rouge-score computes it (best reference)", true)
    .option("--types <list>", "comma-separated: rouge1..rouge9, rougeL, rougeLsum", rougeTypes, [
      "rouge1",
      "rouge2",
      "rougeL",
      "rougeLsum",
    ] as RougeType[])
    .option("--stemmer", "Porter-stem tokens longer than 3 characters (use_stemmer=True)")
    .option("--sentence", "each line's figures too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, true, (input) =>
          rougeReport(
            input,
            { types: flags.types as RougeType[], useStemmer: flags.stemmer === true },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(
    validate,
    "meteor",
    "METEOR as NLTK 3.8 computes it (WordNet 3.0), mean of lines",
    true,
  )
    .option("--alpha <a>", "weight of precision against recall", number(0), 0.9)
    .option("--beta <b>", "exponent of the fragmentation penalty", number(0), 3)
    .option("--gamma <g>", "weight of the fragmentation penalty", number(0), 0.5)
    .option("--wordnet-dir <dir>", "a WordNet 3.0 dict directory (default: the bundled one)")
    .option("--sentence", "each line's METEOR too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, true, async (input) =>
          meteorReport(
            input,
            await loadWordNet(flags.wordnetDir as string | undefined),
            {
              alpha: flags.alpha as number,
              beta: flags.beta as number,
              gamma: flags.gamma as number,
            },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(
    validate,
    "diversity",
    "distinct-n, n-gram entropy, self-BLEU and duplicate rate of the lines",
    false,
  )
    .option("--n <list>", "n-gram orders for distinct-n and entropy", orders, [1, 2])
    .option("--self-bleu-order <n>", "highest n-gram order of self-BLEU", number(1, true), 4)
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, false, (input) =>
          diversityReport(input.hypotheses, {
            n: flags.n as number[],
            selfBleuOrder: flags.selfBleuOrder as number,
          }),
        );
      }),
    );

  lineCommand(
    validate,
    "pii",
    "PII hits by type (e-mail, phone, card, IBAN, SSN, IP, secrets)",
    false,
  )
    .option("--types <list>", `comma-separated: ${PII_TYPES.join(", ")}`, piiTypes)
    .option("--country <code>", "default country of phone numbers", country, "US" as CountryCode)
    .option("--mask", "print the lines with each hit masked (with --json: in sentences)")
    .option("--sentence", "each line's hits too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, false, (input) =>
          guardReport(
            "pii",
            input.hypotheses,
            {
              pii: {
                types: flags.types as PiiType[] | undefined,
                defaultCountry: flags.country as CountryCode,
                mask: flags.mask === true,
              },
            },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(validate, "injection", "prompt-injection heuristics: score, verdict, reasons", false)
    .option("--flag-threshold <x>", "flag at this score", number(0), 0.5)
    .option("--block-threshold <x>", "block at this score", number(0), 0.8)
    .option("--sentence", "each line's verdict too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, false, (input) =>
          guardReport(
            "injection",
            input.hypotheses,
            {
              injection: {
                flagThreshold: flags.flagThreshold as number,
                blockThreshold: flags.blockThreshold as number,
              },
            },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(validate, "toxicity", "toxicity lexicon baseline: score by category", false)
    .option("--threshold <x>", "flag at this score", number(0), 0.3)
    .option("--sentence", "each line's score too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, false, (input) =>
          guardReport(
            "toxicity",
            input.hypotheses,
            { toxicity: { threshold: flags.threshold as number } },
            flags.sentence === true,
          ),
        );
      }),
    );

  lineCommand(
    validate,
    "readability",
    "Flesch reading ease, repetition and length statistics of the lines",
    false,
  )
    .option("--sentence", "each line's figures too")
    .action(
      withoutServer(async (ctx, flags: Flags) => {
        await scoreLines(ctx, flags, false, (input) =>
          readabilityReport(input.hypotheses, flags.sentence === true),
        );
      }),
    );
}

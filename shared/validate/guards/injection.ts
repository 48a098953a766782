/**
 * Prompt-injection heuristics: phrase families seen in injection attempts, each with a weight,
 * combined into a score in [0, 1] with the reasons that matched. A baseline: it catches the
 * common phrasings, not a determined paraphrase, so it flags for review rather than judges.
 */

/** The families of injection signals. */
export type InjectionCategory =
  | "ignore_instructions"
  | "role_play"
  | "exfiltration"
  | "delimiter"
  | "obfuscation";

/** One matched signal. */
export interface InjectionReason {
  id: string;
  category: InjectionCategory;
  weight: number;
  /** The matched text and its UTF-16 span. */
  match: string;
  start: number;
  end: number;
}

/** A text's injection verdict. */
export interface InjectionResult {
  /** Noisy-OR of the weights of the distinct signals: 1 − Π(1 − wᵢ). */
  score: number;
  verdict: "allow" | "flag" | "block";
  reasons: InjectionReason[];
}

/** Options of {@link detectInjection}. */
export interface InjectionOptions {
  /** Score at or above which a text is flagged (default 0.5). */
  flagThreshold?: number;
  /** Score at or above which a text is blocked (default 0.8). */
  blockThreshold?: number;
}

const DET = String.raw`(?:(?:all|any|every|the|your|my|these|those|of|previous|prior|above|earlier|preceding|initial|original|system|developer|safety)\s+){0,4}`;

/** Signals: id, family, weight, pattern (case-insensitive). */
const SIGNALS: { id: string; category: InjectionCategory; weight: number; pattern: RegExp }[] = [
  {
    id: "ignore_previous",
    category: "ignore_instructions",
    weight: 0.7,
    pattern: new RegExp(
      String.raw`\b(?:ignore|disregard|forget|override|bypass)\s+${DET}(?:instructions?|prompts?|rules|directions|guidelines|guardrails|restrictions)\b`,
      "gi",
    ),
  },
  {
    id: "new_instructions",
    category: "ignore_instructions",
    weight: 0.4,
    pattern:
      /\b(?:new|updated|real)\s+(?:system\s+)?instructions?\s*:|\bfrom now on,?\s+you\s+(?:will|must|are)\b/gi,
  },
  {
    id: "jailbreak_persona",
    category: "role_play",
    weight: 0.6,
    pattern:
      /\b(?:do anything now|jailbre?ak(?:ed)?|evil confidant)\b|\b(?:enable|activate|enter|switch to)\s+(?:the\s+)?(?:developer|god|dev)\s+mode\b/gi,
  },
  {
    // Case-sensitive: the persona's name in capitals, not the first name Dan.
    id: "dan_persona",
    category: "role_play",
    weight: 0.6,
    pattern: /\bDAN\b/g,
  },
  {
    id: "unrestricted_role",
    category: "role_play",
    weight: 0.6,
    pattern:
      /\b(?:you are now|act as|pretend (?:to be|you are|that you are)|roleplay as|behave as)\s+(?:an?\s+)?(?:\w+\s+)?(?:unfiltered|uncensored|unrestricted|unaligned|amoral|without (?:any )?(?:rules|restrictions|filters|limits))\b/gi,
  },
  {
    id: "no_restrictions",
    category: "role_play",
    weight: 0.45,
    pattern:
      /\b(?:no|without(?: any)?)\s+(?:ethical\s+|moral\s+|content\s+)?(?:restrictions|filters|censorship|guidelines|limitations|rules)\s+(?:apply|at all|whatsoever)\b|\b(?:you have no|there are no)\s+(?:rules|restrictions|filters)\b|\b(?:answer|respond|reply|speak|write)\w*\s+without\s+(?:any\s+)?(?:restrictions|filters|censorship|limitations)\b/gi,
  },
  {
    id: "system_prompt_leak",
    category: "exfiltration",
    weight: 0.7,
    pattern:
      /\b(?:reveal|show|print|repeat|output|display|leak|tell me|give me|what (?:is|are|was|were))\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|exact\s+|entire\s+)?(?:system|initial|hidden|original|secret|developer)\s+(?:prompt|instructions?|message|rules)\b/gi,
  },
  {
    id: "repeat_above",
    category: "exfiltration",
    weight: 0.5,
    pattern:
      /\b(?:repeat|print|output|copy)\s+(?:everything|all(?: the)?(?: text)?|the text|the words)\s+(?:above|before this|preceding)\b/gi,
  },
  {
    id: "chat_markup",
    category: "delimiter",
    weight: 0.6,
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|begin_of_text|start_header_id|eot_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?(?:system|sys_prompt)>/gi,
  },
  {
    id: "fake_role_header",
    category: "delimiter",
    weight: 0.4,
    pattern: /(?:^|\n)\s*(?:#{1,3}\s*)?(?:system|assistant|developer)\s*(?:message|prompt)?\s*:/gi,
  },
  {
    id: "decode_and_run",
    category: "obfuscation",
    weight: 0.35,
    pattern:
      /\b(?:decode|decipher|translate)\s+(?:this|the following)?\s*(?:from\s+)?(?:base64|base-64|rot13|rot-13|hex|binary)\b(?:.{0,40}\b(?:follow|execute|run|obey|do)\b)?/gi,
  },
  {
    id: "invisible_characters",
    category: "obfuscation",
    weight: 0.3,
    pattern: /[\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]+/g,
  },
];

const BASE64_RUN = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])/g;

/** A base64 run that decodes to readable text hides instructions from a plain-text filter. */
function* base64Payloads(text: string): Generator<InjectionReason> {
  for (const m of text.matchAll(BASE64_RUN)) {
    // The head of a run tells whether it is text; decoding all of a megabyte blob would not.
    const head = m[0].replace(/=+$/, "").slice(0, 4096);
    let decoded: string;
    try {
      decoded = atob(head.slice(0, head.length - (head.length % 4)));
    } catch {
      continue;
    }
    let printable = 0;
    for (let i = 0; i < decoded.length; i++) {
      const code = decoded.charCodeAt(i);
      if ((code >= 0x20 && code <= 0x7e) || code === 0x0a || code === 0x09) printable++;
    }
    // Words are counted by splitting, not by a regex that backtracks over long letter runs.
    const words = decoded.split(/\s+/).filter((w) => /^[A-Za-z]{2,}[.,:;!?'"]*$/.test(w)).length;
    if (printable / Math.max(1, decoded.length) < 0.95 || words < 2) continue;
    yield {
      id: "base64_payload",
      category: "obfuscation",
      weight: 0.4,
      match: m[0],
      start: m.index,
      end: m.index + m[0].length,
    };
  }
}

/**
 * Scores a text for prompt injection. Each signal counts once however often it matches, so
 * repetition does not inflate the score; the reasons list every match.
 */
export function detectInjection(text: string, options: InjectionOptions = {}): InjectionResult {
  const { flagThreshold = 0.5, blockThreshold = 0.8 } = options;
  const reasons: InjectionReason[] = [];
  for (const { id, category, weight, pattern } of SIGNALS)
    for (const m of text.matchAll(pattern))
      reasons.push({
        id,
        category,
        weight,
        match: m[0],
        start: m.index,
        end: m.index + m[0].length,
      });
  reasons.push(...base64Payloads(text));
  reasons.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  const weights = new Map(reasons.map((r) => [r.id, r.weight]));
  let keep = 1;
  for (const w of weights.values()) keep *= 1 - w;
  const score = 1 - keep;
  const verdict = score >= blockThreshold ? "block" : score >= flagThreshold ? "flag" : "allow";
  return { score, verdict, reasons };
}

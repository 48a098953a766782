/**
 * Guards: PII detection and masking, prompt-injection heuristics, a toxicity lexicon, demographic
 * bias of a set, and per-dataset domain rules. Runtime-agnostic, for the appliance's validation
 * and the edge's guard middleware alike.
 */
export {
  type BiasOptions,
  type BiasResult,
  chiSquareSurvival,
  type DemographicGroups,
  demographicBias,
  GENDER_TERMS,
} from "./bias.ts";
export {
  detectInjection,
  type InjectionCategory,
  type InjectionOptions,
  type InjectionReason,
  type InjectionResult,
} from "./injection.ts";
export * from "./pii/index.ts";
export {
  checkRules,
  type DomainRule,
  type RulesResult,
  type RuleViolation,
  type SchemaVerdict,
  valueAt,
} from "./rules.ts";
export {
  CATEGORY_WEIGHTS,
  createToxicityScorer,
  DEFAULT_LEXICON,
  type LexiconEntry,
  type ToxicityCategory,
  type ToxicityHit,
  type ToxicityOptions,
  type ToxicityResult,
} from "./toxicity.ts";

/** Chen & Cherry's smoothing methods 0..7 as NLTK 3.8's `SmoothingFunction` implements them. */
import { modifiedPrecision, type Ratio } from "./clipped-counts.ts";

/** Python's `sys.float_info.min`: what method0 puts in place of a zero precision. */
export const FLOAT_MIN = 2.2250738585072014e-308;

/** NLTK's `SmoothingFunction` methods, by number. */
export type NltkSmoothing = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

function ngramCount(tokens: readonly string[], n: number): number {
  return Math.max(0, tokens.length - n + 1);
}

/** Applies `SmoothingFunction().methodN` to the precisions (values, fractions as numbers). */
export function smooth(
  ratios: Ratio[],
  method: NltkSmoothing,
  ctx: {
    references: readonly (readonly string[])[];
    hypothesis: readonly string[];
    hypLen: number;
    epsilon: number;
    alpha: number;
    k: number;
  },
): number[] {
  const value = (r: Ratio) => r.numerator / r.denominator;
  switch (method) {
    case 0:
      return ratios.map((r) => (r.numerator !== 0 ? value(r) : FLOAT_MIN));
    case 1:
      return ratios.map((r) =>
        r.numerator === 0 ? (r.numerator + ctx.epsilon) / r.denominator : value(r),
      );
    case 2:
      return ratios.map((r, i) => (i === 0 ? value(r) : (r.numerator + 1) / (r.denominator + 1)));
    case 3: {
      let incvnt = 1;
      return ratios.map((r) => {
        if (r.numerator !== 0) return value(r);
        const p = 1 / (2 ** incvnt * r.denominator);
        incvnt++;
        return p;
      });
    }
    case 4:
      return method4(ratios.map(value), ratios, ctx.hypLen || ctx.hypothesis.length, ctx.k);
    case 5:
      return method5(ratios.map(value), ctx.references, ctx.hypothesis);
    case 6: {
      const p = ratios.map(value);
      if (!p[2]) throw new Error("This smoothing method requires non-zero precision for bigrams.");
      for (let i = 2; i < p.length; i++) {
        const pi0 = p[i - 2] === 0 ? 0 : p[i - 1] ** 2 / p[i - 2];
        const l = ngramCount(ctx.hypothesis, i + 1);
        p[i] = (ratios[i].numerator + ctx.alpha * pi0) / (l + ctx.alpha);
      }
      return p;
    }
    case 7: {
      const p = method4(ratios.map(value), ratios, ctx.hypLen || ctx.hypothesis.length, ctx.k);
      return method5(p, ctx.references, ctx.hypothesis);
    }
  }
}

function method4(p: number[], ratios: readonly Ratio[], hypLen: number, k: number): number[] {
  let incvnt = 1;
  for (let i = 0; i < p.length; i++) {
    if (ratios[i].numerator === 0 && hypLen > 1) {
      const numerator = 1 / ((2 ** incvnt * k) / Math.log(hypLen));
      p[i] = numerator / ratios[i].denominator;
      incvnt++;
    }
  }
  return p;
}

function method5(
  p: number[],
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
): number[] {
  const five = modifiedPrecision(references, hypothesis, 5);
  const plus1 = [...p, five.numerator / five.denominator];
  let previous = p[0] + 1;
  for (let i = 0; i < p.length; i++) {
    p[i] = (previous + p[i] + plus1[i + 1]) / 3;
    previous = p[i];
  }
  return p;
}

import { describe, it } from "vitest";
import { advice, PREREQUISITES, type PrerequisiteName, requestedSkips } from "./prerequisites.ts";

/**
 * `describe` and `it` for tests that need `name`: plain ones when it is present, skipped ones
 * (the title says why) when `TEXTNLP_TEST_SKIP` names it, and an error naming the install line
 * when it is missing without that.
 */
export function requirement(name: PrerequisiteName) {
  const skip = requestedSkips().has(name);
  if (!skip && !PREREQUISITES[name].present()) throw new Error(advice([name]));
  const why = ` [skipped: TEXTNLP_TEST_SKIP=${name}]`;
  return {
    describe: (title: string, fn: () => void) =>
      skip ? describe.skip(title + why, fn) : describe(title, fn),
    it: (title: string, fn: () => Promise<void> | void, timeout?: number) =>
      skip ? it.skip(title + why, fn, timeout) : it(title, fn, timeout),
  };
}

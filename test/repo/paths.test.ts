/**
 * CI's green run must be the run a new user gets: no test, bench or script may reach outside the
 * repository (the folder beside CI's clone, for instance, is not on a user's machine). Resolves
 * every relative path written in the tracked code and scripts the way each is used, and fails on
 * any that leaves the repository root.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/models.ts";

const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
  .split("\0")
  .filter(Boolean);

const outside = (path: string) => {
  const rel = relative(ROOT, path);
  return rel === ".." || rel.startsWith(`..${"/"}`) || isAbsolute(rel);
};

const LITERAL = String.raw`(["'\x60])([^"'\x60\n$]*)\1`;
/** Bases whose value the scan knows: the file's folder, the repo root, the working directory. */
const BASES: [RegExp, (file: string) => string][] = [
  [/import\.meta\.dirname|__dirname/, (file) => dirname(join(ROOT, file))],
  [/\bROOT\b|process\.cwd\(\)/, () => ROOT],
];

/** Each relative path in a JS / TS file, resolved as the code resolves it. */
function pathsInCode(file: string, text: string): [string, string][] {
  const found: [string, string][] = [];
  const here = dirname(join(ROOT, file));
  // Imports and any other literal that starts with ./ or ../ are relative to the file.
  for (const m of text.matchAll(/(["'\x60])(\.\.?\/[^"'\x60\n$]*)\1/g))
    found.push([m[2] as string, resolve(here, m[2] as string)]);
  // new URL("…", import.meta.url)
  for (const m of text.matchAll(
    new RegExp(`new URL\\(\\s*${LITERAL}\\s*,\\s*import\\.meta\\.url`, "g"),
  ))
    found.push([m[2] as string, resolve(here, m[2] as string)]);
  // resolve(BASE, "a", "b") / join(BASE, …) with a known base, and resolve("…") from the cwd.
  for (const m of text.matchAll(
    /\b(?:resolve|join)\(\s*([^,()]+(?:\(\))?)\s*((?:,\s*(["'`])[^"'`\n$]*\3\s*)+)\)/g,
  )) {
    const base = BASES.find(([pattern]) => pattern.test(m[1] as string));
    if (!base) continue;
    const parts = [...(m[2] as string).matchAll(new RegExp(LITERAL, "g"))].map(
      (p) => p[2] as string,
    );
    found.push([`${m[1]}, ${parts.join(", ")}`, resolve(base[1](file), ...parts)]);
  }
  return found;
}

/** Paths a shell script builds from its own location: "$(dirname "$0")/…". */
function pathsInShell(file: string, text: string): [string, string][] {
  const here = dirname(join(ROOT, file));
  return [...text.matchAll(/\$\(dirname "\$(?:0|\{?BASH_SOURCE(?:\[0\])?\}?)"\)\/([^"\s)]*)/g)].map(
    (m) => [m[0], resolve(here, m[1] as string)],
  );
}

const isCode = (f: string) => /\.(ts|js|mjs|cjs)$/.test(f);
const isShell = (f: string) => /\.sh$/.test(f) || f === ".ci/run";

describe("no path leaves the repository", () => {
  const checked: [string, string, string][] = [];
  for (const file of tracked) {
    if (file.startsWith("test/repo/")) continue; // this folder's own examples
    const text = isCode(file) || isShell(file) ? readFileSync(join(ROOT, file), "utf8") : "";
    const paths = isCode(file)
      ? pathsInCode(file, text)
      : isShell(file)
        ? pathsInShell(file, text)
        : [];
    for (const [written, resolved] of paths) checked.push([file, written, resolved]);
  }

  it("resolves every relative path in code, tests, benches and scripts inside the root", () => {
    // The scan must see the paths it is meant to check, or it proves nothing.
    expect(checked.length).toBeGreaterThan(500);
    expect(checked.some(([f]) => f.startsWith("bench/"))).toBe(true);
    expect(checked.some(([f]) => f === ".ci/run")).toBe(true);
    expect(checked.some(([f]) => f === "test/helpers/models.ts")).toBe(true);
    const escaping = checked
      .filter(([, , resolved]) => outside(resolved))
      .map(([file, written, resolved]) => `${file}: ${written} → ${resolved}`);
    expect(escaping).toEqual([]);
  });

  it("package.json scripts stay inside the root", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const escaping = Object.entries(scripts).filter(([, command]) =>
      command.split(/\s+/).some((word) => outside(resolve(ROOT, word.replace(/^["']|["']$/g, "")))),
    );
    expect(escaping).toEqual([]);
  });

  it("catches paths like the ones that once read models beside the checkout", () => {
    const code = [
      'export const STORIES_MODEL = resolve(ROOT, "../beside/models/stories260K.gguf");',
      'default: resolve(import.meta.dirname, "../../beside/models/stories260K.gguf"),',
      'const m = new URL("../../../beside/models/x.gguf", import.meta.url);',
    ].join("\n");
    const found = pathsInCode("bench/example.ts", code).filter(([, p]) => outside(p));
    expect(found.map(([written]) => written)).toEqual([
      "../../beside/models/stories260K.gguf",
      "../../../beside/models/x.gguf",
      "../../../beside/models/x.gguf",
      "ROOT, ../beside/models/stories260K.gguf",
      "import.meta.dirname, ../../beside/models/stories260K.gguf",
    ]);
    expect(
      pathsInShell(".ci/run", 'cd "$(dirname "$0")/../.."').map(([, p]) => outside(p)),
    ).toEqual([true]);
  });
});

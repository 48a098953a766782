/**
 * A CPU profile of the Worker itself (not of Node): workerd's inspector, opened by Miniflare's
 * `inspectorPort`, driven over the Chrome DevTools protocol (`Profiler.start` / `stop`) while a
 * load runs. The `.cpuprofile` opens in Chrome DevTools (Performance) or VS Code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import WebSocket from "ws";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The inspector's WebSocket for the Worker (workerd names user Workers `core:user:<name>`). */
async function debuggerUrl(port: number): Promise<string> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    id?: string;
    webSocketDebuggerUrl?: string;
  }[];
  const target = targets.find((t) => t.id?.startsWith("core:user:")) ?? targets[0];
  if (!target?.webSocketDebuggerUrl) throw new Error(`no inspector target on port ${port}`);
  return target.webSocketDebuggerUrl.replace("localhost", "127.0.0.1");
}

/** Profiles the Worker behind `inspectorPort` while `run` runs; writes the profile to `file`. */
export async function profileWorker(
  inspectorPort: number,
  file: string,
  run: () => Promise<unknown>,
): Promise<CpuProfile> {
  const socket = new WebSocket(await debuggerUrl(inspectorPort));
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let nextId = 0;
  const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, ({ result, error }) => {
        pending.delete(id);
        if (error) reject(new Error(`${method}: ${JSON.stringify(error)}`));
        else resolve(result);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 100 });
    await call("Profiler.start");
    await run();
    const { profile } = (await call("Profiler.stop")) as { profile: CpuProfile };
    writeFileSync(file, JSON.stringify(profile));
    return profile;
  } finally {
    socket.close();
  }
}

/**
 * The functions with the most self time, as `[name at source file:line in the bundle, share of
 * busy time]`; the source file is read from esbuild's `// path` module comments in `bundlePath`.
 */
export function topSelfTime(
  profile: CpuProfile,
  bundlePath: string,
  count = 5,
): [string, number][] {
  const lines = readFileSync(bundlePath, "utf8").split("\n");
  const moduleStarts: [number, string][] = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ ((?:\.\.\/)*[\w@./-]+\.[cm]?[jt]s)$/.exec(line);
    // Packages by name alone (the checkout's node_modules may be a link elsewhere).
    if (m) moduleStarts.push([i, (m[1] as string).replace(/^.*node_modules\//, "")]);
  });
  const moduleAt = (line: number) =>
    moduleStarts.findLast(([start]) => start <= line)?.[1] ?? "(bundle)";
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const describe = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    if (url.endsWith(".js"))
      return `${name} ${moduleAt(lineNumber)} (bundle line ${lineNumber + 1})`;
    if (url) return `${name} ${url}:${lineNumber + 1}`;
    // A built-in (fetch, JSON.parse…) says little alone: name the function that called it.
    const caller = byNode.get(parent.get(node.id) ?? -1);
    const meta = name === "(program)" || name === "(garbage collector)";
    if (meta || !caller) return name;
    return caller.callFrame.functionName === "(root)"
      ? `${name} (built-in, called by workerd, no JavaScript caller)`
      : `${name} (built-in) from ${describe(caller)}`;
  };
  const self = new Map<string, number>();
  let busy = 0;
  const { samples = [], timeDeltas = [] } = profile;
  samples.forEach((id, i) => {
    const node = byNode.get(id);
    // A sample's time is the gap to the next one.
    const us = timeDeltas[i + 1] ?? 0;
    const name = node?.callFrame.functionName;
    if (!node || name === "(idle)" || name === "(root)") return;
    const key = describe(node);
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => [key, busy ? us / busy : 0]);
}

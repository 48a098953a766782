/**
 * vitest globalSetup of the `edge` project: the provider fakes run here, in Node, outside
 * workerd; the tests read their URLs and keys with `inject("fakes")`.
 */
import type { TestProject } from "vitest/node";
import { fakeKeys, startAllFakes } from "./index.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { servers, close } = await startAllFakes();
  const urls = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, s.url]));
  project.provide("fakes", { urls, keys: { ...fakeKeys } });
  return close;
}

declare module "vitest" {
  export interface ProvidedContext {
    fakes: { urls: Record<string, string>; keys: Record<string, string> };
  }
}

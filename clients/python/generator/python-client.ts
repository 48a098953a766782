/**
 * The text of `textnlp/_generated.py`: the schemas' dataclasses, the operation table, and a
 * resource class per group of operations, sync and async, whose methods only name their
 * operation and pass their arguments on (`textnlp/_runtime.py` sends them).
 */
import type { JsonSchema, ServerDocuments } from "./documents.ts";
import { collectOperations, type Operation, resourceClass } from "./operations.ts";
import {
  docstring,
  PythonTypes,
  pascalCase,
  pyString,
  pythonName,
  snakeCase,
  union,
} from "./python-types.ts";

const HEADER = `"""The TextNLP API's schemas and operations, generated from the appliance's and the edge's
\`/openapi.json\` by \`clients/python/generate.ts\`. Do not edit: run
\`npx tsx clients/python/generate.ts\` (a test fails when this file is not what it writes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ._runtime import AsyncResource, Operation, SyncResource
from ._runtime import Schema as _Schema
`;

/** One parameter of a generated method. */
interface Parameter {
  python: string;
  json: string;
  type: string;
  required: boolean;
  where: "path" | "query" | "body" | "content";
}

/** The component schemas of both documents; a name the two define differently is refused. */
function components(documents: ServerDocuments): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = {};
  for (const document of [documents.appliance, documents.edge]) {
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      if (merged[name] && JSON.stringify(merged[name]) !== JSON.stringify(schema))
        throw new Error(`schema ${name} differs between the appliance's and the edge's documents`);
      merged[name] = schema;
    }
  }
  return merged;
}

function parametersOf(op: Operation, types: PythonTypes, hint: string): Parameter[] {
  const params: Parameter[] = op.pathParams.map((p) => ({
    python: pythonName(p.name),
    json: p.name,
    type: "str",
    required: true,
    where: "path",
  }));
  const named: Parameter[] = [];
  if (op.body && "raw" in op.body) {
    params.push({
      python: "content",
      json: "content",
      type: "str | bytes | Iterable[bytes]",
      required: true,
      where: "content",
    });
  } else if (op.body) {
    const schema = op.body.json;
    // The body's properties become the method's keyword arguments.
    const resolved = schema.$ref ? (types.componentSchema(schema.$ref) ?? {}) : schema;
    const required = new Set(resolved.required ?? []);
    for (const [json, property] of Object.entries(types.mergedProperties(resolved))) {
      named.push({
        python: pythonName(json),
        json,
        type: types.typeOf(property, `${schemaName(schema, hint)}${pascalCase(json)}`),
        required: required.has(json),
        where: "body",
      });
    }
  }
  for (const q of op.queryParams) {
    named.push({
      python: snakeCase(q.name),
      json: q.name,
      type: types.typeOf(q.schema, `${hint}${pascalCase(q.name)}`),
      required: q.required,
      where: "query",
    });
  }
  const all = [...params, ...named.filter((p) => p.required), ...named.filter((p) => !p.required)];
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.python)) throw new Error(`${op.key}: two parameters are named ${p.python}`);
    seen.add(p.python);
  }
  return all;
}

function schemaName(schema: JsonSchema, hint: string): string {
  return schema.$ref ? schema.$ref.replace("#/components/schemas/", "") : `${hint}Body`;
}

function resultType(op: Operation, types: PythonTypes, hint: string): string {
  switch (op.resultKind) {
    case "empty":
      return "None";
    case "text":
      return "str";
    case "bytes":
      return "bytes";
    default:
      return op.result ? types.typeOf(op.result, `${hint}Result`) : "Any";
  }
}

function pyTuple(items: string[]): string {
  return items.length === 1
    ? `(${pyString(items[0] ?? "")},)`
    : `(${items.map(pyString).join(", ")})`;
}

/** A call's keyword argument, one entry a line when the line would be long. */
function pyDict(entries: [string, string][], indent: string): string {
  const flat = `{${entries.map(([k, v]) => `${pyString(k)}: ${v}`).join(", ")}}`;
  if (flat.length <= 60) return flat;
  return `{\n${entries.map(([k, v]) => `${indent}    ${pyString(k)}: ${v},`).join("\n")}\n${indent}}`;
}

/** A summary as a sentence. */
function sentence(text: string): string {
  return /[.!?:)`]$/.test(text) ? text : `${text}.`;
}

function servedBy(op: Operation): string {
  return op.servers.length === 2 ? "the appliance and the edge" : `the ${op.servers[0]} only`;
}

/** A method's text, for the sync or the async client. */
function methodSource(
  op: Operation,
  params: Parameter[],
  result: string,
  asyncClient: boolean,
): string {
  const name = op.name.at(-1) as string;
  const positional = params.filter((p) => p.where === "path" || p.where === "content");
  const keyword = params.filter((p) => p.where === "query" || p.where === "body");
  const signature = [
    "self",
    ...positional.map((p) => `${p.python}: ${p.type}`),
    ...(keyword.length > 0 ? ["*"] : []),
    ...keyword.map((p) =>
      p.required ? `${p.python}: ${p.type}` : `${p.python}: ${union(p.type, "None")} = None`,
    ),
  ];
  const events = op.resultKind === "events";
  const returns = events ? `${asyncClient ? "AsyncIterator" : "Iterator"}[${result}]` : result;
  const dict = (where: Parameter["where"]) => {
    const entries = params.filter((p) => p.where === where);
    return entries.length === 0
      ? null
      : pyDict(
          entries.map((p) => [p.json, p.python]),
          "            ",
        );
  };
  const args = [pyString(op.name.join("."))];
  for (const where of ["path", "query", "body"] as const) {
    const value = dict(where);
    if (value) args.push(`${where}=${value}`);
  }
  if (params.some((p) => p.where === "content")) args.push("content=content");
  const summary = [op.definition.summary, op.definition.description]
    .filter((text): text is string => Boolean(text))
    .map(sentence)
    .join("\n\n");
  const doc = `${summary ? `${summary}\n\n` : ""}\`${op.key}\`, served by ${servedBy(op)}.`;
  const callee = events ? "self._events" : `${asyncClient ? "await " : ""}self._call`;
  const flat = `${callee}(${args.join(", ")})`;
  const call =
    flat.length <= 80 && !flat.includes("\n")
      ? flat
      : `${callee}(\n${args.map((a) => `            ${a},`).join("\n")}\n        )`;
  const def = asyncClient && !events ? "async def" : "def";
  const header = `    ${def} ${name}(${signature.join(", ")}) -> ${returns}:`;
  const wrapped =
    header.length <= 100
      ? header
      : `    ${def} ${name}(\n${signature.map((s) => `        ${s},`).join("\n")}\n    ) -> ${returns}:`;
  return `${wrapped}\n${docstring(doc, "        ")}\n        return ${call}`;
}

/** `_generated.py`'s text. */
export function generatePython(documents: ServerDocuments): string {
  const types = new PythonTypes(components(documents));
  const operations = collectOperations(documents);
  const methods = operations.map((op) => {
    const hint = op.name.map(pascalCase).join("");
    return { op, params: parametersOf(op, types, hint), result: resultType(op, types, hint) };
  });

  const table = methods.map(({ op, result }) => {
    const kind = op.resultKind === "json" || op.resultKind === "events" ? `, result=${result}` : "";
    const content =
      op.body && "raw" in op.body ? `, content_type=${pyString(op.body.raw[0] ?? "")}` : "";
    return `    ${pyString(op.name.join("."))}: Operation(${pyString(op.name.join("."))}, ${pyString(op.method)}, ${pyString(op.path)}, ${pyTuple(op.servers)}, ${pyString(op.resultKind)}${kind}${content}),`;
  });

  // Resources, deepest first so that each class exists before its parent creates it.
  const resources = new Map<
    string,
    { path: string[]; children: string[][]; methods: typeof methods }
  >();
  const resource = (path: string[]) => {
    const key = path.join(".");
    let found = resources.get(key);
    if (!found) {
      found = { path, children: [], methods: [] };
      resources.set(key, found);
      if (path.length > 0) resource(path.slice(0, -1)).children.push(path);
    }
    return found;
  };
  for (const method of methods) resource(method.op.name.slice(0, -1)).methods.push(method);
  const ordered = [...resources.values()].sort(
    (a, b) => b.path.length - a.path.length || a.path.join(".").localeCompare(b.path.join(".")),
  );

  const classes: string[] = [];
  for (const asyncClient of [false, true]) {
    for (const { path, children, methods: own } of ordered) {
      const name = `${asyncClient ? "Async" : ""}${resourceClass(path)}`;
      const base = asyncClient ? "AsyncResource" : "SyncResource";
      const title = path.length === 0 ? "every operation" : `\`${path.join(".")}\``;
      const lines = [
        `class ${name}(${base}):`,
        `    """The ${asyncClient ? "async " : ""}client's ${title}."""`,
      ];
      if (children.length > 0) {
        lines.push(
          "",
          "    def __init__(self, transport: Any) -> None:",
          "        super().__init__(transport)",
        );
        for (const child of children.sort((a, b) => a.join().localeCompare(b.join()))) {
          const childClass = `${asyncClient ? "Async" : ""}${resourceClass(child)}`;
          lines.push(`        self.${child.at(-1)}: ${childClass} = ${childClass}(transport)`);
        }
      }
      for (const { op, params, result } of own.sort((a, b) =>
        a.op.name.join().localeCompare(b.op.name.join()),
      ))
        lines.push("", methodSource(op, params, result, asyncClient));
      classes.push(lines.join("\n"));
    }
  }

  // The module has one namespace: a schema named like a resource or an import would shadow it.
  const taken = new Set(["Any", "Literal", "Iterable", "Iterator", "AsyncIterator", "Operation"]);
  for (const name of [...types.classNames(), ...ordered.map((r) => resourceClass(r.path))]) {
    if (taken.has(name)) throw new Error(`two definitions of ${name} in _generated.py`);
    taken.add(name);
  }

  const sections = [
    HEADER,
    types.source(),
    `#: Every generated operation by its method's dotted name on the client.\nOPERATIONS: dict[str, Operation] = {\n${table.join("\n")}\n}`,
    ...classes,
  ];
  return `${sections.join("\n\n\n")}\n`;
}

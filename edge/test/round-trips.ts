/**
 * Counts a gateway's storage round trips (D1 statements and batches, KV operations, Durable
 * Object calls) by wrapping its bindings: a test's view of the hot path that costs production
 * nothing, since production never wraps them.
 */
import { env } from "cloudflare:workers";
import type { Bindings } from "../env.ts";

/** Round trips so far, by storage. */
export interface RoundTrips {
  d1: number;
  kv: number;
  durableObject: number;
}

type Methods = Record<string | symbol, unknown>;

/** `target` with each of `counted` methods adding one to `count` when called. */
function counting<T extends object>(target: T, counted: Set<string>, count: () => void): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value = (obj as Methods)[prop];
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (typeof prop === "string" && counted.has(prop)) count();
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

const STATEMENT_RUNS = new Set(["first", "all", "run", "raw"]);
const KV_CALLS = new Set(["get", "getWithMetadata", "put", "delete", "list"]);

/** A D1 database whose statements count when they run (a batch counts once). */
function countingD1(db: D1Database, trips: RoundTrips): D1Database {
  const statement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(obj, prop) {
        const value = (obj as unknown as Methods)[prop];
        if (typeof value !== "function") return value;
        if (prop === "bind") {
          return (...args: unknown[]) => statement(obj.bind(...args));
        }
        return (...args: unknown[]) => {
          if (typeof prop === "string" && STATEMENT_RUNS.has(prop)) trips.d1 += 1;
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return new Proxy(db, {
    get(obj, prop) {
      if (prop === "prepare") return (sql: string) => statement(obj.prepare(sql));
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          trips.d1 += 1;
          return obj.batch(statements);
        };
      }
      const value = (obj as unknown as Methods)[prop];
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

/** A Durable Object namespace whose stubs count each call they make. */
function countingNamespace<T extends object>(ns: T, trips: RoundTrips): T {
  return new Proxy(ns, {
    get(obj, prop) {
      const value = (obj as unknown as Methods)[prop];
      if (typeof value !== "function") return value;
      if (prop === "get") {
        return (...args: unknown[]) => {
          const stub = (value as (...a: unknown[]) => object).apply(obj, args);
          return new Proxy(stub, {
            get(s, method) {
              const member = (s as Methods)[method];
              if (typeof member !== "function") return member;
              return (...a: unknown[]) => {
                trips.durableObject += 1;
                // Reflect.apply: an RPC method is a proxy whose own `.apply` would be a remote call.
                return Reflect.apply(member as (...x: unknown[]) => unknown, s, a);
              };
            },
          });
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(obj);
    },
  });
}

/** Bindings for `startGateway` that count their round trips into `trips` (reset it at will). */
export function countedBindings(): { bindings: Partial<Bindings>; trips: RoundTrips } {
  const trips: RoundTrips = { d1: 0, kv: 0, durableObject: 0 };
  const bindings: Partial<Bindings> = {
    DB: countingD1(env.DB, trips),
    SITE_HUB: countingNamespace(env.SITE_HUB, trips),
  };
  if (env.LIMITER) bindings.LIMITER = countingNamespace(env.LIMITER, trips);
  if (env.RESPONSE_CACHE) {
    bindings.RESPONSE_CACHE = counting(env.RESPONSE_CACHE, KV_CALLS, () => {
      trips.kv += 1;
    });
  }
  return { bindings, trips };
}

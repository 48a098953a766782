import type { RequestPriority } from "../loaded-model.ts";

/** A chat or completion call began (before its model is loaded or a sequence is free). */
export interface GenerationStarted {
  id: number;
  /** The name the request asked for (an alias until the model is resolved). */
  model: string;
  priority: RequestPriority;
  /** `performance.now()` at the call. */
  at: number;
}

/** Tokens were generated. */
export interface GenerationTokens {
  id: number;
  /** The model serving the request (its own name, never an alias or `@N`). */
  model: string;
  /** Its version ("" before the model was resolved). */
  version: string;
  priority: RequestPriority;
  count: number;
  at: number;
}

/**
 * A sampling pass is about to evaluate its prompt (once per choice, again for each re-sampled
 * JSON value): the tokens its sequence already held from an earlier request, and the rest.
 */
export interface GenerationPrompt {
  id: number;
  model: string;
  version: string;
  priority: RequestPriority;
  reused: number;
  evaluated: number;
  at: number;
}

/** A call ended, successfully or not. */
export interface GenerationEnded {
  id: number;
  /** The model serving the request, or the name asked for when none was resolved. */
  model: string;
  version: string;
  priority: RequestPriority;
  ok: boolean;
  at: number;
}

/** The events an engine reports, by name. */
export interface EngineEventMap {
  start: GenerationStarted;
  prompt: GenerationPrompt;
  tokens: GenerationTokens;
  end: GenerationEnded;
}

type Listener<K extends keyof EngineEventMap> = (event: EngineEventMap[K]) => void;

/**
 * What an engine reports as it generates, for observers such as metrics. A listener that throws
 * never breaks a request: its error goes to `onListenerError`.
 */
export class EngineEvents {
  readonly #listeners: { [K in keyof EngineEventMap]: Set<Listener<K>> } = {
    start: new Set(),
    prompt: new Set(),
    tokens: new Set(),
    end: new Set(),
  };

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof EngineEventMap>(type: K, listener: Listener<K>): () => void {
    const listeners = this.#listeners[type] as Set<Listener<K>>;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  emit<K extends keyof EngineEventMap>(type: K, event: EngineEventMap[K]): void {
    for (const listener of this.#listeners[type] as Set<Listener<K>>) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

import type { ToolSpec } from './types.js';

/**
 * A value already serialised: {@link requestJson} writes `json` where the value would go. The
 * clients cache the wire JSON of each message (and each tool spec) once, since a conversation only
 * ever grows at its end: rebuilding and stringifying the whole conversation every turn cost ~13 µs
 * at 30 messages and ~25 µs at 60 (bench 700's micro-driver), growing with every step, which
 * broke "flat from 2 to 30 steps". Joining the cached strings costs under 2 µs at 60.
 */
export class RawJson {
  constructor(readonly json: string) {}
}

/**
 * `JSON.stringify(body)` where a {@link RawJson} value stands for its `json`: the same keys, in the
 * same order, with the same omissions (a value JSON leaves out, such as `undefined`, is left out).
 */
export function requestJson(body: Record<string, unknown>): string {
  let out = '';
  for (const key of Object.keys(body)) {
    const value = body[key];
    const json = value instanceof RawJson ? value.json : JSON.stringify(value);
    if (json === undefined) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${json}`;
  }
  return `{${out}}`;
}

/**
 * Serialises `item` once per object: the cache is keyed by identity, so it holds only while the
 * object is not changed in place. The loop never changes a message or a tool spec once made (a
 * compaction makes new message objects); an embedder calling `complete` itself must do the same.
 */
export function cachedJson<T extends object>(cache: WeakMap<T, string>, item: T, wire: (item: T) => unknown): string {
  let json = cache.get(item);
  if (json === undefined) {
    json = JSON.stringify(wire(item));
    cache.set(item, json);
  }
  return json;
}

/** A JSON array of the cached wire forms of `items`. */
export function cachedArray<T extends object>(
  cache: WeakMap<T, string>,
  items: readonly T[],
  wire: (item: T) => unknown,
): RawJson {
  let out = '';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + cachedJson(cache, items[i] as T, wire);
  return new RawJson(`[${out}]`);
}

/**
 * How many leading items `now` shares, object for object, with `before` — all of `before` when the
 * list only grew at its end since (what a conversation does from one turn to the next).
 */
export function sharedPrefix<T>(before: readonly T[], now: readonly T[]): number {
  const n = Math.min(before.length, now.length);
  let i = 0;
  while (i < n && before[i] === now[i]) i++;
  return i;
}

/** Tool specs of a request, each serialised once (the loop offers the same spec objects every turn). */
export type ToolCache = WeakMap<ToolSpec, string>;

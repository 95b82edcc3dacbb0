/**
 * Type guards for values that come from outside the program (JSON and YAML read from disk or an
 * API, thrown errors): the compiler narrows on them, so no `as` cast claims a shape nobody checked.
 */

/** A plain object (not null, not an array), with its fields still unknown. */
export type Obj = Record<string, unknown>;

export const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v[key]` when `v` is an object (an Error included), else undefined. */
export function field(v: unknown, key: string): unknown {
  if (typeof v !== 'object' || v === null) return undefined;
  const value: unknown = Reflect.get(v, key);
  return value;
}

/** `v[key]` when it is a string, else undefined. */
export function stringField(v: unknown, key: string): string | undefined {
  const f = field(v, key);
  return typeof f === 'string' ? f : undefined;
}

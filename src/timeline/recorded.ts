/**
 * Reading a recorded event's data. A timeline on disk may come from an older version or have been
 * edited (then `timeline verify` says so), so its fields are checked as they are read, never cast:
 * a field of the wrong shape reads as absent, and the fold decides what absence means.
 */

/** A string field, or '' (or the fallback) when it is not a string. */
export function text(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** The strings of a list field (anything else in it is left out); [] when it is not a list. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A field of an object field (`cause.id`), or undefined: the one guard of src/guards.ts. */
export { field } from '../guards.js';

/** The value when it is one of `values`, else undefined. */
export function oneOf<const T extends string>(v: unknown, values: readonly T[]): T | undefined {
  return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

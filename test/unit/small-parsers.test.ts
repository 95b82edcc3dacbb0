/**
 * The small parsers in src/ that had no unit test of their own (durations, ISO times, the "did
 * you mean" distance): what a user typing a flag or a runbook field gets back.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/duration.js';
import { parseIsoTime } from '../../src/time-input.js';
import { editDistance, suggest } from '../../src/suggest.js';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1.5s', 1500],
    ['250', 250],
    [' 10s ', 10_000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '5x', '5m junk', 'm', '-1s', '1 h'])('"%s" is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());
  it('takes a non-negative number as ms', () => {
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration(-1)).toBeUndefined();
  });
});

describe('parseIsoTime', () => {
  it('reads UTC, offsets and fractions', () => {
    expect(parseIsoTime('2026-11-28T03:40:00Z')).toEqual({ ok: true, value: new Date('2026-11-28T03:40:00Z') });
    expect(parseIsoTime('2026-11-28 03:40')).toEqual({ ok: true, value: new Date('2026-11-28T03:40:00Z') });
    expect(parseIsoTime('2026-11-28T05:40:30.250+02:00')).toEqual({ ok: true, value: new Date('2026-11-28T03:40:30.250Z') });
  });
  it('says what is wrong', () => {
    expect(parseIsoTime('2026-11-28T24:00Z')).toEqual({ ok: false, why: 'there is no hour 24 (00-23)' });
    expect(parseIsoTime('2026-11-28T03:60Z')).toEqual({ ok: false, why: 'there is no minute 60 (00-59)' });
    expect(parseIsoTime('yesterday').ok).toBe(false);
  });
});

describe('editDistance and suggest', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['flaw', 'lawn', 2],
    ['runbook', 'runbook', 0],
  ])('%s → %s is %i', (a, b, d) => expect(editDistance(a, b)).toBe(d));
  it('suggests the nearest candidate when it is close enough', () => {
    expect(suggest('sev2-respnse', ['sev1-response', 'sev2-response'])).toBe(' (did you mean "sev2-response"?)');
    expect(suggest('zzzz', ['sev1-response'])).toBe('');
  });
});

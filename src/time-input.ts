/**
 * Strict parsing of the times and dates a responder types (`--at`, `--due`). JavaScript's Date
 * quietly rolls `2026-11-31` over to December 1st and reads `T24:00` as the next midnight; a wrong
 * time in an incident record is worse than a refused one, so every component is checked against
 * the calendar (by round-trip) and anything else is an error value saying what was expected.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

const TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The date's components as a UTC instant, or why they are not a day of the calendar. */
function calendarDay(y: number, mo: number, d: number): Parsed<number> {
  if (mo < 1 || mo > 12) return { ok: false, why: `there is no month ${mo}` };
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (d < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return { ok: false, why: `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')} has no day ${d}` };
  return { ok: true, value: t };
}

/**
 * An ISO 8601 time: `2026-11-28T03:40`, `…:00`, `…:00.123`, with `Z` or an offset (`+01:00`);
 * without one it is UTC. A space may stand for the `T`.
 */
export function parseIsoTime(text: string): Parsed<Date> {
  if (!text.trim()) return { ok: false, why: 'it is empty' };
  const m = TIME.exec(text.trim());
  if (!m) return { ok: false, why: 'expected an ISO 8601 time such as 2026-11-28T03:40:00Z (UTC unless it has an offset)' };
  // Groups 1-5 are not optional: they are there whenever the pattern matched.
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const day = calendarDay(y, mo, d);
  if (!day.ok) return day;
  if (h > 23) return { ok: false, why: `there is no hour ${h} (00-23)` };
  if (mi > 59) return { ok: false, why: `there is no minute ${mi} (00-59)` };
  if (s > 59) return { ok: false, why: `there is no second ${s} (00-59)` };
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 14 || om > 59) return { ok: false, why: `the offset ${m[9]}${m[10]}${m[11] ? `:${m[11]}` : ''} is not a time zone` };
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return { ok: true, value: new Date(day.value + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + ms) };
}

/** A calendar date `YYYY-MM-DD` (a due date), as midnight UTC. */
export function parseIsoDate(text: string): Parsed<Date> {
  if (!text.trim()) return { ok: false, why: 'it is empty' };
  const m = DATE.exec(text.trim());
  if (!m) return { ok: false, why: 'expected a date such as 2026-12-05 (YYYY-MM-DD)' };
  const day = calendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
  return day.ok ? { ok: true, value: new Date(day.value) } : day;
}

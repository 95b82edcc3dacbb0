/**
 * Times as the commands and views say them: "14:05" (UTC), "in 12m" / "3m ago", "1h05m". Pure, so the
 * core (a handoff summary) and the views (status, declare) word times the same way.
 */

export const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/** "in 12m" / "3m ago" / "now". */
export function relative(d: Date, now: Date): string {
  const diff = Math.round((d.getTime() - now.getTime()) / 60_000);
  if (diff === 0) return 'now';
  const abs = Math.abs(diff);
  const text =
    abs < 120 ? `${abs}m` : abs < 2880 ? `${Math.floor(abs / 60)}h${String(abs % 60).padStart(2, '0')}m` : `${Math.floor(abs / 1440)}d`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

export function elapsed(from: Date, now: Date): string {
  const m = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

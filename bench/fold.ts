// Folding cost of the derived milestones judged on the times given (issue 11, recording after the
// fact), against a baseline measured in the same run:
//   node --import tsx bench/fold.ts [--events N] [--base COMMIT]
// The state.ts of this tree against the state.ts of COMMIT (default: the commit before this work),
// folding N notes three ways: recorded as they happen; all backdated to the window between
// detection and declaration (the worst case: every one is kept as evidence); and the same with
// detection moved once at the end. Interleaved rounds, median of 3.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foldIncident } from '../src/incident/state.js';
import type { TimelineEvent } from '../src/timeline/event.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const EVENTS = Number(flag('--events', '100000'));
const BASE = flag('--base', '029b109');
const work = mkdtempSync(join(tmpdir(), 'bud-incident-bench-fold-'));
mkdirSync(join(work, 'incident'), { recursive: true });
writeFileSync(join(work, 'incident', 'state.ts'), execFileSync('git', ['show', `${BASE}:src/incident/state.ts`], { cwd: root }));
const baseFold = ((await import(join(work, 'incident', 'state.ts'))) as { foldIncident: typeof foldIncident }).foldIncident;

const T0 = Date.parse('2026-01-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ev = (seq: number, type: string, data: Record<string, unknown>, ts: number): TimelineEvent => ({
  seq,
  ts: iso(ts),
  actor: 'bench',
  type,
  data,
  prev: '',
  hash: '',
});
function timeline(kind: 'live' | 'backdated' | 'moved'): TimelineEvent[] {
  const opened = ev(
    1,
    'incident.opened',
    { title: 't', severity: 'SEV1', channel: '#c', openedAt: iso(T0), detectedAt: iso(T0 - 3_600_000) },
    T0,
  );
  const notes = Array.from({ length: EVENTS }, (_, i) =>
    kind === 'live'
      ? ev(i + 2, 'note.added', { text: `n${i}` }, T0 + i * 1000)
      : ev(i + 2, 'note.added', { text: `n${i}`, at: iso(T0 - 3_000_000 + (i % 1000) * 1000) }, T0 + 86_400_000),
  );
  const moved =
    kind === 'moved' ? [ev(EVENTS + 2, 'milestone.recorded', { name: 'detected', at: iso(T0 - 7_200_000) }, T0 + 86_400_000)] : [];
  return [opened, ...notes, ...moved];
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (fold: typeof foldIncident, events: TimelineEvent[]) => {
  const t0 = performance.now();
  fold('i', events);
  return performance.now() - t0;
};
for (const kind of ['live', 'backdated', 'moved'] as const) {
  const events = timeline(kind);
  const base: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < 3; r++) {
    base.push(time(baseFold, events));
    now.push(time(foldIncident, events));
  }
  const b = median(base);
  const n = median(now);
  console.log(`${kind.padEnd(9)} ${EVENTS} notes: ${BASE} ${b.toFixed(0)} ms, this tree ${n.toFixed(0)} ms (×${(n / b).toFixed(2)})`);
}

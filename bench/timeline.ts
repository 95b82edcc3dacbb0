// Timeline store costs of issue 10 (items 3, 5), each against a baseline measured in the same run:
//   node --import tsx bench/timeline.ts [--appends N] [--events N] [--base COMMIT]
// 1. Appends, one process: the store of this tree against the store of COMMIT (default: the commit
//    before the lock and chain work), same machine, interleaved rounds. The new store reads
//    /proc, sweeps lock leftovers, checks the tail chains and re-checks the size before writing.
// 2. Readers: every reader now verifies the chain while folding (readVerifiedEvents) instead of
//    only parsing (readEvents): N events read both ways.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TimelineStore, readEvents, readVerifiedEvents } from '../src/timeline/store.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const APPENDS = Number(flag('--appends', '2000'));
const EVENTS = Number(flag('--events', '20000'));
const BASE = flag('--base', '0e3cb13');
const work = mkdtempSync(join(tmpdir(), 'bud-incident-bench-tl-'));

// The baseline store: the files of BASE that it imports, in a tree of their own.
const baseSrc = join(work, 'base', 'src');
for (const file of ['timeline/store.ts', 'timeline/lock.ts', 'timeline/event.ts', 'errors.ts']) {
  mkdirSync(dirname(join(baseSrc, file)), { recursive: true });
  writeFileSync(join(baseSrc, file), execFileSync('git', ['show', `${BASE}:src/${file}`], { cwd: root }));
}
type Store = { append(d: Array<{ type: 'note.added'; data: { text: string } }>): unknown };
const Base = ((await import(join(baseSrc, 'timeline', 'store.ts'))) as { TimelineStore: new (...a: unknown[]) => Store }).TimelineStore;

function appendRun(make: (dir: string) => Store): number {
  const dir = mkdtempSync(join(work, 'a-'));
  const store = make(dir);
  const t0 = performance.now();
  for (let i = 0; i < APPENDS; i++) store.append([{ type: 'note.added', data: { text: `note ${i}` } }]);
  return performance.now() - t0;
}
const rounds = 3;
const now: number[] = [];
const base: number[] = [];
for (let r = 0; r < rounds; r++) {
  base.push(appendRun((dir) => new Base(dir, 'bench', () => new Date())));
  now.push(appendRun((dir) => new TimelineStore(dir, 'bench', () => new Date())));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perAppend = (ms: number) => `${((ms / APPENDS) * 1000).toFixed(0)} µs`;
console.log(
  `appends (${APPENDS}, one process, median of ${rounds}): this tree ${perAppend(median(now))} per append, ${BASE} ${perAppend(median(base))} per append (x${(median(now) / median(base)).toFixed(2)})`,
);

// Readers.
const dir = mkdtempSync(join(work, 'r-'));
const store = new TimelineStore(dir, 'bench', () => new Date());
const batch = 1000;
for (let i = 0; i < EVENTS; i += batch)
  store.append(
    Array.from({ length: Math.min(batch, EVENTS - i) }, (_, j) => ({
      type: 'note.added',
      data: { text: `note ${i + j} with some words in it` },
    })),
  );
const readMs = (fn: () => number) => {
  const xs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    if (fn() !== EVENTS) throw new Error('wrong count');
    xs.push(performance.now() - t0);
  }
  return median(xs);
};
const count = (it: Iterable<unknown>) => {
  let n = 0;
  for (const _ of it) n++;
  return n;
};
const parsed = readMs(() => count(readEvents(store.path)));
const verified = readMs(() => count(readVerifiedEvents(store.path)));
console.log(
  `readers (${EVENTS} events, median of 5): verified while read ${verified.toFixed(0)} ms, parsed only (before) ${parsed.toFixed(0)} ms (x${(verified / parsed).toFixed(2)}, +${(((verified - parsed) / EVENTS) * 1000).toFixed(1)} µs per event)`,
);

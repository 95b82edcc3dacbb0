/**
 * One of the concurrent writers of bench/team.ts: appends COUNT notes to one incident, either to
 * the local file store (as test/faults/append-worker.ts: the cross-process lock) or as a team
 * laptop (as test/faults/team-writer.ts: append to this laptop's copy, then sync, per event).
 *
 *   team-worker.ts local DIR ACTOR COUNT
 *   team-worker.ts team STORE_URL STATE_DIR INCIDENT ACTOR COUNT
 *
 * Start-up (tsx, the PostgreSQL connection, the first sync) is kept out of the figure: the worker
 * prints "ready", waits for a line on stdin (the start signal sent to all writers at once), then
 * prints "done START END" (epoch milliseconds) around its appends only.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { postgresLocation, replicaRoot } from '../src/store/location.js';
import { PgStore } from '../src/store/pg.js';
import { syncIncident } from '../src/store/sync.js';
import { TimelineStore } from '../src/timeline/store.js';

const args = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();

async function go(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
}

if (args[0] === 'local') {
  const [, dir, actor, count] = args as [string, string, string, string];
  const store = new TimelineStore(dir, actor, () => new Date());
  await go();
  const start = now();
  for (let i = 0; i < Number(count); i++) store.appendRaw([{ type: 'note.added', data: { text: `${actor}:${i}` } }]);
  process.stdout.write(`done ${start} ${now()}\n`);
} else {
  const [, url, state, incident, actor, count] = args as [string, string, string, string, string, string];
  const location = postgresLocation(url, 'team-worker');
  const dir = join(replicaRoot(state, location), 'incidents', incident);
  const timeline = new TimelineStore(dir, actor, () => new Date());
  // A first sync into a copy that has no timeline file yet fails (sync.ts truncateTail opens it
  // 'r+'; see bench/team.ts): start from an empty file, as a copy that exists but holds nothing.
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'timeline.jsonl'))) writeFileSync(join(dir, 'timeline.jsonl'), '');
  const store = await PgStore.connect(location, { statementTimeoutMs: 60_000 });
  await syncIncident(store, incident, dir);
  await go();
  const start = now();
  for (let i = 0; i < Number(count); i++) {
    timeline.appendRaw([{ type: 'note.added', data: { text: `${actor}:${i}` } }]);
    await syncIncident(store, incident, dir);
  }
  process.stdout.write(`done ${start} ${now()}\n`);
  await store.close();
}

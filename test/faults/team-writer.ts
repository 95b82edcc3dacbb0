// One responder's laptop writing to a team incident, as the CLI does for each command: append to
// this laptop's copy, then sync with the team store. When the store cannot be reached the events
// wait in the outbox and the next sync sends them. Used by test/integration/team-faults.test.ts.
//
//   team-writer.ts STORE_URL STATE_DIR INCIDENT ACTOR COUNT [PREFIX]
//
// COUNT -1 writes until killed. Prints "ready" once connected, "done {json}" at the end (after a
// final sync that retries for up to 60 s).
import { join } from 'node:path';
import { postgresLocation, replicaRoot } from '../../src/store/location.js';
import { PgStore } from '../../src/store/pg.js';
import { syncIncident } from '../../src/store/sync.js';
import { TimelineStore } from '../../src/timeline/store.js';

const [url, state, incident, actor, countText, prefix = actor] = process.argv.slice(2) as [string, string, string, string, string, string?];
const count = Number(countText);
const location = postgresLocation(url, 'team-writer');
const dir = join(replicaRoot(state, location), 'incidents', incident);
const timeline = new TimelineStore(dir, actor, () => new Date());

let store: PgStore | undefined;
let offline = 0;
async function sync(): Promise<boolean> {
  try {
    store ??= await PgStore.connect(location, { connectTimeoutMs: 1000, statementTimeoutMs: 10_000 });
    await syncIncident(store, incident, dir);
    return true;
  } catch {
    offline++;
    await store?.close();
    store = undefined;
    return false;
  }
}

await sync();
process.stdout.write('ready\n');
for (let i = 0; count < 0 || i < count; i++) {
  timeline.appendRaw([{ type: 'note.added', data: { text: `${prefix}:${i}` } }]);
  await sync();
}
const until = Date.now() + 60_000;
while (!(await sync()) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
await store?.close();
process.stdout.write(`done ${JSON.stringify({ actor, offline })}\n`);

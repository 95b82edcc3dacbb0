/**
 * Following an incident as it happens (`timeline --follow`, `status --watch`) until Ctrl-C.
 *
 * On the local store: the timeline file is looked at every second. In team mode: a connection to
 * the store LISTENs for teammates' events (PostgreSQL NOTIFY, sent by the events table's trigger);
 * each notice for this incident syncs the copy and calls `onChange`. The file is still looked at
 * every second, for events written by other commands on this laptop. A lost connection is said
 * once, retried with backoff (1 s doubling to 15 s), and the copy is brought level on reconnection,
 * so nothing that landed meanwhile is missed.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import type { PgStore } from '../store/pg.js';
import { incidentsRoot, type Context } from './context.js';

const POLL_MS = 1000;

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** Calls `onChange` whenever the incident's record changes, until SIGINT or SIGTERM; returns 0. */
export async function watchIncident(ctx: Context, id: string, onChange: () => void, options: { everyMs?: number } = {}): Promise<number> {
  const dir = join(incidentsRoot(ctx), 'incidents', id);
  const path = join(dir, 'timeline.jsonl');
  const stop = new AbortController();
  const quit = () => stop.abort();
  // One promise for the whole watch: an abort that comes while connecting or syncing (before any
  // listener is added) must still end it.
  const aborted = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  // A function, not the property: the signal is aborted from a signal handler, between awaits.
  const stopped = (): boolean => stop.signal.aborted;
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);

  let size = fileSize(path);
  let last = Date.now();
  const changed = () => {
    size = fileSize(path);
    last = Date.now();
    onChange();
  };
  // Other commands on this laptop (and, in team mode, the syncs below) write the file.
  const poll = setInterval(() => {
    if (fileSize(path) !== size || (options.everyMs !== undefined && Date.now() - last >= options.everyMs)) changed();
  }, POLL_MS);

  try {
    const location = ctx.store;
    if (location?.kind !== 'postgres') {
      await aborted;
      return 0;
    }
    const [{ PgStore }, { syncIncident }] = await Promise.all([import('../store/pg.js'), import('../store/sync.js')]);
    let delay = 1000;
    let down: string | undefined;
    while (!stopped()) {
      let store: PgStore | undefined;
      try {
        store = await PgStore.connect(location, { env: ctx.env });
        const live = store;
        // Catch up on what landed while we were not listening, then listen.
        await syncIncident(live, id, dir);
        if (down !== undefined) ctx.term.err.write(`${ctx.term.errColor.green('reconnected')} to ${location.display}\n`);
        down = undefined;
        delay = 1000;
        changed();
        let syncing = Promise.resolve();
        const ended = live.listen((incident) => {
          if (incident !== id) return;
          // A sync that fails here (the connection dropping) is not fatal: the loss ends the
          // listen below, and the reconnection's catch-up sync brings the copy level.
          syncing = syncing
            .then(async () => {
              await syncIncident(live, id, dir);
              changed();
            })
            .catch(() => undefined);
        });
        await Promise.race([ended, aborted]);
        await syncing;
        if (!stopped()) throw new Error('the connection was closed');
      } catch (error) {
        if (stopped()) break;
        const why = errorMessage(error).replaceAll(location.url, location.display);
        if (down === undefined)
          ctx.term.err.write(
            `${ctx.term.errColor.yellow('lost the team store')} ${location.display} (${why}); retrying, showing this laptop's copy meanwhile\n`,
          );
        down = why;
        let t: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((resolve) => (t = setTimeout(resolve, delay))), aborted]);
        clearTimeout(t);
        delay = Math.min(delay * 2, 15_000);
      } finally {
        await store?.close();
      }
    }
    return 0;
  } finally {
    clearInterval(poll);
    process.off('SIGINT', quit);
    process.off('SIGTERM', quit);
  }
}

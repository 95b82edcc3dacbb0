/**
 * Team mode around a command: before it, share this laptop's outbox and bring in the team's events
 * (so `status`, `handoff`, the checklists and the post-mortem see everyone's); after it, share what
 * it wrote. When the team store cannot be reached, the command still runs on the local copy: its
 * events wait in the outbox, a line on stderr says so, and the next command that reaches the store
 * sends them, in order, with their original time and actor.
 *
 * The PostgreSQL client is imported here only, and only in team mode.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { StoreUnreachable, type PgStore } from '../store/pg.js';
import { pendingCount } from '../store/sync.js';
import type { StoreLocation } from '../store/location.js';
import { incidentsRoot, type Context } from './context.js';

type PgLocation = Extract<StoreLocation, { kind: 'postgres' }>;

export interface TeamSession {
  location: PgLocation;
  store?: PgStore;
  /** Why the store could not be used for this command (it ran on the local copy). */
  offline?: string;
  sent: number;
  received: number;
  /** What `status` says of the store for one incident (kept here so status need not import this module). */
  lineFor: (id: string) => TeamLine;
  /** While the command runs, what it writes is shared every few seconds (see shareWhileRunning). */
  ticker?: NodeJS.Timeout;
  sharing?: Promise<void>;
}

export interface TeamLine {
  store: string;
  offline?: string;
  pending: number;
}

const ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** The incidents of this laptop's copy. */
function localIncidents(ctx: Context): string[] {
  try {
    return readdirSync(join(incidentsRoot(ctx), 'incidents')).filter((id) => ID.test(id));
  } catch {
    return [];
  }
}

/**
 * Connects to the team store (when one is configured) and syncs the incidents the command may
 * read (`discover`: every incident the team has); offline (the store cannot be reached) is not an
 * error, a store that refuses this laptop is.
 */
export async function beginTeam(ctx: Context, options: { discover?: boolean; shareWhileRunning?: boolean } = {}): Promise<void> {
  const location = ctx.store;
  if (location?.kind !== 'postgres') return;
  const session: TeamSession = { location, sent: 0, received: 0, lineFor: (id) => teamLine(ctx, session, id) };
  ctx.team = session;
  try {
    const { PgStore } = await import('../store/pg.js');
    session.store = await PgStore.connect(location, { connectTimeoutMs: connectTimeout(ctx), env: ctx.env });
    await session.store.requireSchema();
    await syncAll(ctx, session, { everything: true, discover: options.discover === true });
    if (options.shareWhileRunning === true) shareWhileRunning(ctx, session);
  } catch (error) {
    // The network or the server down: the command works offline on the copy. A store that answered
    // and refused (no such database, a wrong password, a certificate that does not verify, a schema
    // to migrate, a bad sslmode) is this laptop's set-up: the command is refused before it writes,
    // so nothing goes into a copy of a store nobody else reads.
    if (error instanceof UserError && !(error instanceof StoreUnreachable)) {
      await session.store?.close();
      delete ctx.team;
      throw new UserError(
        `${error.message.replaceAll(location.url, location.display)}\nnothing was written: fix the store setting ($BUD_INCIDENT_STORE or "store:" in the config), or set BUD_INCIDENT_STORE=local to work on this laptop's local store`,
        error.exitCode,
      );
    }
    await goOffline(ctx, session, error);
  }
}

/**
 * Shares what the command writes every few seconds while it runs (`$BUD_INCIDENT_SHARE_EVERY_MS`,
 * default 2000), so a long `run` lands step by step on teammates' `timeline --follow` and
 * `status --watch`, not only when it ends. Quietly: a failure here is met again, and said, by the
 * sync when the command ends. Only for commands that do not use the session's connection
 * themselves (run, triage, checklist, update): a sync's transaction must not interleave with theirs.
 */
function shareWhileRunning(ctx: Context, session: TeamSession): void {
  const every = Number(ctx.env.BUD_INCIDENT_SHARE_EVERY_MS);
  session.ticker = setInterval(
    () => {
      if (session.sharing || !session.store || session.offline !== undefined) return;
      session.sharing = syncAll(ctx, session, { everything: false, quiet: true })
        .catch(() => undefined)
        .finally(() => {
          session.sharing = undefined;
        });
    },
    Number.isFinite(every) && every > 0 ? every : 2000,
  );
  session.ticker.unref();
}

/** What `status` says of the team store for one incident: shared, or how many events wait here and why. */
function teamLine(ctx: Context, session: TeamSession, id: string): TeamLine {
  return {
    store: session.location.display,
    ...(session.offline !== undefined ? { offline: session.offline } : {}),
    pending: pendingCount(join(incidentsRoot(ctx), 'incidents', id)),
  };
}

/** Shares what the command wrote and closes the connection; says what is still waiting when offline. */
export async function endTeam(ctx: Context): Promise<void> {
  const session = ctx.team;
  if (!session) return;
  clearInterval(session.ticker);
  await session.sharing;
  if (session.store && !session.offline) {
    try {
      await syncAll(ctx, session, { everything: false });
    } catch (error) {
      await goOffline(ctx, session, error);
    }
  }
  await session.store?.close();
  if (session.offline) {
    const waiting = await outboxSize(ctx);
    if (waiting > 0)
      ctx.term.err.write(
        `${ctx.term.errColor.yellow('offline:')} ${waiting} event${waiting === 1 ? '' : 's'} not yet shared with ${session.location.display}; they are kept here and sent by the next command that reaches it\n`,
      );
  }
}

async function goOffline(ctx: Context, session: TeamSession, error: unknown): Promise<void> {
  session.offline = errorMessage(error);
  await session.store?.close();
  delete session.store;
  ctx.term.err.write(
    `${ctx.term.errColor.yellow('warning:')} working offline on this laptop's copy: ${session.offline.replaceAll(session.location.url, session.location.display)}\n`,
  );
}

/** Events of this laptop's copy not yet shared, over every incident. */
export async function outboxSize(ctx: Context): Promise<number> {
  const { pendingCount } = await import('../store/sync.js');
  const root = join(incidentsRoot(ctx), 'incidents');
  return localIncidents(ctx).reduce((n, id) => n + pendingCount(join(root, id)), 0);
}

/**
 * Syncs the incidents whose copy differs from the server's. With `everything`: those this laptop
 * has a copy of, the one the command names (--incident), and, when `discover`, every incident the
 * team has (so a teammate's new incident is listed, and a new one does not take its id). Otherwise
 * only those with an outbox.
 */
async function syncAll(
  ctx: Context,
  session: TeamSession,
  options: { everything: boolean; discover?: boolean; quiet?: boolean },
): Promise<void> {
  const store = session.store;
  if (!store) return;
  const { readMarker, pendingCount, syncIncident } = await import('../store/sync.js');
  const root = join(incidentsRoot(ctx), 'incidents');
  const local = localIncidents(ctx);
  const heads = options.everything ? await store.heads() : new Map<string, { seq: number }>();
  const wanted = new Set([...local, ...(ctx.global.incident !== undefined ? [ctx.global.incident] : [])]);
  const ids = new Set([...local, ...[...heads.keys()].filter((id) => options.discover === true || wanted.has(id))]);
  for (const id of [...ids].sort()) {
    const dir = join(root, id);
    const head = heads.get(id);
    const behind = head !== undefined && head.seq !== readMarker(dir).seq;
    if (!behind && pendingCount(dir) === 0) continue;
    try {
      const r = await syncIncident(store, id, dir);
      session.sent += r.sent;
      session.received += r.received;
    } catch (error) {
      // The store gone: the whole command goes offline. One incident that cannot be shared (a
      // clash of ids, a damaged copy) is said, and the others are still synced.
      if (error instanceof StoreUnreachable || !(error instanceof UserError)) throw error;
      if (options.quiet === true) continue;
      ctx.term.err.write(`${ctx.term.errColor.yellow('warning:')} incident ${id} was not synced: ${error.message}\n`);
    }
  }
}

function connectTimeout(ctx: Context): number {
  const ms = Number(ctx.env.BUD_INCIDENT_STORE_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 3000;
}

/**
 * The team store's commands: `store migrate` and `store status`, and moving an incident between the
 * local store and the team store (`incidents push`, `incidents pull`, `incidents export`).
 *
 * Whatever moves is verified: the chain of what is sent or received is checked event by event, and
 * a push ends by comparing the server's head with the local one ("chain preserved").
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { stateHome } from '../paths.js';
import { IncidentHome } from '../incident/store.js';
import { eventId, eventLine, type TimelineEvent } from '../timeline/event.js';
import { ChainChecker, TIMELINE_FILE, readVerifiedEvents, fsyncDir, TimelineWriteError } from '../timeline/store.js';
import { LATEST_VERSION } from '../store/migrations.js';
import { describeTls } from '../store/tls.js';
import type { PgStore } from '../store/pg.js';
import type { StoreLocation } from '../store/location.js';
import { actor, home, incidentsRoot, writeJson, type Context } from './context.js';
import { outboxSize } from './team.js';

type PgLocation = Extract<StoreLocation, { kind: 'postgres' }>;

function teamLocation(ctx: Context, command: string): PgLocation {
  const location = ctx.store;
  if (location?.kind !== 'postgres')
    throw new UserError(
      `${command}: no team store is configured; set $BUD_INCIDENT_STORE or "store:" in your config to postgres://user@host:5432/database`,
      2,
    );
  return location;
}

async function connect(ctx: Context, location: PgLocation): Promise<PgStore> {
  // The command's own connection when team mode opened one, else a new one (errors are the command's).
  if (ctx.team?.store) return ctx.team.store;
  const { PgStore } = await import('../store/pg.js');
  return PgStore.connect(location, { env: ctx.env });
}

/** The local store (files under $BUD_INCIDENT_HOME), whatever store the config names. */
function localHome(ctx: Context): IncidentHome {
  return new IncidentHome(stateHome(ctx.env), actor(ctx), () => ctx.clock.now());
}

export async function storeMigrate(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const location = teamLocation(ctx, 'store migrate');
  const store = await connect(ctx, location);
  try {
    const r = await store.migrate();
    if (opts.json) writeJson(ctx, { store: location.display, ...r });
    else if (r.applied.length === 0) ctx.term.out.write(`${location.display}: schema up to date (version ${r.to})\n`);
    else ctx.term.out.write(`${location.display}: schema version ${r.from} → ${r.to} (applied ${r.applied.join(', ')})\n`);
    return 0;
  } finally {
    if (store !== ctx.team?.store) await store.close();
  }
}

export async function storeStatus(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const location = ctx.store;
  if (location?.kind !== 'postgres') {
    if (opts.json) writeJson(ctx, { store: 'local', dir: stateHome(ctx.env) });
    else
      ctx.term.out.write(
        `store: local (files under ${stateHome(ctx.env)}); set $BUD_INCIDENT_STORE or "store:" to share incidents with a team\n`,
      );
    return 0;
  }
  const waiting = await outboxSize(ctx);
  let store: PgStore | undefined;
  try {
    store = await connect(ctx, location);
    const version = await store.schemaVersion();
    const info = await store.serverInfo();
    const schema =
      version === LATEST_VERSION
        ? `version ${version} (current)`
        : version < LATEST_VERSION
          ? `version ${version}, needs ${LATEST_VERSION}: run "bud-incident store migrate"`
          : `version ${version}, newer than this bud-incident (${LATEST_VERSION}): upgrade bud-incident`;
    if (opts.json)
      writeJson(ctx, {
        store: location.display,
        reachable: true,
        server: info.server,
        sslMode: store.sslMode,
        tls: info.tls ?? null,
        schemaVersion: version,
        knownVersion: LATEST_VERSION,
        incidents: info.record?.incidents,
        events: info.record?.events,
        outbox: waiting,
        copy: incidentsRoot(ctx),
      });
    else
      ctx.term.out.write(
        [
          `store: ${location.display} (${info.server})`,
          `connection: ${describeTls(store.sslMode, info.tls)}`,
          `schema: ${schema}`,
          info.record
            ? `record: ${info.record.incidents} incident${info.record.incidents === 1 ? '' : 's'}, ${info.record.events} event${info.record.events === 1 ? '' : 's'}`
            : undefined,
          `outbox: ${waiting === 0 ? 'empty (everything written here is shared)' : `${waiting} event${waiting === 1 ? '' : 's'} not yet shared`}`,
          `this laptop's copy: ${incidentsRoot(ctx)}`,
        ]
          .filter((l) => l !== undefined)
          .join('\n') + '\n',
      );
    return version === LATEST_VERSION ? 0 : 3;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    if (opts.json)
      writeJson(ctx, { store: location.display, reachable: false, why: error.message, outbox: waiting, copy: incidentsRoot(ctx) });
    else
      ctx.term.out.write(
        `store: ${location.display}\nproblem: ${error.message}\noutbox: ${waiting} event${waiting === 1 ? '' : 's'} not yet shared (kept in ${incidentsRoot(ctx)})\n`,
      );
    return 3;
  } finally {
    if (store && store !== ctx.team?.store) await store.close();
  }
}

/** `incidents push ID`: shares a local incident with the team store, chain preserved and verified. */
export async function incidentsPush(ctx: Context, id: string, opts: { json?: boolean; as?: string }): Promise<number> {
  if (opts.as !== undefined && opts.as !== id) return incidentsPushAs(ctx, id, opts.as, opts);
  const location = teamLocation(ctx, 'incidents push');
  const local = localHome(ctx);
  if (!local.exists(id)) throw new UserError(`incidents push: no incident "${id}" in the local store (${local.incidentsDir})`, 2);
  const events = [...readVerifiedEvents(local.timeline(id).path, { incidentId: id })];
  const head = events.at(-1);
  const store = await connect(ctx, location);
  try {
    await store.requireSchema();
    // The artifacts first (step outputs, evidence), so teammates find what the events point to.
    const { shareArtifacts } = await import('../store/sync.js');
    await shareArtifacts(store, id, local.dir(id), events);
    const r = await store.append(
      id,
      events.map((e) => ({ id: eventId(e), ts: e.ts, actor: e.actor, type: e.type, data: e.data })),
    );
    // Verify what the server now holds, and that it is the same chain (its head is ours, or ours is in it).
    const checked = await verifyServer(store, id);
    const preserved = checked.hashes.has(head?.hash ?? '');
    const { syncIncident } = await import('../store/sync.js');
    await syncIncident(store, id, join(incidentsRoot(ctx), 'incidents', id));
    const result = {
      incident: id,
      store: location.display,
      events: events.length,
      sent: r.appended,
      alreadyThere: r.skipped,
      serverEvents: checked.events,
      chainPreserved: preserved,
    };
    if (opts.json) writeJson(ctx, result);
    else
      ctx.term.out.write(
        `${id}: ${r.appended} event${r.appended === 1 ? '' : 's'} sent to ${location.display}${r.skipped ? ` (${r.skipped} already there)` : ''}; the server's chain verifies (${checked.events} events)` +
          (preserved ? `, head sha256:${(head?.hash ?? '').slice(0, 16)}… is the local head: chain preserved\n` : '\n') +
          (preserved
            ? ''
            : 'note: teammates had added events to it first: the local events follow theirs on the server, with new sequence numbers\n'),
      );
    return 0;
  } finally {
    if (store !== ctx.team?.store) await store.close();
  }
}

const INCIDENT_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * `incidents push ID --as NEWID`: shares an incident under another id, for when the team store has
 * an incident of that id opened by someone else (two laptops that declared the same title the same
 * day while offline). The source is the local store's incident, or this laptop's team copy of it
 * that the team store refused. The events keep their time, actor, type and data (the opening names
 * NEWID), are chained anew under NEWID, and a note says where they came from. A refused copy is set
 * aside (kept, under `set-aside/`), so the team's own incident of that id comes in whole next time.
 */
async function incidentsPushAs(ctx: Context, id: string, newId: string, opts: { json?: boolean }): Promise<number> {
  const location = teamLocation(ctx, 'incidents push');
  if (!INCIDENT_ID.test(newId))
    throw new UserError(`incidents push --as: "${newId}" is not an incident id (lower-case letters, digits and dashes)`, 2);
  const local = localHome(ctx);
  const copies = join(incidentsRoot(ctx), 'incidents');
  const fromCopy = !local.exists(id);
  const source = fromCopy ? join(copies, id) : local.dir(id);
  if (!existsSync(join(source, TIMELINE_FILE)))
    throw new UserError(
      `incidents push: no incident "${id}" in the local store (${local.incidentsDir}) or this laptop's team copy (${copies})`,
      2,
    );
  if (existsSync(join(copies, newId)))
    throw new UserError(`incidents push --as: this laptop already has an incident "${newId}" (${join(copies, newId)}); pick another id`, 2);
  const events = [...readVerifiedEvents(join(source, TIMELINE_FILE), { incidentId: id })];
  const store = await connect(ctx, location);
  try {
    await store.requireSchema();
    if ((await store.heads()).has(newId))
      throw new UserError(`incidents push --as: the team store ${location.display} already has an incident "${newId}"; pick another id`, 2);
    const { shareArtifacts, syncIncident } = await import('../store/sync.js');
    await shareArtifacts(store, newId, source, events);
    const moved = events.map((e) => ({
      id: eventId(e),
      ts: e.ts,
      actor: e.actor,
      type: e.type,
      data: e.type === 'incident.opened' ? { ...e.data, id: newId } : e.data,
    }));
    moved.push({
      id: `renamed-${randomUUID()}`,
      ts: ctx.clock.now().toISOString(),
      actor: actor(ctx),
      type: 'note.added',
      data: {
        text: `shared under id ${newId}: the team store already had an incident ${id}, opened by someone else; this record was ${id} on ${fromCopy ? "this laptop's team copy" : 'the local store'} until now (${events.length} events, head sha256:${events.at(-1)?.hash ?? ''})`,
      },
    });
    const r = await store.append(newId, moved);
    const checked = await verifyServer(store, newId);
    await syncIncident(store, newId, join(copies, newId));
    let setAside: string | undefined;
    if (fromCopy) {
      setAside = join(incidentsRoot(ctx), 'set-aside', `${id}-${ctx.clock.now().toISOString().replace(/[:.]/g, '')}`);
      mkdirSync(join(incidentsRoot(ctx), 'set-aside'), { recursive: true, mode: 0o700 });
      renameSync(source, setAside);
      const copy = home(ctx);
      if (copy.currentId() === undefined) copy.setCurrent(newId);
    }
    const result = {
      incident: newId,
      from: id,
      store: location.display,
      sent: r.appended,
      serverEvents: checked.events,
      setAside: setAside ?? null,
    };
    if (opts.json) writeJson(ctx, result);
    else
      ctx.term.out.write(
        `${id} → ${newId}: ${r.appended} events sent to ${location.display} (a note at the end says where they came from); the server's chain verifies (${checked.events} events)\n` +
          (setAside
            ? `the refused copy of ${id} is kept in ${setAside}; the team's ${id} comes in when a command names it (--incident ${id}) or lists incidents\n`
            : ''),
      );
    return 0;
  } finally {
    if (store !== ctx.team?.store) await store.close();
  }
}

/** Streams the server's events of an incident through the chain check; throws at the first bad one. */
export async function verifyServer(
  store: PgStore,
  id: string,
  each?: (e: TimelineEvent) => void,
): Promise<{ events: number; hashes: Set<string>; head: string }> {
  const checker = new ChainChecker(id);
  const hashes = new Set<string>();
  for await (const e of store.eventsAfter(id, 0)) {
    const r = checker.check(e.line.trimEnd());
    if (r.reason !== undefined)
      throw new UserError(`the team store's record of ${id} does not verify at event ${e.seq}: ${r.reason}; nothing was written`, 3);
    hashes.add(e.hash);
    each?.(e);
  }
  if (checker.count === 0) throw new UserError(`the team store ${store.location.display} has no incident "${id}"`, 2);
  return { events: checker.count, hashes, head: checker.prev };
}

/** `incidents pull ID`: a local copy (the local store's files) of a team incident, for working offline. */
export async function incidentsPull(ctx: Context, id: string, opts: { json?: boolean }): Promise<number> {
  const location = teamLocation(ctx, 'incidents pull');
  const local = localHome(ctx);
  const dir = local.dir(id);
  const store = await connect(ctx, location);
  try {
    await store.requireSchema();
    const lines: string[] = [];
    const checked = await verifyServer(store, id, (e) => lines.push(eventLine(e)));
    const path = join(dir, TIMELINE_FILE);
    let had = 0;
    if (existsSync(path)) {
      const mine = [...readVerifiedEvents(path, { incidentId: id })];
      had = mine.length;
      const last = mine.at(-1);
      if (last && !checked.hashes.has(last.hash))
        throw new UserError(
          `incidents pull: the local incident ${id} (${path}) has events the team store does not: push them first (bud-incident incidents push ${id}); nothing was changed`,
          3,
        );
    }
    writeWhole(dir, path, lines.join(''));
    if (opts.json) writeJson(ctx, { incident: id, store: location.display, events: checked.events, new: checked.events - had, path });
    else
      ctx.term.out.write(
        `${id}: ${checked.events - had} new event${checked.events - had === 1 ? '' : 's'} from ${location.display}; ${path} holds all ${checked.events}, chain verified\n`,
      );
    return 0;
  } finally {
    if (store !== ctx.team?.store) await store.close();
  }
}

/** `incidents export ID [-o FILE]`: the team incident as JSONL, the local timeline's format, verified on the way. */
export async function incidentsExport(ctx: Context, id: string, opts: { output?: string }): Promise<number> {
  const location = teamLocation(ctx, 'incidents export');
  const store = await connect(ctx, location);
  try {
    await store.requireSchema();
    const lines: string[] = [];
    const checked = await verifyServer(store, id, (e) => lines.push(eventLine(e)));
    if (opts.output) {
      writeWhole(undefined, opts.output, lines.join(''));
      ctx.term.err.write(
        `${id}: ${checked.events} events written to ${opts.output}; check it with: bud-incident timeline verify --file ${opts.output}\n`,
      );
    } else ctx.term.out.write(lines.join(''));
    return 0;
  } finally {
    if (store !== ctx.team?.store) await store.close();
  }
}

/** Writes a file whole (temporary file, fsync, rename), so a crash leaves the old file or the new one. */
function writeWhole(dir: string | undefined, path: string, text: string): void {
  if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    throw new TimelineWriteError(path, error);
  }
  if (dir) fsyncDir(dir);
}

/**
 * Team mode's sync between this laptop's copy of an incident and the team store.
 *
 * Every command works on a local copy (`$BUD_INCIDENT_HOME/team/<store>/incidents/<id>/`, the same
 * files as the local store), so it works the same offline and on either store. The copy is the
 * server's chain (a prefix, confirmed) followed by this laptop's events not yet shared (the
 * outbox), chained after it by the same rules. `shared.json` beside the timeline marks the
 * confirmed prefix: its last seq, hash and byte length.
 *
 * Sync, per incident: send the outbox (each event with the id it got when written, so a retry after
 * a lost reply is skipped by the server), then read the server's events after the confirmed prefix,
 * and under the timeline's lock lay them after the prefix, followed by any event written locally
 * meanwhile, re-chained after them (their seq and hash were provisional; their time, actor and
 * data are kept). The file is replaced whole by a rename, so a crash leaves the old or the new copy,
 * never a mix; a marker left behind by a crash only makes the next sync send events the server
 * already has, which it skips.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  statSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  renameSync,
  writeFileSync,
  writeSync,
  fsyncSync,
  ftruncateSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { UserError } from '../errors.js';
import { isRecord } from '../guards.js';
import { GENESIS_HASH, eventId, eventLine, hashEvent, isTimelineEvent, type TimelineEvent } from '../timeline/event.js';
import { isAlive, withFileLock } from '../timeline/lock.js';
import { fsyncDir, TIMELINE_FILE, TimelineWriteError } from '../timeline/store.js';
import { artifactRefsOf, sha256File } from '../timeline/artifacts.js';
import { encodeLines, type OutgoingEvent, type PgStore } from './pg.js';

export const MARKER_FILE = 'shared.json';

/** How much of the local copy the server has confirmed. */
export interface Marker {
  seq: number;
  hash: string;
  /** Bytes of timeline.jsonl holding the confirmed events. */
  bytes: number;
}

const NOTHING_SHARED: Marker = { seq: 0, hash: GENESIS_HASH, bytes: 0 };

export function readMarker(dir: string): Marker {
  try {
    const v: unknown = JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8'));
    if (isRecord(v) && typeof v.seq === 'number' && typeof v.hash === 'string' && typeof v.bytes === 'number')
      return { seq: v.seq, hash: v.hash, bytes: v.bytes };
  } catch {
    /* none yet, or unreadable: nothing is known to be shared (the server skips what it has) */
  }
  return NOTHING_SHARED;
}

function writeMarker(dir: string, marker: Marker): void {
  const path = join(dir, MARKER_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(marker) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  } catch (error) {
    throw new TimelineWriteError(path, error);
  }
}

/** The events after byte `offset` of a timeline file (whole lines only), and the bytes of a torn last line. */
function eventsFrom(path: string, offset: number, startSeq: number): { events: TimelineEvent[]; size: number; torn: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { events: [], size: 0, torn: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    if (size < offset)
      throw new UserError(
        `${path} is shorter than the part the team store confirmed (${offset} bytes): it was cut or replaced; nothing was sent`,
        3,
      );
    const buffer = Buffer.alloc(size - offset);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    const lines = text.slice(0, end).split('\n').slice(0, -1);
    const events = lines.map((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (!isTimelineEvent(value))
        throw new UserError(`${path}:${startSeq + i + 1}: not a timeline event; run "bud-incident timeline verify". Nothing was sent`, 3);
      return value;
    });
    return { events, size, torn: Buffer.byteLength(text.slice(end)) };
  } finally {
    closeSync(fd);
  }
}

/** Checks that `events` chain after `from` (seq and hash), each hash its own; names the first that does not. */
function checkChain(path: string, from: { seq: number; hash: string }, events: readonly TimelineEvent[]): void {
  let { seq, hash } = from;
  for (const e of events) {
    const own = hashEvent(e.prev, e.seq, e.ts, e.actor, e.type, e.data);
    if (e.seq !== seq + 1 || e.prev !== hash || own !== e.hash)
      throw new UserError(
        `${path}:${e.seq}: the local copy does not verify after the part the team store confirmed (event ${e.seq}); run "bud-incident timeline verify". Nothing was sent`,
        3,
      );
    seq = e.seq;
    hash = e.hash;
  }
}

/** Re-chains events after `from`, keeping what happened (time, actor, type, data) and each one's id. */
function rechain(from: { seq: number; hash: string }, events: readonly TimelineEvent[]): TimelineEvent[] {
  let { seq, hash } = from;
  return events.map((e) => {
    seq += 1;
    const h = hashEvent(hash, seq, e.ts, e.actor, e.type, e.data);
    const out: TimelineEvent = { seq, ts: e.ts, actor: e.actor, type: e.type, data: e.data, prev: hash, hash: h, id: eventId(e) };
    hash = h;
    return out;
  });
}

const outgoing = (e: TimelineEvent): OutgoingEvent => ({ id: eventId(e), ts: e.ts, actor: e.actor, type: e.type, data: e.data });

/** How many events of this copy the team has not got yet (the outbox), without reading the confirmed part. */
export function pendingCount(dir: string): number {
  const marker = readMarker(dir);
  const path = join(dir, TIMELINE_FILE);
  if (!existsSync(path)) return 0;
  try {
    return eventsFrom(path, marker.bytes, marker.seq).events.length;
  } catch {
    return 0;
  }
}

export interface SyncResult {
  sent: number;
  /** Events of others (or of an earlier lost reply) now in the local copy. */
  received: number;
  /** Events written locally while this sync ran, still to share. */
  pending: number;
}

/**
 * Shares this copy's outbox of incident `id` (directory `dir`) and brings in the team's events.
 * `dir` need not exist yet (an incident only the team has).
 */
export async function syncIncident(store: PgStore, id: string, dir: string): Promise<SyncResult> {
  const path = join(dir, TIMELINE_FILE);
  const start = readMarker(dir);
  const local = eventsFrom(path, start.bytes, start.seq);
  checkChain(path, start, local.events);

  // The artifacts first: an event that lands must find what it points to.
  await shareArtifacts(store, id, dir, local.events);
  const { appended } = await store.append(id, local.events.map(outgoing));

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  removeLeftovers(dir);
  const pulled = await pull(store, id, dir, start.seq);
  try {
    await fetchArtifacts(store, id, dir, pulled.refs);
    return withFileLock(join(dir, 'timeline.lock'), () => {
      // Read again under the lock: another command may have synced or written meanwhile.
      const marker = readMarker(dir);
      const now = eventsFrom(path, marker.bytes, marker.seq);
      // A torn last line: the next append sets it aside first. A marker behind the pull (it never
      // moves back; a copy restored from a backup, say): the next sync pulls from it.
      if (now.torn > 0 || marker.seq < pulled.after) return { sent: appended, received: 0, pending: now.events.length };
      // The pulled events the marker does not cover yet ("theirs"), and where they start in the pull file.
      const skip = Math.min(pulled.count, Math.max(0, marker.seq - pulled.after));
      const theirs = pulled.count - skip;
      const from = skip === 0 ? 0 : (pulled.ends[skip - 1] ?? 0);
      const isTheirs = (e: TimelineEvent) => (pulled.ids.get(eventId(e)) ?? 0) > marker.seq;
      const head = theirs > 0 && pulled.last ? pulled.last : { seq: marker.seq, hash: marker.hash };
      const still = rechain(
        head,
        now.events.filter((e) => !isTheirs(e)),
      );
      const after = still.map(eventLine).join('');
      if (theirs === 0) {
        if (after !== now.events.map(eventLine).join('')) replaceTail(path, dir, marker.bytes, [{ text: after }], now.size);
      } else if (still.length > 0) {
        // Events that exist only here are never cut: with any, the file is replaced whole by a rename.
        replaceTail(path, dir, marker.bytes, [{ file: pulled.file, from, to: pulled.size }, { text: after }], now.size);
      } else if (marker.bytes === 0 && now.size === 0 && from === 0) {
        // Nothing here yet (a first pull): the pull file becomes the copy.
        fsyncFile(pulled.file);
        renameSync(pulled.file, path);
        fsyncDir(dir);
      } else if (!sameBytes(path, marker.bytes, now.size, pulled.file, from, pulled.size)) {
        // Only events the server holds are being replaced: cut them off and write the server's in
        // place (a crash in between loses nothing: they are re-read from the server).
        truncateTail(path, marker.bytes, pulled.file, from, pulled.size);
      }
      writeMarker(dir, { seq: head.seq, hash: head.hash, bytes: marker.bytes + (pulled.size - from) });
      const sentBack = local.events.filter(isTheirs).length;
      return { sent: appended, received: theirs - sentBack, pending: still.length };
    });
  } finally {
    rmSync(pulled.file, { force: true });
  }
}

/** What a pull brought: the server's events after `after`, as timeline lines in `file`. */
interface Pulled {
  file: string;
  after: number;
  count: number;
  size: number;
  /** Byte offset in `file` of the end of each event's line. */
  ends: number[];
  /** Each event's id, and its seq. */
  ids: Map<string, number>;
  last: { seq: number; hash: string } | undefined;
  /** The artifacts the events point to, each once. */
  refs: Array<{ path: string; sha256: string }>;
}

/**
 * Reads the server's events after `after` into a file beside the timeline, a page at a time, so a
 * first pull of a long incident never holds it whole in memory.
 */
async function pull(store: PgStore, id: string, dir: string, after: number): Promise<Pulled> {
  // The pid says whose it is (see removeLeftovers); the rest keeps two syncs of one process apart.
  const file = join(dir, `${TIMELINE_FILE}.pull.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const out: Pulled = { file, after, count: 0, size: 0, ends: [], ids: new Map(), last: undefined, refs: [] };
  const refs = new Map<string, { path: string; sha256: string }>();
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w', 0o600);
    for await (const page of store.eventPages(id, after)) {
      const { bytes, ends } = encodeLines(page);
      for (const end of ends) out.ends.push(out.size + end);
      for (const e of page) out.ids.set(e.id, e.seq);
      // Only events whose text names a hash can point to an artifact: only those are parsed.
      for (const i of linesWith(bytes, ends, SHA256_KEY))
        for (const r of artifactRefsOf(page[i]?.data)) refs.set(`${r.path}\0${r.sha256}`, r);
      writeAll(fd, bytes);
      out.size += bytes.length;
      out.count += page.length;
      const last = page.at(-1);
      if (last) out.last = { seq: last.seq, hash: last.hash };
    }
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(file, { force: true });
    if (error instanceof UserError || !isFsError(error)) throw error;
    throw new TimelineWriteError(file, error);
  }
  closeSync(fd);
  out.refs = [...refs.values()];
  return out;
}

const SHA256_KEY = Buffer.from('"sha256"');

/** The indexes of the lines (ending at `ends`) of `bytes` that hold `needle`, each once, in order. */
function linesWith(bytes: Buffer, ends: readonly number[], needle: Buffer): number[] {
  const found: number[] = [];
  let line = 0;
  for (let at = bytes.indexOf(needle); at !== -1;) {
    while ((ends[line] ?? Infinity) <= at) line++;
    found.push(line);
    at = bytes.indexOf(needle, ends[line] ?? bytes.length);
  }
  return found;
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

const isFsError = (error: unknown): boolean => error instanceof Error && 'syscall' in error;

/** Pull and replace files a killed sync left behind (their process is gone). */
function removeLeftovers(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^timeline\.jsonl\.(?:pull|sync)\.(\d+)(?:\.[0-9a-f]+)?\.tmp$/.exec(name);
    const pid = Number(m?.[1]);
    if (m && pid !== process.pid && !isAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

/** A part of the new tail: text, or a byte range of a file. */
type Piece = { text: string } | { file: string; from: number; to: number };

/** Writes the pieces in order where `out` stands. */
function writePieces(out: number, pieces: readonly Piece[]): void {
  for (const p of pieces) {
    if ('text' in p) writeSync(out, p.text);
    else copyRange(p.file, p.from, p.to, out);
  }
}

/** Copies bytes [from, to) of `file` to `out` (at `at`, or where `out` stands). */
function copyRange(file: string, from: number, to: number, out: number, at?: number): void {
  if (to <= from) return;
  const input = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(to - from, 1024 * 1024));
    for (let done = 0; from + done < to;) {
      const n = readSync(input, chunk, 0, Math.min(chunk.length, to - from - done), from + done);
      if (n === 0) throw new UserError(`${file} ended at ${from + done} bytes while copying up to ${to}`, 3);
      writeSync(out, chunk, 0, n, at === undefined ? null : at + done);
      done += n;
    }
  } finally {
    closeSync(input);
  }
}

/** Whether bytes [aFrom, aTo) of `a` are bytes [bFrom, bTo) of `b`. */
function sameBytes(a: string, aFrom: number, aTo: number, b: string, bFrom: number, bTo: number): boolean {
  if (aTo - aFrom !== bTo - bFrom) return false;
  const read = (file: string, from: number, to: number) => {
    const buffer = Buffer.alloc(to - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    return buffer;
  };
  return read(a, aFrom, aTo).equals(read(b, bFrom, bTo));
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Cuts the file to `keep` bytes and appends bytes [from, to) of `source`, fsynced. For a tail the server holds (see syncIncident). */
function truncateTail(path: string, keep: number, source: string, from: number, to: number): void {
  const fresh = !existsSync(path);
  try {
    const fd = openSync(path, fresh ? 'w' : 'r+', 0o600);
    try {
      ftruncateSync(fd, keep);
      copyRange(source, from, to, fd, keep);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new TimelineWriteError(path, error);
  }
  if (fresh) fsyncDir(dirname(path));
}

/** Replaces the file's bytes after `keep` with `tail`: a new file (prefix copied, tail written), fsynced, renamed over the old. */
function replaceTail(path: string, dir: string, keep: number, tail: readonly Piece[], size: number): void {
  const tmp = `${path}.sync.${process.pid}.tmp`;
  try {
    const out = openSync(tmp, 'w', 0o600);
    try {
      if (keep > 0) {
        if (size < keep) throw new UserError(`${path} is ${size} bytes, shorter than its confirmed ${keep}`, 3);
        copyRange(path, 0, keep, out);
      }
      writePieces(out, tail);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    if (error instanceof UserError) throw error;
    throw new TimelineWriteError(path, error);
  }
  fsyncDir(dir);
}

/** Artifacts larger than this stay on the laptop that made them (the event says where); 64 MiB. */
export const MAX_SHARED_ARTIFACT = 64 * 1024 * 1024;

/** A reference's file inside the incident directory, or undefined when it would lead out of it. */
function artifactPath(dir: string, path: string): string | undefined {
  const rel = normalize(path);
  return isAbsolute(rel) || rel.startsWith('..') ? undefined : join(dir, rel);
}

/** Uploads the artifacts these events point to that the server lacks (and that are here, intact, and not too big). */
/** The artifact references of these events, each once. */
function distinctRefs(events: readonly TimelineEvent[]): Array<{ path: string; sha256: string }> {
  const refs = new Map<string, { path: string; sha256: string }>();
  for (const e of events) for (const r of artifactRefsOf(e.data)) refs.set(`${r.path}\0${r.sha256}`, r);
  return [...refs.values()];
}

export async function shareArtifacts(store: PgStore, id: string, dir: string, events: readonly TimelineEvent[]): Promise<void> {
  const refs = distinctRefs(events);
  if (refs.length === 0) return;
  const held = await store.artifactsHeld(id, refs);
  for (const ref of refs) {
    if (held.has(`${ref.path}\0${ref.sha256}`)) continue;
    const file = artifactPath(dir, ref.path);
    if (!file || !existsSync(file) || statSync(file).size > MAX_SHARED_ARTIFACT || sha256File(file) !== ref.sha256) continue;
    await store.putArtifact(id, ref, readFileSync(file));
  }
}

/** Downloads the artifacts teammates' events point to that are not here yet; writes each whole, checked against its hash. */
async function fetchArtifacts(
  store: PgStore,
  id: string,
  dir: string,
  refs: ReadonlyArray<{ path: string; sha256: string }>,
): Promise<void> {
  // Only those not here that the server holds (one query for all).
  const missing = refs.filter((ref) => {
    const file = artifactPath(dir, ref.path);
    return file !== undefined && !existsSync(file);
  });
  if (missing.length === 0) return;
  const held = await store.artifactsHeld(id, missing);
  for (const ref of missing) {
    const file = artifactPath(dir, ref.path);
    if (!file || !held.has(`${ref.path}\0${ref.sha256}`)) continue; // not shared (too big, or its laptop is offline): verify says it is missing here
    const content = await store.getArtifact(id, ref);
    if (!content) continue; // not shared (too big, or its laptop is offline): verify says it is missing here
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, file);
  }
}

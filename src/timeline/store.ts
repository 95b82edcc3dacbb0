/**
 * The append-only timeline file of one incident.
 *
 * Append: under a cross-process lock, read the last event (seq, hash) from the end of the file,
 * chain the new events to it, write them with one write call, fsync, release. A failed write
 * (disk full) is rolled back by truncating to the size before it, so the file never keeps half
 * a line from us. A torn last line left by something else (a crash mid-write on a filesystem that
 * allows it) is never silently dropped: it is moved to `timeline.torn.jsonl` beside the timeline
 * and an event recording its size and hash is appended, so the history says what happened.
 *
 * Over 400 lines on purpose: the append (lock, torn tail, durability) and the verified read share one
 * file format and its edge cases; apart, each would have to restate the other's rules.
 */
import type { TypedDraft } from './catalogue.js';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync, existsSync, statfsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { withFileLock } from './lock.js';
import { GENESIS_HASH, eventLine, hashEvent, isTimelineEvent, type EventDraft, type TimelineEvent } from './event.js';
import { UserError, errorCode, errorMessage } from '../errors.js';
import { str } from './describe.js';

export const TIMELINE_FILE = 'timeline.jsonl';
export const TORN_FILE = 'timeline.torn.jsonl';

/** ENOSPC means no blocks or no inodes left: tell which, from the file system's own counts. */
function noSpace(path: string): string {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      const fs = statfsSync(dir);
      return fs.files > 0 && fs.ffree === 0
        ? `no free inodes (files) left on the file system holding ${dir} (all ${fs.files} in use)`
        : 'the disk is full';
    } catch {
      if (dirname(dir) === dir) return 'the disk is full';
    }
  }
}

/** Appends to a file (created 0600), fsyncs it, and its directory when the file is new. */
function appendDurably(path: string, text: string): void {
  const fd = openSync(path, 'a', 0o600);
  let size: number;
  try {
    size = fstatSync(fd).size;
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (size === 0) fsyncDir(dirname(path));
}

/** Makes a directory entry durable (a new file, a rename): fsync the directory itself. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot fsync a directory (EINVAL): nothing more to do there.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EACCES', 'EPERM'].includes(errorCode(error) ?? '')) throw new TimelineWriteError(dir, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export class TimelineWriteError extends UserError {
  constructor(path: string, cause: unknown) {
    const code = errorCode(cause);
    const why =
      code === 'ENOSPC'
        ? noSpace(path)
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EDQUOT'
              ? 'the disk quota is exceeded'
              : errorMessage(cause);
    super(
      `cannot write ${path}: ${why}. Events written before this one are intact; free space or fix permissions and run the command again.`,
      3,
    );
  }
}

interface Tail {
  seq: number;
  hash: string;
  /** Bytes of the file up to and including the last complete line. */
  validSize: number;
  /** Bytes after the last newline (a torn write), if any. */
  tornBytes: number;
  /** Why the last complete line does not chain (checked against itself and the line before it). */
  broken?: string;
}

function parseEvent(text: string): TimelineEvent | undefined {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isTimelineEvent(event) ? event : undefined;
}

/**
 * Reads the last complete event line of an open file, scanning backwards from the end, and checks
 * it chains: its hash is its own, and it follows the line before it (or is the first event).
 */
function readTail(fd: number, size: number, path: string): Tail {
  if (size === 0) return { seq: 0, hash: GENESIS_HASH, validSize: 0, tornBytes: 0 };
  const chunk = 64 * 1024;
  let start = size;
  let buffered = Buffer.alloc(0);
  for (;;) {
    const from = Math.max(0, start - chunk);
    const piece = Buffer.alloc(start - from);
    readSync(fd, piece, 0, piece.length, from);
    buffered = Buffer.concat([piece, buffered]);
    start = from;
    const lastNewline = buffered.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      if (start === 0) return { seq: 0, hash: GENESIS_HASH, validSize: 0, tornBytes: size };
      continue;
    }
    // Buffer#lastIndexOf counts a negative offset from the end, so guard the first byte.
    const prevNewline = lastNewline === 0 ? -1 : buffered.lastIndexOf(0x0a, lastNewline - 1);
    if (prevNewline < 0 && start > 0) continue;
    // The line before the last one, whole, to check the last one chains to it.
    const prevPrevNewline = prevNewline <= 0 ? -1 : buffered.lastIndexOf(0x0a, prevNewline - 1);
    if (prevNewline >= 0 && prevPrevNewline < 0 && start > 0) continue;
    const event = parseEvent(buffered.subarray(prevNewline + 1, lastNewline).toString('utf8'));
    if (!event) {
      throw new UserError(
        `the timeline ${path} is damaged (its last complete line is not a valid event); run "bud-incident timeline verify" to find the bad line. Nothing was written.`,
        3,
      );
    }
    const validSize = start + lastNewline + 1;
    const tail: Tail = { seq: event.seq, hash: event.hash, validSize, tornBytes: size - validSize };
    const before = prevNewline >= 0 ? parseEvent(buffered.subarray(prevPrevNewline + 1, prevNewline).toString('utf8')) : undefined;
    if (hashEvent(event.prev, event.seq, event.ts, event.actor, event.type, event.data) !== event.hash)
      tail.broken = 'hash mismatch: the last line was edited after it was written';
    else if (
      prevNewline < 0
        ? event.seq !== 1 || event.prev !== GENESIS_HASH
        : !before || before.hash !== event.prev || before.seq + 1 !== event.seq
    )
      tail.broken = 'the last line does not chain to the line before it';
    return tail;
  }
}

/** A timeline whose chain does not verify: readers and writers refuse it unless told --ignore-chain. */
export class ChainError extends UserError {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(
      `${path}:${line}: the timeline does not verify (${reason}). The record cannot be trusted from this line on, so nothing was done; see "bud-incident timeline verify", or pass --ignore-chain to go on anyway.`,
      3,
    );
  }
}

/** The chain error for a file known to be broken: names its first bad line (one pass over the file). */
export function chainErrorOf(path: string, fallback: string): ChainError {
  const v = verifyTimeline(path);
  return v.firstBad ? new ChainError(path, v.firstBad.line, v.firstBad.reason) : new ChainError(path, v.events, fallback);
}

export class TimelineStore {
  readonly path: string;
  readonly lockPath: string;
  constructor(
    readonly dir: string,
    private readonly defaultActor: string,
    private readonly now: () => Date,
    /** Append after a chain that does not verify (the user passed --ignore-chain). */
    private readonly ignoreChain = false,
  ) {
    this.path = join(dir, TIMELINE_FILE);
    this.lockPath = join(dir, 'timeline.lock');
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  /** Appends events atomically with respect to other writers and returns them as written. */
  /** The bytes after the last newline, when they are one whole event that chains to the tail. */
  private unterminatedEvent(fd: number, tail: Tail): TimelineEvent | undefined {
    if (tail.tornBytes > 1024 * 1024) return undefined;
    const bytes = Buffer.alloc(tail.tornBytes);
    readSync(fd, bytes, 0, bytes.length, tail.validSize);
    const event = wholeEvent(bytes.toString('utf8'));
    return event && event.seq === tail.seq + 1 && event.prev === tail.hash ? event : undefined;
  }

  /** Appends events of the catalogue (catalogue.ts: each draft's data is checked against its type). */
  append(drafts: readonly TypedDraft[]): TimelineEvent[] {
    return this.appendRaw(drafts);
  }

  /** Appends one event of the catalogue and returns it as recorded. */
  appendOne(draft: TypedDraft): TimelineEvent {
    const [event] = this.appendRaw([draft]);
    if (!event) throw new Error(`internal: the append to ${this.path} returned no event`);
    return event;
  }

  /** Appends drafts whose shape the compiler cannot check (tests writing old or hand-made records). */
  appendRaw(drafts: readonly EventDraft[]): TimelineEvent[] {
    if (drafts.length === 0) return [];
    try {
      return this.appendLocked(drafts);
    } catch (error) {
      // The lock file itself cannot be created on a full or read-only disk: same clear error.
      if (!(error instanceof UserError) && errorCode(error)) throw new TimelineWriteError(this.path, error);
      throw error;
    }
  }

  private appendLocked(drafts: readonly EventDraft[]): TimelineEvent[] {
    return withFileLock(this.lockPath, () => {
      let fd: number;
      try {
        fd = openSync(this.path, 'a+', 0o600);
      } catch (error) {
        throw new TimelineWriteError(this.path, error);
      }
      try {
        const size = fstatSync(fd).size;
        const tail = readTail(fd, size, this.path);
        if (tail.broken && !this.ignoreChain) throw chainErrorOf(this.path, tail.broken);
        const all: EventDraft[] = [];
        let last = { seq: tail.seq, hash: tail.hash };
        const unterminated = tail.tornBytes > 0 ? this.unterminatedEvent(fd, tail) : undefined;
        if (unterminated) {
          // The last event is whole and chains; only its newline is missing (cut off, or an editor dropped it). Finish it.
          writeSync(fd, '\n');
          last = { seq: unterminated.seq, hash: unterminated.hash };
        } else if (tail.tornBytes > 0) {
          const torn = Buffer.alloc(tail.tornBytes);
          readSync(fd, torn, 0, torn.length, tail.validSize);
          try {
            appendDurably(join(this.dir, TORN_FILE), torn.toString('utf8') + '\n');
          } catch (error) {
            throw new TimelineWriteError(join(this.dir, TORN_FILE), error);
          }
          ftruncateSync(fd, tail.validSize);
          all.push({
            type: 'timeline.torn_line_set_aside',
            data: {
              bytes: tail.tornBytes,
              sha256: createHash('sha256').update(torn).digest('hex'),
              movedTo: TORN_FILE,
              reason: 'the last line of the timeline was incomplete (a write was interrupted); it was moved aside, not discarded',
            },
            actor: 'bud-incident',
          });
        }
        all.push(...drafts);
        let { seq, hash } = last;
        const ts = this.now().toISOString();
        const events: TimelineEvent[] = all.map((d) => {
          seq += 1;
          const actor = d.actor ?? this.defaultActor;
          const h = hashEvent(hash, seq, ts, actor, d.type, d.data);
          const event: TimelineEvent = { seq, ts, actor, type: d.type, data: d.data, prev: hash, hash: h };
          hash = h;
          return event;
        });
        const buffer = Buffer.from(events.map(eventLine).join(''), 'utf8');
        const before = unterminated ? tail.validSize + tail.tornBytes + 1 : tail.validSize;
        // Under the lock nobody else writes; if the file moved anyway (a lock removed by hand, a
        // writer that ignores it), the tail we chained to is stale: refuse rather than fork the chain.
        if (fstatSync(fd).size !== before)
          throw new UserError(
            `the timeline ${this.path} changed while this command held its lock (another process wrote without it); nothing was written. Run the command again.`,
            3,
          );
        try {
          let written = 0;
          while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
          fsyncSync(fd);
        } catch (error) {
          // Roll back a partial write so no half line of ours stays behind.
          try {
            ftruncateSync(fd, before);
          } catch {
            /* nothing more we can do; verify will find the torn line */
          }
          throw new TimelineWriteError(this.path, error);
        }
        // A new timeline's directory entry must survive a power loss too.
        if (before === 0) fsyncDir(this.dir);
        return events.slice(all.length - drafts.length);
      } finally {
        closeSync(fd);
      }
    });
  }
}

export interface TimelineLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
  /** False when the file ends without a newline after this line (a torn write). */
  complete: boolean;
}

/** The event in `text` when it is one whole event with its own hash (it may lack only its newline). */
function wholeEvent(text: string): TimelineEvent | undefined {
  const event = parseEvent(text);
  return event && hashEvent(event.prev, event.seq, event.ts, event.actor, event.type, event.data) === event.hash ? event : undefined;
}

/** Reads a timeline file line by line in fixed-size chunks, so memory does not grow with file size beyond the events kept by the caller. */
export function* readLines(path: string): Generator<TimelineLine> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  try {
    const chunk = Buffer.alloc(1024 * 1024);
    let carry = Buffer.alloc(0);
    let lineNo = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl >= 0; nl = data.indexOf(0x0a, start)) {
        lineNo++;
        yield { line: lineNo, text: data.subarray(start, nl).toString('utf8'), complete: true };
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      data = Buffer.alloc(0);
    }
    if (carry.length) {
      // A whole event whose hash is its own, missing only its newline, is an event, not a torn write.
      const text = carry.toString('utf8');
      yield { line: lineNo + 1, text, complete: wholeEvent(text) !== undefined };
    }
  } finally {
    closeSync(fd);
  }
}

export interface VerifyOptions {
  /** The incident the file belongs to: its first event must be that incident's `incident.opened`. */
  incidentId?: string;
  /** A hash (or a prefix of at least 12 hex digits) recorded elsewhere: is it an event of this chain? */
  witness?: string;
}

/** How a verification ended: the file verifies (perhaps with a torn last line), or a line breaks it. */
type VerifyOutcome =
  | {
      ok: true;
      firstBad?: undefined;
      /** An incomplete last line (interrupted write): reported, not counted as an event. */
      torn?: { line: number; bytes: number };
    }
  | {
      ok: false;
      /** The first line that breaks the file or the chain. */
      firstBad: { line: number; reason: string };
      torn?: undefined;
    };

export type VerifyResult = VerifyOutcome & {
  events: number;
  /** The hash of the last event that verifies (the head of the chain), the genesis hash when none does. */
  head: string;
  /** With a witness: the event of the verified chain that has that hash, if any. */
  witness?: { hash: string; seq?: number };
};

/**
 * Checks lines one by one: each parses, sequence numbers run 1..n, each hash chains to the one
 * before and is its own, and (given the incident) the first event opens that incident.
 */
export class ChainChecker {
  prev = GENESIS_HASH;
  count = 0;
  constructor(private readonly incidentId?: string) {}

  check(text: string): { event: TimelineEvent; reason?: undefined } | { reason: string } {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      return { reason: 'not valid JSON' };
    }
    if (!isTimelineEvent(event)) return { reason: 'not a timeline event (fields missing)' };
    const expectedSeq = this.count + 1;
    if (event.seq !== expectedSeq) return { reason: `sequence number ${event.seq}, expected ${expectedSeq}` };
    if (event.prev !== this.prev)
      return { reason: 'does not chain to the previous event (prev hash differs): a line before it was changed, removed or reordered' };
    const h = hashEvent(event.prev, event.seq, event.ts, event.actor, event.type, event.data);
    if (h !== event.hash) return { reason: 'hash mismatch: this line was edited after it was written' };
    if (this.incidentId !== undefined && expectedSeq === 1) {
      if (event.type !== 'incident.opened')
        return { reason: `the first event is "${event.type}", not the opening of incident ${this.incidentId}` };
      if (event.data.id !== this.incidentId)
        return {
          reason: `this record opens incident "${str(event.data.id)}", not "${this.incidentId}" (the directory it is in): it was moved or copied from another incident`,
        };
    }
    this.prev = event.hash;
    this.count++;
    return { event };
  }
}

/** A witness as the user gives it: `sha256:abcd…` or bare hex, at least 12 digits. */
export function parseWitness(text: string): string | undefined {
  const hex = text
    .trim()
    .toLowerCase()
    .replace(/^sha256:/, '')
    .replace(/…$|\.\.\.$/, '');
  return /^[0-9a-f]{12,64}$/.test(hex) ? hex : undefined;
}

/** Verifies a whole timeline file; names the first line that breaks it. */
export function verifyTimeline(path: string, options: VerifyOptions = {}): VerifyResult {
  const checker = new ChainChecker(options.incidentId);
  const witness = options.witness;
  let found: number | undefined;
  // In the order the JSON has always had: ok, events, head, then what broke or tore, and the witness.
  const result = (outcome: VerifyOutcome): VerifyResult => {
    const events = checker.count;
    const head = checker.prev;
    const seen = witness !== undefined ? { witness: { hash: witness, ...(found !== undefined ? { seq: found } : {}) } } : {};
    return outcome.ok
      ? { ok: true, events, head, ...(outcome.torn ? { torn: outcome.torn } : {}), ...seen }
      : { ok: false, events, head, firstBad: outcome.firstBad, ...seen };
  };
  for (const { line, text, complete } of readLines(path)) {
    if (!complete) return result({ ok: true, torn: { line, bytes: Buffer.byteLength(text) } });
    const r = checker.check(text);
    if (r.reason !== undefined) return result({ ok: false, firstBad: { line, reason: r.reason } });
    if (witness !== undefined && found === undefined && r.event.hash.startsWith(witness)) found = r.event.seq;
  }
  return result({ ok: true });
}

export interface ReadOptions {
  incidentId?: string;
  /** Go on past a line that breaks the chain (after telling `onBroken`), instead of throwing. */
  ignoreChain?: boolean;
  onBroken?: (error: ChainError) => void;
}

/**
 * The events of a timeline, verified as they are read: a line that breaks the chain throws a
 * ChainError naming it (readers must not fold a forged record), unless `ignoreChain`, when every
 * parseable event is read after one call to `onBroken`. A torn last line is not an event.
 */
export function* readVerifiedEvents(path: string, options: ReadOptions = {}): Generator<TimelineEvent> {
  const checker = new ChainChecker(options.incidentId);
  let broken = false;
  for (const { line, text, complete } of readLines(path)) {
    if (!complete) return;
    if (!broken) {
      const r = checker.check(text);
      if (r.reason === undefined) {
        yield r.event;
        continue;
      }
      const error = new ChainError(path, line, r.reason);
      if (!options.ignoreChain) throw error;
      broken = true;
      options.onBroken?.(error);
    }
    const event = parseEvent(text);
    if (event) yield event;
  }
}

/** Reads all complete, parseable events (without verifying the chain). */
export function* readEvents(path: string): Generator<TimelineEvent> {
  for (const { text, complete } of readLines(path)) {
    if (!complete) return;
    const event = parseEvent(text);
    if (event) yield event;
  }
}

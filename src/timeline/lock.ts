/**
 * A cross-process lock on a file path, used around every timeline append.
 *
 * Why this is safe: the holder first writes who it is (pid, host, a random nonce, its process
 * start time) to a private file, then hard-links it to the lock path;
 * link(2) fails if the path exists, so of any number of processes racing exactly one succeeds,
 * and the lock file is never seen empty.
 *
 * A lock is broken only when its holder is gone: a pid that no longer exists on this host, or a
 * pid that now belongs to another process (its start time, /proc/<pid>/stat field 22, differs
 * from the one the holder wrote). A holder that is alive is never broken, however long it holds
 * the lock: a process stopped by Ctrl-Z, a paused VM or heavy swapping resumes and writes, and a
 * second writer meanwhile would fork the chain. Waiters tell the user once who holds it, and give
 * up (nothing written, exit 3) after a bound. The lock file's mtime is never consulted, so a clock
 * jump or a future mtime changes nothing. A lock from another host is never broken.
 *
 * Breaking renames the lock to a unique name (atomic) and checks that what was renamed is the
 * dead holder's lock, not a fresh one another waiter just took; if it was fresh, it is linked
 * back. Private files (`<lock>.<pid>.<hex>`) are removed on every path; those of processes
 * killed while waiting are swept by the next holder.
 */
import { linkSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { UserError, errorCode } from '../errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Whether a process with this pid exists (one of another user's counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/** A process as the kernel knows it: its start time (clock ticks after boot) and state letter (Linux only). */
export function processInfo(pid: number): { start: string; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is in parentheses and may contain spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[22 - 3];
    const state = fields[0];
    return start && state ? { start, state } : undefined;
  } catch {
    return undefined;
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  /** Process start time, empty when the platform has no /proc (or a lock from an older version). */
  start: string;
}

function parseHolder(content: string): LockHolder | undefined {
  const [pidText, host, , start] = content.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !host) return undefined;
  return { pid, host, start: start ?? '' };
}

type Verdict = 'dead' | 'alive' | 'foreign';

function judge(holder: LockHolder): Verdict {
  if (holder.host !== hostname()) return 'foreign';
  if (!isAlive(holder.pid)) return 'dead';
  // A live pid with another start time is a reused pid: the holder is gone.
  const info = holder.start ? processInfo(holder.pid) : undefined;
  if (info && info.start !== holder.start) return 'dead';
  return 'alive';
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19) + ' UTC';

function describeHolder(path: string, holder: LockHolder | undefined, since: number): string {
  if (!holder) return `${path} (its content names no process)`;
  const info = processInfo(holder.pid);
  const stopped = info && (info.state === 'T' || info.state === 't');
  return `${path}, held by pid ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''} since ${clock(since)}${stopped ? ` (the process is stopped: resume it with "fg" or "kill -CONT ${holder.pid}")` : ''}`;
}

export class LockTimeoutError extends UserError {
  constructor(path: string, timeoutMs: number, who: string, alive: boolean) {
    super(
      `timed out after ${timeoutMs / 1000}s waiting for the lock ${who}. ${
        alive
          ? 'That process is still running, so its lock was not broken (it may be about to write); let it finish, then run the command again.'
          : `If no other bud-incident process is running, remove ${path} and try again.`
      } Nothing was written by this command; nothing recorded was lost.`,
      3,
    );
  }
}

export interface LockOptions {
  /** How long to wait for a lock whose holder cannot be judged (another host, unreadable content). */
  timeoutMs?: number;
  /** How long to wait for a live holder on this host (it is never broken). */
  liveTimeoutMs?: number;
  /** A lock naming no process is broken once it has stayed unchanged this long while we waited. */
  unknownAfterMs?: number;
  /** After this long waiting, `onWait` is told who holds the lock (once). */
  noticeAfterMs?: number;
  onWait?: (message: string) => void;
}

const DEFAULTS = {
  timeoutMs: 15_000,
  liveTimeoutMs: 120_000,
  unknownAfterMs: 5_000,
  noticeAfterMs: 1_500,
  onWait: (message: string) => process.stderr.write(`bud-incident: ${message}\n`),
};

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

/** Removes private files left by processes that were killed while taking the lock. */
function sweepLeftovers(path: string): void {
  const prefix = basename(path) + '.';
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{8}$/.exec(name.slice(prefix.length)) ?? /^stale-(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) unlinkQuietly(join(dirname(path), name));
  }
}

/** This process's start time (it does not change). */
let myStart: string | undefined;

/** Runs `fn` while holding the lock at `path`, waiting for another holder (see LockOptions). */
export function withFileLock<T>(path: string, fn: () => T, options: LockOptions = {}): T {
  const o = { ...DEFAULTS, ...options };
  const startedAt = Date.now();
  myStart ??= processInfo(process.pid)?.start ?? '';
  const me = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n${myStart}\n`;
  const mine = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  let delay = 1;
  let noticed = false;
  /**
   * The lock we are looking at (inode and content, or "unreadable") and since when we see it, by
   * our clock, not its mtime. Waiting is bounded per lock: while holders come and go the writers
   * make progress; only one lock held too long (or one we cannot judge) ends the wait.
   */
  let watched: { key: string; seenAt: number } | undefined;
  const watch = (key: string, now: number) => {
    if (watched?.key !== key) watched = { key, seenAt: now };
    return now - watched.seenAt;
  };
  try {
    writeFileSync(mine, me, { mode: 0o600 });
    for (;;) {
      try {
        linkSync(mine, path);
        break;
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const seen = readHolder(path);
      if (!seen) {
        // Released meanwhile (try again), or a path we cannot read: bounded like any unjudgeable lock.
        if (watch('unreadable', Date.now()) > o.timeoutMs)
          throw new LockTimeoutError(path, o.timeoutMs, `${path} (it cannot be read)`, false);
        sleepSync(1);
        continue;
      }
      const { content, holder, ino, since } = seen;
      const verdict: Verdict | 'unknown' = holder ? judge(holder) : 'unknown';
      if (verdict === 'dead') {
        breakLock(path, content);
        continue;
      }
      const now = Date.now();
      const heldFor = watch(`${ino}:${content}`, now);
      if (verdict === 'unknown' && heldFor >= o.unknownAfterMs) {
        breakLock(path, content);
        continue;
      }
      const limit = verdict === 'alive' ? o.liveTimeoutMs : o.timeoutMs;
      if (heldFor > limit) throw new LockTimeoutError(path, limit, describeHolder(path, holder, since), verdict === 'alive');
      if (!noticed && now - startedAt >= o.noticeAfterMs) {
        noticed = true;
        o.onWait(
          `waiting for the lock ${describeHolder(path, holder, since)}; ${
            verdict === 'alive'
              ? `that process is still running, so its lock is not broken; waiting up to ${o.liveTimeoutMs / 1000}s`
              : `it cannot be judged from here; waiting up to ${o.timeoutMs / 1000}s`
          }`,
        );
      }
      sleepSync(delay);
      delay = Math.min(delay * 2, 20);
    }
  } finally {
    // The link at `path` (if we took it) keeps the content.
    unlinkQuietly(mine);
  }
  try {
    sweepLeftovers(path);
    return fn();
  } finally {
    try {
      // Only remove our own lock.
      if (readFileSync(path, 'utf8') === me) unlinkSync(path);
    } catch {
      /* already removed */
    }
  }
}

/** The lock's content and inode, and since when it is held: its ctime, set by link(2) (utimes cannot set it). */
function readHolder(path: string): { content: string; holder: LockHolder | undefined; ino: number; since: number } | undefined {
  try {
    const st = statSync(path);
    const content = readFileSync(path, 'utf8');
    return { content, holder: parseHolder(content), ino: st.ino, since: st.ctimeMs };
  } catch {
    return undefined;
  }
}

/** Breaks the lock at `path` if it still has `content` (the one judged dead). */
function breakLock(path: string, content: string): void {
  const tomb = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, tomb);
  } catch {
    return; // someone else broke it first
  }
  try {
    if (readFileSync(tomb, 'utf8') !== content) {
      // We renamed a fresh lock taken after our read: give it back.
      try {
        linkSync(tomb, path);
      } catch {
        /* a third process holds it now; the fresh holder's unlock check keeps this harmless */
      }
    }
  } finally {
    unlinkQuietly(tomb);
  }
}

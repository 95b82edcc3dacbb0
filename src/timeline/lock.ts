/**
 * A cross-process lock on a file path, used around every timeline append.
 *
 * Why this is safe: the holder first writes its pid, host and a random nonce to a private file,
 * then hard-links it to the lock path; link(2) fails if the path exists, so of any number of
 * processes racing exactly one succeeds, and the lock file is never seen empty (a holder killed
 * between creating and writing a lock could otherwise leave one nobody can judge). A lock left by a process that died (kill -9 while
 * appending) is detected by its pid no longer existing on this host; it is broken by *renaming*
 * it to a unique name (atomic) and checking that what was renamed is the dead holder's lock, not
 * a fresh one another waiter just took; if it was fresh, it is linked back. Timeline appends hold
 * the lock for a few milliseconds, so waiters poll briefly.
 */
import { linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock older than this is stale even if its pid is alive (pids are reused). */
const STALE_AFTER_MS = 10_000;

export class LockTimeoutError extends UserError {
  constructor(path: string, timeoutMs: number, holder: string) {
    super(
      `timed out after ${timeoutMs / 1000}s waiting for the lock ${path} (held by pid ${holder || '?'}). If no other bud-incident process is running, remove that file and try again; nothing recorded was lost.`,
      3,
    );
  }
}

/** Runs `fn` while holding the lock at `path`. Waits up to `timeoutMs` for another holder. */
export function withFileLock<T>(path: string, fn: () => T, timeoutMs = 15_000): T {
  const me = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  const mine = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, me, { mode: 0o600 });
  for (;;) {
    try {
      linkSync(mine, path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        try {
          unlinkSync(mine);
        } catch {
          /* ignore */
        }
        throw error;
      }
    }
    breakIfStale(path);
    if (Date.now() > deadline) {
      let holder = '';
      try {
        holder = readFileSync(path, 'utf8').split('\n')[0] ?? '';
      } catch {
        /* gone meanwhile */
      }
      try {
        unlinkSync(mine);
      } catch {
        /* ignore */
      }
      throw new LockTimeoutError(path, timeoutMs, holder);
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 20);
  }
  try {
    unlinkSync(mine);
  } catch {
    /* the link at `path` keeps the content */
  }
  try {
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

function breakIfStale(path: string): void {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    return; // released meanwhile
  }
  const [pidText, host] = content.split('\n');
  const pid = Number(pidText);
  if (!pid) {
    // Not a lock this version writes (they are linked whole): break it once it is clearly old.
    try {
      if (Date.now() - statSync(path).mtimeMs < 5000) return;
    } catch {
      return;
    }
  } else if (host !== hostname()) {
    return; // locks from another host are never broken here
  } else if (isAlive(pid)) {
    // A live pid may be a reused one. Appends hold the lock for milliseconds, so a lock this old
    // belongs to nobody.
    try {
      if (Date.now() - statSync(path).mtimeMs < STALE_AFTER_MS) return;
    } catch {
      return;
    }
  }
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
    try {
      unlinkSync(tomb);
    } catch {
      /* ignore */
    }
  }
}

/**
 * A cross-process lock on a file path, used around every timeline append.
 *
 * Why this is safe: the lock is a file created with O_CREAT|O_EXCL (`wx`), which the kernel
 * creates atomically: of any number of processes racing, exactly one succeeds. The holder writes
 * its pid, host and a random nonce into it. A lock left by a process that died (kill -9 while
 * appending) is detected by its pid no longer existing on this host; it is broken by *renaming*
 * it to a unique name (atomic) and checking that what was renamed is the dead holder's lock, not
 * a fresh one another waiter just took; if it was fresh, it is linked back. Timeline appends hold
 * the lock for a few milliseconds, so waiters poll briefly.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

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

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

/** Runs `fn` while holding the lock at `path`. Waits up to `timeoutMs` for another holder. */
export function withFileLock<T>(path: string, fn: () => T, timeoutMs = 15_000): T {
  const me = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    breakIfStale(path);
    if (Date.now() > deadline) {
      let holder = '';
      try {
        holder = readFileSync(path, 'utf8').split('\n')[0] ?? '';
      } catch {
        /* gone meanwhile */
      }
      throw new LockTimeoutError(`timed out after ${timeoutMs}ms waiting for the lock ${path} (held by pid ${holder || '?'})`);
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 20);
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
  // A lock being written has no content yet; give it time. Locks from another host are never broken here.
  if (!pid || host !== hostname() || isAlive(pid)) return;
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

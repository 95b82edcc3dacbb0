/** The timeline lock: stale locks left by killed processes are broken, live ones are waited for. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../src/timeline/lock.js';

const lockIn = () => join(mkdtempSync(join(tmpdir(), 'lock-')), 'timeline.lock');
const old = (path: string, secondsAgo: number) =>
  utimesSync(path, new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));

describe('timeline lock', () => {
  it('runs the critical section and releases the lock', () => {
    const path = lockIn();
    expect(withFileLock(path, () => existsSync(path))).toBe(true);
    expect(existsSync(path)).toBe(false);
  });

  it('breaks a lock whose holder died (kill -9 while appending)', () => {
    const path = lockIn();
    writeFileSync(path, `999999999\n${hostname()}\nnonce\n`);
    expect(withFileLock(path, () => 'ran', 2000)).toBe('ran');
  });

  it('breaks an empty lock file once it is old, not while it is fresh', () => {
    const path = lockIn();
    writeFileSync(path, '');
    expect(() => withFileLock(path, () => 'ran', 300)).toThrow(/timed out after 0.3s waiting for the lock/);
    old(path, 60);
    expect(withFileLock(path, () => 'ran', 2000)).toBe('ran');
  });

  it('waits for a live holder, then breaks a lock too old to be real (a reused pid)', () => {
    const path = lockIn();
    writeFileSync(path, `${process.pid}\n${hostname()}\nother\n`);
    expect(() => withFileLock(path, () => 'ran', 200)).toThrow(/held by pid \d+\)\. If no other bud-incident process is running/);
    old(path, 60);
    expect(withFileLock(path, () => 'ran', 2000)).toBe('ran');
  });

  it('never breaks a lock from another host', () => {
    const path = lockIn();
    writeFileSync(path, `1\nanother-host\nx\n`);
    old(path, 3600);
    expect(() => withFileLock(path, () => 'ran', 200)).toThrow(/timed out/);
  });
});

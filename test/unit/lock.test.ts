/** The timeline lock: a dead holder's lock is broken, a live holder's never (however old or stopped). */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { processInfo, withFileLock } from '../../src/timeline/lock.js';

const lockIn = () => join(mkdtempSync(join(tmpdir(), 'lock-')), 'timeline.lock');
const touch = (path: string, secondsFromNow: number) =>
  utimesSync(path, new Date(Date.now() + secondsFromNow * 1000), new Date(Date.now() + secondsFromNow * 1000));
const holderLock = (pid: number, start = processInfo(pid)?.start ?? '') => `${pid}\n${hostname()}\nnonce\n${start}\n`;
const others = (path: string) => readdirSync(dirname(path)).filter((n) => n !== 'timeline.lock');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
/** A live process that is not us: `sleep`, optionally stopped as by Ctrl-Z. */
function liveProcess(stopped = false): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  if (stopped) child.kill('SIGSTOP');
  return child.pid!;
}

describe('timeline lock', () => {
  it('runs the critical section and releases the lock, leaving no file behind', () => {
    const path = lockIn();
    expect(withFileLock(path, () => existsSync(path))).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(others(path)).toEqual([]);
  });

  it('breaks a lock whose holder died (kill -9 while appending)', () => {
    const path = lockIn();
    writeFileSync(path, `999999999\n${hostname()}\nnonce\n`);
    expect(withFileLock(path, () => 'ran', { timeoutMs: 2000 })).toBe('ran');
    expect(others(path)).toEqual([]);
  });

  it('never breaks the lock of a live holder, however old its file, even when it is stopped (Ctrl-Z)', () => {
    const path = lockIn();
    const pid = liveProcess(true);
    writeFileSync(path, holderLock(pid));
    touch(path, -3600);
    const told: string[] = [];
    expect(() => withFileLock(path, () => 'ran', { liveTimeoutMs: 300, noticeAfterMs: 50, onWait: (m) => told.push(m) })).toThrow(
      new RegExp(`timed out after 0.3s waiting for the lock .*held by pid ${pid}.*still running, so its lock was not broken`),
    );
    expect(readFileSync(path, 'utf8')).toBe(holderLock(pid));
    // Told once, while waiting: who, since when, where, and that it is stopped.
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(path);
    expect(told[0]).toMatch(new RegExp(`held by pid ${pid} since \\d\\d:\\d\\d:\\d\\d UTC \\(the process is stopped: resume it`));
    expect(others(path)).toEqual([]);
  });

  it('breaks a lock whose pid was reused by another process (its start time differs), whatever its mtime says', () => {
    const path = lockIn();
    const pid = liveProcess();
    writeFileSync(path, holderLock(pid, '1'));
    touch(path, 3600); // a future mtime changes nothing
    expect(withFileLock(path, () => 'ran', { liveTimeoutMs: 2000 })).toBe('ran');
  });

  it('waits for a live holder and takes the lock when it is released', () => {
    const path = lockIn();
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(path)}, process.pid+'\\n'+require('os').hostname()+'\\nx\\n'); setTimeout(() => require('fs').unlinkSync(${JSON.stringify(path)}), 400)`,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    while (!existsSync(path)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(withFileLock(path, () => 'ran', { liveTimeoutMs: 20_000 })).toBe('ran');
  });

  it('bounds the wait per lock, not from the start: a long wait behind a live holder, then a moment it cannot be read, goes on', () => {
    const path = lockIn();
    // A live holder for 400 ms, then for 60 ms something unreadable in its place (a directory), then free.
    const script = `const fs = require('fs'), p = ${JSON.stringify(path)};
      fs.writeFileSync(p, process.pid + '\\n' + require('os').hostname() + '\\nx\\n');
      setTimeout(() => { fs.unlinkSync(p); fs.mkdirSync(p); setTimeout(() => fs.rmdirSync(p), 60); }, 400);`;
    children.push(spawn(process.execPath, ['-e', script], { stdio: 'ignore' }));
    while (!existsSync(path)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(withFileLock(path, () => 'ran', { timeoutMs: 200, liveTimeoutMs: 20_000, onWait: () => {} })).toBe('ran');
  });

  it('breaks a lock naming no process once it stayed unchanged while we waited (not by its mtime)', () => {
    const path = lockIn();
    writeFileSync(path, '');
    touch(path, 3600);
    expect(() => withFileLock(path, () => 'ran', { timeoutMs: 100, unknownAfterMs: 60_000 })).toThrow(
      /timed out after 0.1s waiting for the lock .*names no process.*remove .*timeline.lock/,
    );
    expect(withFileLock(path, () => 'ran', { timeoutMs: 2000, unknownAfterMs: 100 })).toBe('ran');
  });

  it('never breaks a lock from another host', () => {
    const path = lockIn();
    writeFileSync(path, `1\nanother-host\nx\n`);
    touch(path, -3600);
    expect(() => withFileLock(path, () => 'ran', { timeoutMs: 200 })).toThrow(/timed out.*held by pid 1 on another-host/);
  });

  it('leaves no private file when the critical section throws, and sweeps those of killed waiters', () => {
    const path = lockIn();
    writeFileSync(`${path}.999999999.0badc0de`, holderLock(999999999));
    expect(() =>
      withFileLock(path, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(others(path)).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });
});

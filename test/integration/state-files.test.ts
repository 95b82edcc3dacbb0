/**
 * Files the CLI writes under a careless umask, and a file system out of inodes (issue 10, item 9).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, sandbox, type Sandbox } from '../support/cli.js';
import { canMount } from '../support/faults.js';

/** Runs the CLI with umask 000, as a shell with a careless profile would. */
function runUmask0(box: Sandbox, args: string[]) {
  return spawnSync('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], {
    env: box.env,
    cwd: box.dir,
    encoding: 'utf8',
  });
}

function walk(dir: string, out: Array<{ path: string; mode: number; dir: boolean }> = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    out.push({ path, mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) walk(path, out);
  }
  return out;
}

describe('state files', () => {
  it('under umask 000 every file the tool writes is 0600 (artifacts 0400) and every directory 0700', () => {
    const box = sandbox();
    expect(runUmask0(box, ['run', 'platform-outage', '--simulate', 'control-plane', '--yes', '--make-current']).status).toBe(1);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    appendFileSync(join(box.home, 'incidents', id, 'timeline.jsonl'), '{"seq":99,"torn');
    expect(runUmask0(box, ['note', 'after a torn line']).status).toBe(0);
    expect(runUmask0(box, ['postmortem', 'generate']).status).toBe(0);
    expect(runUmask0(box, ['runbooks', 'list']).status).toBe(0);
    const all = walk(box.home);
    const names = all.map((f) => f.path.slice(box.home.length + 1));
    for (const expected of ['current', 'cache', `incidents/${id}/timeline.torn.jsonl`, `incidents/${id}/postmortem.md`])
      expect(names.some((n) => n.startsWith(expected))).toBe(true);
    const loose = all.filter((f) => (f.dir ? f.mode !== 0o700 : f.mode !== 0o600 && f.mode !== 0o400));
    expect(loose.map((f) => `${f.path} ${f.mode.toString(8)}`)).toEqual([]);
  });

  it.runIf(canMount())(
    'a full disk: the failed append leaves no lock files behind and the record verifies',
    async () => {
      const box = sandbox();
      mkdirSync(box.home, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', box.home]);
      try {
        expect((await box.run(['declare', '--title', 'first', '--severity', 'SEV3'])).code).toBe(0);
        const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
        try {
          writeFileSync(join(box.home, 'filler'), Buffer.alloc(1024 * 1024));
        } catch {
          /* full, as intended */
        }
        for (let i = 0; i < 3; i++) {
          const r = await box.run(['note', 'cannot be written']);
          expect(r.code).toBe(3);
          expect(r.stderr).toMatch(/the disk is full/);
        }
        expect(readdirSync(join(box.home, 'incidents', id)).filter((n) => n.startsWith('timeline.lock'))).toEqual([]);
        expect((await box.run(['timeline', 'verify'])).code).toBe(0);
      } finally {
        execFileSync('umount', [box.home]);
      }
    },
    60_000,
  );

  it.runIf(canMount())(
    'out of inodes: says so (not "disk full"), exit 3, and what was recorded still verifies',
    async () => {
      const box = sandbox();
      mkdirSync(box.home, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,nr_inodes=12', 'tmpfs', box.home]);
      try {
        expect((await box.run(['declare', '--title', 'first', '--severity', 'SEV3'])).code).toBe(0);
        // Use up the inodes that are left, with plenty of blocks still free.
        for (let i = 0; ; i++) {
          try {
            writeFileSync(join(box.home, `filler-${i}`), '');
          } catch {
            break;
          }
        }
        const r = await box.run(['declare', '--title', 'second', '--severity', 'SEV3']);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(new RegExp(`no free inodes \\(files\\) left on the file system holding ${box.home}`));
        expect(r.stderr).not.toMatch(/disk is full/);
        expect((await box.run(['timeline', 'verify'])).code).toBe(0);
      } finally {
        execFileSync('umount', [box.home]);
      }
    },
    60_000,
  );
});

/**
 * The state directory's files (issue 10, item 9): new directory entries are fsynced (a new
 * timeline, an incident directory, the `current` rename), and links inside the state home are
 * not followed.
 */
import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncidentHome } from '../../src/incident/store.js';
import { openIncident as openWith, loadIncident } from '../../src/incident/open.js';
import { loadPolicy } from '../../src/incident/policy.js';
import { ROOT } from '../support/cli.js';

/** Which paths were fsynced, in order (fds mapped back to the paths they were opened with). */
const synced = vi.hoisted(() => [] as string[]);
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const paths = new Map<number, string>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
    paths.set(fd, String(path));
    return fd;
  }) as typeof fs.openSync;
  const fsyncSync = (fd: number) => {
    synced.push(paths.get(fd) ?? `fd ${fd}`);
    fs.fsyncSync(fd);
  };
  return { ...fs, default: { ...fs, openSync, fsyncSync }, openSync, fsyncSync };
});

const at = new Date('2026-11-28T04:00:00Z');
const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const openIncident = (h: IncidentHome, request: { title: string; severity: string; source: 'declare'; at: Date }) =>
  openWith(h, policy, { ...request, makeCurrent: true }, { redact: (t) => t, redactValue: (v) => v });
const homeIn = (root = mkdtempSync(join(tmpdir(), 'home-'))) => new IncidentHome(root, 'alice', () => at);

describe('state files', () => {
  it('fsyncs the directories whose entries it creates: the incident, its new timeline, the current pointer', () => {
    const h = homeIn();
    synced.length = 0;
    const { id } = openIncident(h, { title: 'db down', severity: 'SEV2', source: 'declare', at });
    const dir = join(h.incidentsDir, id);
    expect(synced).toEqual([h.incidentsDir, join(dir, 'timeline.jsonl'), dir, h.root]);
    // Later appends fsync the file only.
    synced.length = 0;
    h.timeline(id).appendRaw([{ type: 'note.added', data: { text: 'x' } }]);
    expect(synced).toEqual([join(dir, 'timeline.jsonl')]);
  });

  it('refuses an incident directory that is a symbolic link, naming it', () => {
    const h = homeIn();
    const elsewhere = homeIn();
    const { id } = openIncident(elsewhere, { title: 'db down', severity: 'SEV2', source: 'declare', at });
    mkdirSync(h.incidentsDir, { recursive: true });
    symlinkSync(join(elsewhere.incidentsDir, id), join(h.incidentsDir, id));
    expect(() => loadIncident(h, id)).toThrow(
      new RegExp(`${join(h.incidentsDir, id)} is a symbolic link \\(to .*\\); bud-incident does not follow links`),
    );
    expect(() => h.timeline(id).appendRaw([{ type: 'note.added', data: {} }])).toThrow(/is a symbolic link/);
    expect(readdirSync(join(elsewhere.incidentsDir, id))).toEqual(['timeline.jsonl']);
  });

  it('refuses a timeline that is a symbolic link', () => {
    const h = homeIn();
    const elsewhere = homeIn();
    const other = openIncident(elsewhere, { title: 'db down', severity: 'SEV2', source: 'declare', at });
    const id = h.create('db down', at);
    symlinkSync(join(elsewhere.incidentsDir, other.id, 'timeline.jsonl'), join(h.incidentsDir, id, 'timeline.jsonl'));
    expect(() => loadIncident(h, id)).toThrow(/timeline\.jsonl is a symbolic link/);
  });

  it('refuses an incidents directory that leads out of the state home, but follows a state home that is itself a link', () => {
    const root = mkdtempSync(join(tmpdir(), 'home-'));
    const outside = homeIn();
    const { id } = openIncident(outside, { title: 'db down', severity: 'SEV2', source: 'declare', at });
    symlinkSync(outside.incidentsDir, join(root, 'incidents'));
    expect(() => loadIncident(homeIn(root), id)).toThrow(/resolves to .*, outside the state directory/);
    // The state home may live behind a link (~/.local/state -> /data/state): that is its real place.
    const linkedRoot = join(mkdtempSync(join(tmpdir(), 'link-')), 'state');
    symlinkSync(outside.root, linkedRoot);
    expect(loadIncident(homeIn(linkedRoot), id).title).toBe('db down');
  });
});

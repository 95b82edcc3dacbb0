/**
 * Timelines written before the event catalogue (version 1: test/fixtures/timelines-v1, written by
 * main at f228a4e with its CLI) still read: they verify, fold, report and take new events; a
 * timeline written by a newer catalogue is refused, not misread. Through the built binary.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runOk, sandbox, type Sandbox } from '../support/cli.js';

const V1 = join(ROOT, 'test', 'fixtures', 'timelines-v1');
const LIVE = '2026-12-01-api-returning-500s';
const DRILL = '2026-12-01-drill-platform-outage-database-failure';

function withV1(): Sandbox {
  const box = sandbox();
  cpSync(V1, join(box.home, 'incidents'), { recursive: true });
  return box;
}
const cli = (box: Sandbox, args: string[], ok: number[] = [0]) => runOk(box, args, ok, 60_000);

describe('a version 1 timeline (before the catalogue)', () => {
  it('verifies, and status and the post-mortem read what it recorded', async () => {
    const box = withV1();
    expect(readFileSync(join(V1, LIVE, 'timeline.jsonl'), 'utf8')).not.toMatch(/"version"/);
    await cli(box, ['timeline', 'verify', '--incident', LIVE]);
    await cli(box, ['timeline', 'verify', '--incident', DRILL]);
    const s = JSON.parse((await cli(box, ['status', '--incident', LIVE, '--json'])).stdout);
    expect(s).toMatchObject({
      severity: 'SEV1',
      status: 'resolved',
      detectedBy: { source: 'alert', detail: 'PagerDuty BudAPI5xx' },
      rootCause: 'volume full',
      roles: { commander: 'alice', scribe: 'erin' },
    });
    const pm = (await cli(box, ['postmortem', 'generate', '--incident', LIVE, '-o', '-'], [0, 1])).stdout;
    expect(pm).toMatch(/\*\*Detected:\*\* 2026-12-01 19:00 UTC by Monitoring alert \(PagerDuty BudAPI5xx\)/);
    expect(pm).toMatch(/- Users affected: 1200/);
    expect(pm).toMatch(/## Root Cause\n\nvolume full/);
    const drill = JSON.parse((await cli(box, ['status', '--incident', DRILL, '--json'])).stdout);
    expect(drill.drill).toBe(true);
    expect(drill.findings.length).toBeGreaterThan(0);
  });

  it('takes new events after the old ones (the chain goes on)', async () => {
    const box = withV1();
    await cli(box, ['note', 'read back after the upgrade', '--incident', LIVE]);
    await cli(box, ['timeline', 'verify', '--incident', LIVE]);
  });
});

describe('a timeline from a newer catalogue', () => {
  it('is refused with what to do, not misread', async () => {
    const box = sandbox();
    await cli(box, ['declare', '--title', 'future', '--severity', 'SEV3']);
    const id = JSON.parse((await cli(box, ['status', '--json'])).stdout).id as string;
    const file = join(box.home, 'incidents', id, 'timeline.jsonl');
    const first = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as { data: { version?: number } };
    expect(first.data.version).toBe(2);
    // A newer writer: rewrite the record as version 3 (re-hashed, so it verifies).
    const { hashEvent } = await import('../../src/timeline/event.js');
    const e = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, any>;
    e.data.version = 3;
    e.hash = hashEvent(e.prev, e.seq, e.ts, e.actor, e.type, e.data);
    writeFileSync(file, JSON.stringify(e) + '\n');
    const r = await cli(box, ['status'], [3]);
    expect(r.stderr).toMatch(/written by a newer bud-incident \(timeline version 3; this one reads up to 2\): upgrade bud-incident/);
    // The list still shows it, as refused, beside the others.
    await cli(box, ['declare', '--title', 'today', '--severity', 'SEV3']);
    const list = (await cli(box, ['incidents', 'list'])).stdout;
    expect(list).toMatch(/refused: incident 2026-\d\d-\d\d-future was written by a newer bud-incident/);
    expect(list).toMatch(/today/);
  });
});

/**
 * Fault tests that take seconds (the long runs are `node --import tsx test/faults/run.ts`):
 * kill -9, concurrent writers, a full and a read-only disk, hung and noisy commands, consent.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canMount, concurrentWriters, FAULT_RUNBOOKS, killDrill, processesOf, uniqueToken } from '../support/faults.js';
import { BIN, jsonLines, sandbox } from '../support/cli.js';

const mountable = canMount();

/**
 * What a run's output says happened to its mitigation, read in the output's own form (JSON events
 * with --json, the human lines without), so a check on one form cannot pass vacuously on the other.
 */
function mitigationOutcome(stdout: string, json: boolean): 'ran' | 'declined' | 'not proposed' {
  if (json) {
    const types = jsonLines(stdout).map((e) => e.type);
    if (types.includes('mitigation.approved') || types.includes('mitigation.finished')) return 'ran';
    return types.includes('mitigation.declined') ? 'declined' : 'not proposed';
  }
  expect(stdout, 'human output, not JSON').not.toMatch(/^\{"type"/m);
  if (/^ {2}→ approved \(|^ {2}✔ done$/m.test(stdout)) return 'ran';
  return /^ {2}– not run: changing the system needs a typed "yes"/m.test(stdout) ? 'declined' : 'not proposed';
}

describe('faults', () => {
  it('kill -9 at random moments: the timeline always verifies; --resume finishes with no step twice or lost', async () => {
    const r = await killDrill(12);
    expect(r.verifyFailures).toEqual([]);
    expect(r.duplicateSteps).toEqual([]);
    expect(r.missingSteps).toEqual([]);
    expect(r.finished).toBe(true);
  }, 120_000);

  it('concurrent writers lose nothing and interleave nothing', async () => {
    const r = await concurrentWriters(4, 300);
    expect(r).toMatchObject({ ok: true, missing: 0, perWriterInOrder: true });
    expect(r.events).toBe(1 + 4 * 300);
  }, 120_000);

  it('hung and noisy commands are bounded, nothing they start outlives them, and the run goes on', async () => {
    const box = sandbox();
    const token = uniqueToken();
    const r = await box.run(['run', 'noisy', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `token=${token}`], {
      timeoutMs: 90_000,
    });
    const finished = Object.fromEntries(
      jsonLines(r.stdout)
        .filter((e) => e.type === 'step.finished')
        .map((e) => [e.stepId, e]),
    );
    expect(finished['ignores-term']).toMatchObject({ status: 'timeout' });
    expect(finished.forks).toMatchObject({ status: 'timeout' });
    expect(finished.floods.stdout).toMatchObject({ truncated: true, bytes: 16 * 1024 * 1024, totalBytes: 60_000_000 });
    expect(finished.after).toMatchObject({ status: 'passed' });
    // --json prints a stream up to the same cap as the artifact, then one mark with the total.
    const floodOutput = jsonLines(r.stdout).filter((e) => e.type === 'step.output' && e.stepId === 'floods');
    expect(floodOutput.reduce((n, e) => n + Buffer.byteLength(e.text as string), 0)).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(jsonLines(r.stdout).filter((e) => e.type === 'step.output.truncated' && e.stepId === 'floods')).toEqual([
      expect.objectContaining({ stepId: 'floods', stream: 'stdout', shownBytes: 16 * 1024 * 1024, totalBytes: 60_000_000 }),
    ]);
    // Filters stream: tail sees the end of 20 MB of output, not the end of what is kept in memory;
    // sort holds at most its limit and says so.
    expect(finished['last-line'].outputTail).toEqual(['3000000']);
    expect(finished.sorted.notes).toEqual([expect.stringMatching(/^sort: sorted only the first \d+ lines .* were not sorted or shown$/)]);
    // Bytes that are not UTF-8 are said to be so; the artifact keeps them.
    expect(finished['not-text'].stdout.encoding).toBe('invalid utf-8 at byte 11, shown with U+FFFD; the artifact keeps the raw bytes');
    expect(finished['not-text'].outputTail).toEqual(['valid text', '\uFFFD\uFFFD after the bad bytes']);
    const raw = readFileSync(
      join(box.home, 'incidents', readFileSync(join(box.home, 'current'), 'utf8').trim(), finished['not-text'].stdout.path),
    );
    expect(raw.subarray(11, 13)).toEqual(Buffer.from([0xff, 0xfe]));
    // A child left in the background and a daemon in its own session (setsid) were ended with
    // their step, and the record says so.
    expect(finished.background.leftovers).toEqual([expect.objectContaining({ command: `sleep 301.${token}` })]);
    expect(finished.daemon.leftovers).toEqual([expect.objectContaining({ command: `sleep 302.${token}` })]);
    expect(processesOf(token)).toEqual([]);
    expect(r.ms).toBeLessThan(60_000);
  }, 90_000);

  it('a closed standard output (`run --json | head`): the run is aborted and recorded, its commands ended, exit 141', async () => {
    const box = sandbox();
    const token = uniqueToken();
    const args = ['run', 'noisy', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `token=${token}`];
    const child = spawn(process.execPath, [BIN, ...args], { env: box.env, cwd: box.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Like `| head`: read until the flood is streaming, then close the pipe while it still writes.
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/"type":"step.output","runId":"[^"]+","stepId":"floods"/.test(out)) {
          child.stdout.destroy();
          resolve();
        }
      }),
    );
    const code = await closed;
    expect(stderr).not.toMatch(/internal error|EPIPE\n\s+at /);
    expect(code).toBe(141);
    expect((await box.run(['timeline', 'verify'])).code).toBe(0);
    const events = jsonLines((await box.run(['timeline', '--json'])).stdout);
    const aborted = events.find((e) => e.type === 'run.aborted');
    expect(aborted?.data).toMatchObject({
      reason: expect.stringMatching(/standard output was closed.*EPIPE/),
      pendingSteps: expect.arrayContaining(['floods']),
    });
    expect(events.find((e) => e.type === 'step.finished' && e.data.stepId === 'floods')?.data.status).toBe('cancelled');
    expect(events.some((e) => e.type === 'run.finished')).toBe(false);
    // The command that was running (the flood: a shell, yes and head) was ended with the run, and
    // so were what earlier steps left running.
    expect(processesOf(token)).toEqual([]);
  }, 60_000);

  it('kill -9 of the CLI mid-check: --resume refuses while the check still runs, and goes on once it is gone', async () => {
    const box = sandbox();
    const token = uniqueToken();
    const args = ['run', 'slow-check', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `token=${token}`];
    const { spawnCli } = await import('../support/cli.js');
    const first = spawnCli(box, args);
    await first.waitFor('"stepId":"slow","pid"');
    await new Promise((r) => setTimeout(r, 200));
    first.child.kill('SIGKILL');
    await first.closed;
    expect(processesOf(`40.${token}`)).not.toEqual([]); // nothing ended it: the CLI was killed
    const refused = await box.run([...args, '--resume']);
    expect(refused.code).toBe(2);
    const recorded = jsonLines((await box.run(['timeline', '--json'])).stdout).find(
      (e) => e.type === 'step.process' && e.data.stepId === 'slow',
    );
    const pgid = recorded!.data.pgid as number;
    expect(refused.stderr).toMatch(/still has \d+ process\(es\) running/);
    expect(refused.stderr).toContain(`pid ${pgid} (group ${pgid}, step slow)`);
    expect(refused.stderr).toContain(`kill -TERM -- -${pgid}`);
    // Nothing was started twice, nothing recorded by the refused attempt.
    const tl = jsonLines((await box.run(['timeline', '--json'])).stdout);
    expect(tl.filter((e) => e.type === 'run.resumed')).toEqual([]);
    // The responder ends the old group as told (it ignores SIGTERM, so SIGKILL); then the resume goes on.
    process.kill(-pgid, 'SIGKILL');
    for (let i = 0; i < 50 && processesOf(`40.${token}`).length; i++) await new Promise((r) => setTimeout(r, 100));
    const resumed = await box.run([...args, '--resume', '--var', 'seconds=1']);
    expect(resumed.code).toBe(0);
    expect(
      jsonLines(resumed.stdout)
        .filter((e) => e.type === 'step.finished')
        .map((e) => e.stepId),
    ).toEqual(['slow', 'after']);
  }, 120_000);

  it.runIf(mountable)(
    'a disk that fills mid-run: a clear error (exit 3), no corrupted line, earlier events intact',
    async () => {
      const box = sandbox();
      mkdirSync(box.home, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', box.home]);
      try {
        const r = await box.run(['run', 'noisy', '--yes', '--runbooks-dir', FAULT_RUNBOOKS, '--var', 'bytes=3000000']);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/the disk is full\. Events written before this one are intact/);
        const v = await box.run(['timeline', 'verify']);
        expect(v.code).toBe(0);
      } finally {
        execFileSync('umount', [box.home]);
      }
    },
    60_000,
  );

  it.runIf(mountable)(
    'a read-only state directory: a clear error, the record unchanged',
    async () => {
      const box = sandbox();
      mkdirSync(box.home, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', box.home]);
      try {
        expect((await box.run(['declare', '--title', 'ro', '--severity', 'SEV3'])).code).toBe(0);
        execFileSync('mount', ['-o', 'remount,ro', box.home]);
        const r = await box.run(['note', 'cannot be written']);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/read-only/);
        expect((await box.run(['timeline', 'verify'])).code).toBe(0);
      } finally {
        execFileSync('umount', [box.home]);
      }
    },
    60_000,
  );

  it('never runs a mitigation without consent: --yes, --json, no terminal, --simulate, --resume', async () => {
    const box = sandbox();
    // Each form of output is read in its own form: JSON events for --json, the human lines otherwise.
    for (const args of [['--yes'], ['--json'], [], ['--yes', '--json']]) {
      const r = await box.run(['run', 'platform-outage', '--simulate', 'bad-config', '--make-current', ...args]);
      expect(mitigationOutcome(r.stdout, args.includes('--json')), args.join(' ') || '(no flag)').toBe('declined');
    }
    const tl = await box.run(['timeline', '--json']);
    const events = jsonLines(tl.stdout);
    expect(events.filter((e) => e.type === 'mitigation.declined').length).toBe(4);
    expect(events.filter((e) => e.type === 'mitigation.finished').length).toBe(0);
    // --resume after an interrupted run: the mitigation it reaches is still declined.
    const { spawnCli } = await import('../support/cli.js');
    const box2 = sandbox();
    const interrupted = spawnCli(box2, ['run', 'platform-outage', '--simulate', 'bad-config', '--json']);
    await interrupted.waitFor('"stepId":"api"', 'step.finished');
    interrupted.child.kill('SIGINT');
    await interrupted.closed;
    const resumed = await box2.run(['run', 'platform-outage', '--simulate', 'bad-config', '--resume', '--yes', '--json']);
    const resumedEvents = jsonLines(resumed.stdout);
    expect(resumedEvents.some((e) => e.type === 'run.resumed')).toBe(true);
    expect(resumedEvents.some((e) => e.type === 'mitigation.declined')).toBe(true);
    expect(resumedEvents.some((e) => e.type === 'mitigation.finished')).toBe(false);
    // With explicit consent, and only then, it runs (against the recorded scenario).
    const yes = await box.run(['run', 'platform-outage', '--simulate', 'bad-config', '--allow-mitigations', '--json']);
    expect(jsonLines(yes.stdout).find((e) => e.type === 'mitigation.approved')?.how).toBe('--allow-mitigations');
    expect(mitigationOutcome(yes.stdout, true)).toBe('ran');
    // The human reading above sees a mitigation that runs (so its 'declined' means something).
    const yesHuman = await box.run(['run', 'platform-outage', '--simulate', 'bad-config', '--allow-mitigations']);
    expect(mitigationOutcome(yesHuman.stdout, false)).toBe('ran');
  }, 60_000);
});

/**
 * An interactive `run` driven through a real pseudo-terminal, the way a responder uses it:
 * confirm a manual step and record what was seen, press Ctrl-C during a slow check and skip it,
 * decline a mitigation. Nothing that changes the system may run.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, sandbox } from '../support/cli.js';
import { spawnPty } from '../support/pty.js';

/** The pids of processes whose command line contains `pattern` ('' when none). */
function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Resolves once a process matching `pattern` exists; fails the test after 20 s. */
async function processRunning(pattern: string): Promise<void> {
  for (let waited = 0; pgrep(pattern) === ''; waited += 25) {
    if (waited > 20_000) throw new Error(`no process matching "${pattern}" started within 20 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('interactive run in a pseudo-terminal', () => {
  it('answers a manual step, cancels a slow check with Ctrl-C, declines a mitigation', async () => {
    const box = sandbox();
    const marker = join(box.dir, 'marker');
    const { term, screen, exited } = spawnPty(box, [
      'run',
      'pty-drill',
      '--runbooks-dir',
      join(ROOT, 'test', 'fixtures', 'runbooks'),
      '--var',
      `marker=${marker}`,
    ]);

    let at = await screen.waitFor(/Look at the dashboard: done\?/);
    term.write('\r');
    at = await screen.waitFor(/What did you observe/, at);
    term.write('error rate 80% on all endpoints\r');
    at = await screen.waitFor(/running: slow/, at);
    // Ctrl-C once the slow command is really running (its process exists), not after a guessed delay.
    await processRunning('sleep 37.5');
    term.write('\x03');
    at = await screen.waitFor(/What now\?/, at);
    term.write('\r'); // default: skip it and go on
    await screen.waitFor(/Type "yes" to run it/, at);
    expect(screen.text).toContain(`would run: touch ${marker}`);
    term.write('no\r');
    const code = await exited;

    expect(existsSync(marker)).toBe(false);
    // The cancelled command's whole process group is gone.
    expect(pgrep('sleep 37.5')).toBe('');
    expect(code).toBe(1); // a check was skipped: not "all passed"

    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const events = readFileSync(join(box.home, 'incidents', id, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const byType = (t: string) => events.filter((e) => e.type === t).map((e) => e.data);
    expect(byType('manual.confirmed')[0]).toMatchObject({ stepId: 'look', observation: 'error rate 80% on all endpoints' });
    expect(byType('step.finished').find((d) => d.stepId === 'slow')).toMatchObject({ status: 'cancelled' });
    expect(byType('run.interrupted')[0]).toMatchObject({ choice: 'skip', stepIds: ['slow'] });
    // The quick check found the problem the mitigation's precondition asks for.
    expect(byType('step.finished').find((d) => d.stepId === 'quick')).toMatchObject({ status: 'failed' });
    expect(byType('mitigation.declined')[0]).toMatchObject({ mitigationId: 'touch-marker', reason: 'declined by the responder' });
    expect(byType('run.finished')).toHaveLength(1);
  });
});

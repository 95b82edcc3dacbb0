/** `bud-incident update` on a terminal: fields asked, the message opened in $EDITOR, the edit recorded. */
import { describe, expect, it } from 'vitest';
import { spawn as ptySpawn } from 'node-pty';
import { BIN, jsonLines, sandbox } from '../support/cli.js';

describe('interactive status update', () => {
  it('asks status and impact, opens the message in the editor, records what was saved', async () => {
    const box = sandbox();
    expect((await box.run(['declare', '--title', 'update drill', '--severity', 'SEV1'])).code).toBe(0);
    // A scripted "editor": replaces a word in the file it is given, as a responder would.
    const env = { ...box.env, EDITOR: 'sed -i s/Investigating/Identified/', VISUAL: '' } as Record<string, string>;
    const term = ptySpawn(process.execPath, [BIN, 'update'], { cols: 120, rows: 40, cwd: box.dir, env });
    let text = '';
    term.onData((d) => (text += d));
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}:\n${text.slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/Status:/);
    term.write('\r');
    await waitFor(/Current impact/);
    term.write('All requests failing\r');
    // §3.4's "Number of users/requests": one counted, one left blank.
    await waitFor(/Number of users affected/);
    term.write('1200\r');
    await waitFor(/Number of requests failed/);
    term.write('\r');
    await waitFor(/Edit the message before it is recorded\?/);
    term.write('y\r');
    expect(await exited).toBe(0);
    const events = jsonLines((await box.run(['timeline', '--json'])).stdout);
    const update = events.find((e) => e.type === 'status.update');
    expect(update?.data.message).toMatch(/^=== SEV1 INCIDENT UPDATE ===\nTime: \d\d:\d\d UTC\nStatus: Identified/);
    expect(update?.data.message).toContain('- All requests failing\n- Users affected: 1200 · Requests failed: not counted yet\n');
  });
});

/** `bud-incident update` on a terminal: fields asked, the message opened in $EDITOR, the edit recorded. */
import { describe, expect, it } from 'vitest';
import { jsonLines, sandbox } from '../support/cli.js';
import { spawnPty } from '../support/pty.js';

describe('interactive status update', () => {
  it('asks status and impact, opens the message in the editor, records what was saved', async () => {
    const box = sandbox();
    expect((await box.run(['declare', '--title', 'update drill', '--severity', 'SEV1'])).code).toBe(0);
    // A scripted "editor": replaces a word in the file it is given, as a responder would.
    const env = { ...box.env, EDITOR: 'sed -i s/Investigating/Identified/', VISUAL: '' };
    const { term, exited, waitFor } = spawnPty(box, ['update'], env);
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

/** `bud-incident checklist sev1` in a real pseudo-terminal: tick an item with the space bar, save with enter. */
import { describe, expect, it } from 'vitest';
import { sandbox } from '../support/cli.js';
import { spawnPty } from '../support/pty.js';

describe('interactive checklist', () => {
  it('shows proven items with their proof, ticks one by hand, and records who did it', async () => {
    const box = sandbox();
    expect((await box.run(['declare', '--title', 'checklist drill', '--severity', 'SEV1', '--commander', 'alice'])).code).toBe(0);
    const t = spawnPty(box, ['checklist', 'sev1']);
    let at = await t.waitFor(/SEV1 checklist for .* \(space ticks, enter saves\)/);
    // An item is ticked with the event that proves it; declaring names a channel but does not create it.
    expect(t.screen.text).toMatch(/Incident commander assigned\s+— proved by #1 incident\.opened at .* by tester/);
    expect(t.screen.text).not.toMatch(/Incident channel created\s+—/);
    // Down to "Initial status posted" (third item), tick it, save.
    // Each key waits for the redraw it causes (the pointer on the item, then the item ticked), not for a delay.
    at = t.screen.text.length;
    t.term.write('\x1b[B');
    t.term.write('\x1b[B');
    at = await t.waitFor(/❯◯ Initial status posted/, at);
    t.term.write(' ');
    await t.waitFor(/❯◉ Initial status posted/, at);
    t.term.write('\r');
    expect(await t.exited).toBe(0);
    const json = JSON.parse((await box.run(['checklist', 'sev1', '--json'])).stdout) as {
      items: Array<{ id: string; done: boolean; auto: boolean; by: string }>;
    };
    expect(json.items.find((i) => i.id === 'initial-status-posted')).toMatchObject({ done: true, auto: false, by: 'tester' });
    expect(json.items.find((i) => i.id === 'commander-assigned')).toMatchObject({ done: true, auto: true });
    expect(json.items.find((i) => i.id === 'channel-created')).toMatchObject({ done: false });
    expect(json.items.filter((i) => i.done)).toHaveLength(2);
  });
});

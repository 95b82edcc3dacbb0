/**
 * A writer stopped (Ctrl-Z, a paused VM) while it holds the timeline lock: the others wait for it
 * and say who holds it; nothing is lost and the chain verifies. The long version (30 s) is
 * `node --import tsx test/faults/run.ts --only stall`.
 */
import { describe, expect, it } from 'vitest';
import { stalledLockHolder } from '../support/faults.js';

describe('a stalled lock holder', () => {
  it('6 writers, the lock holder stopped 2 s: every event present once, seq 1..n, the chain verifies', async () => {
    const r = await stalledLockHolder(6, 10, 2000);
    expect(r).toMatchObject({ ok: true, missing: 0, perWriterInOrder: true, seqs1ToN: true, events: 1 + 6 * 10 });
    expect(r.told).toBeGreaterThan(0);
  }, 120_000);
});

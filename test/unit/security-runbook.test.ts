/**
 * The security runbook follows §5.5's response in the playbook's order: 1. Contain (disable the
 * account, revoke its tokens), 2. Investigate (review audit logs), 3. Preserve (capture evidence),
 * 4. Notify (legal, security, management). Containment is offered with consent as any
 * mitigation, on what triage saw (the account is still active), not on what investigation finds
 * later; the preserved export is declared evidence (kept byte for byte).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRunbook } from '../../src/runbook/load.js';
import { ROOT } from '../support/cli.js';

const file = join(ROOT, 'runbooks', 'security-incident.yaml');
const loaded = loadRunbook(file, readFileSync(file, 'utf8')).loaded!;
const steps = loaded.runbook.steps;

/** The playbook's four response phases, by the word each step's title starts with. */
const PHASES = ['Contain', 'Investigate', 'Preserve', 'Notify'] as const;
function phaseOf(title: string): number {
  return PHASES.findIndex((p) => title.startsWith(`${p}:`));
}

describe('security-incident follows §5.5: contain, investigate, preserve, notify', () => {
  it('has every phase, and no step of a later phase comes before one of an earlier phase', () => {
    const phases = steps.map((s) => phaseOf(s.title)).filter((p) => p >= 0);
    expect(new Set(phases)).toEqual(new Set([0, 1, 2, 3]));
    expect(phases).toEqual([...phases].sort((a, b) => a - b));
  });

  it('containment comes before the evidence is preserved and before the audit log is investigated', () => {
    const index = (id: string) => steps.findIndex((s) => s.id === id);
    const contain = steps.filter((s) => s.kind === 'mitigation' && s.title.startsWith('Contain:')).map((s) => s.id);
    expect(contain).toEqual(['contain-account', 'contain-tokens']);
    const preserve = steps.find((s) => s.kind === 'check' && s.evidence === true)!;
    expect(preserve.id).toBe('preserve-audit');
    for (const id of contain) {
      expect(index(id)).toBeLessThan(index(preserve.id));
      expect(index(id)).toBeLessThan(index('investigate'));
    }
  });

  it('containment is offered on what is known before investigating (with consent, as any mitigation)', () => {
    const before = new Set(
      steps
        .slice(
          0,
          steps.findIndex((s) => s.id === 'contain-account'),
        )
        .flatMap((s) => (s.kind === 'check' ? (s.expect ?? []).map((e) => e.finding.id) : [])),
    );
    const disable = loaded.runbook.mitigations.find((m) => m.id === 'disable-user')!;
    expect(disable.requires?.finding?.every((f) => before.has(f))).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  checkConsent,
  checkRefusal,
  mitigationChanges,
  mitigationConsent,
  mitigationRefusal,
  typedYes,
  type ConsentContext,
} from '../../src/engine/consent.js';
import { parseCommand } from '../../src/runbook/command.js';

const interactive: ConsentContext = { canAsk: true, allowMitigations: false };
/** No terminal, --json, or --yes: nobody can be asked (--yes is never consent). */
const unattended: ConsentContext = { canAsk: false, allowMitigations: false };
const allowed: ConsentContext = { canAsk: false, allowMitigations: true };

const words = (line: string) => [line.split(' ')];

describe('checkConsent: may a check run, and how', () => {
  const rows: Array<[string, Parameters<typeof checkConsent>[0], ConsentContext, unknown]> = [
    [
      'a read-only command runs without asking',
      { argv: words('kubectl get pods'), simulate: false, display: 'kubectl get pods' },
      unattended,
      { needed: false },
    ],
    [
      'a program the tool cannot judge, declared readOnly by the runbook, runs (and says who vouched)',
      { argv: words('check_disk -w 80'), readOnly: 'only reads df', simulate: false, display: 'check_disk -w 80' },
      unattended,
      { needed: false, declaredReadOnly: 'only reads df' },
    ],
    [
      'a known change declared readOnly is still a change: asked',
      { argv: words('kubectl delete pod api-1'), readOnly: 'trust me', simulate: false, display: 'kubectl delete pod api-1' },
      interactive,
      { needed: true, decision: { kind: 'ask' } },
    ],
    [
      'a changing check, interactive: asked for a typed yes',
      { argv: words('kubectl delete pod api-1'), simulate: false, display: 'kubectl delete pod api-1' },
      interactive,
      { needed: true, decision: { kind: 'ask' } },
    ],
    [
      'a changing check with --allow-mitigations: runs, consent by the flag',
      { argv: words('kubectl delete pod api-1'), simulate: false, display: 'kubectl delete pod api-1' },
      allowed,
      { needed: true, decision: { kind: 'given', how: '--allow-mitigations' } },
    ],
    [
      'a changing check with --yes (nobody to ask) and no --allow-mitigations: refused',
      { argv: words('kubectl delete pod api-1'), simulate: false, display: 'kubectl delete pod api-1' },
      unattended,
      { needed: true, decision: { kind: 'refused' } },
    ],
    [
      'a drill replays, runs nothing: no consent needed',
      { argv: words('kubectl delete pod api-1'), simulate: true, display: 'kubectl delete pod api-1' },
      unattended,
      { needed: false },
    ],
    [
      'a native check (no command) reads the API: no consent needed',
      { simulate: false, display: '[kubernetes API] pods' },
      unattended,
      { needed: false },
    ],
  ];
  it.each(rows)('%s', (_name, check, ctx, want) => {
    expect(checkConsent(check, ctx)).toMatchObject(want as object);
  });

  it('the question names the change and the command; the refusal says how to give consent or that it was declined', () => {
    const c = checkConsent({ argv: words('kubectl delete pod api-1'), simulate: false, display: 'kubectl delete pod api-1' }, interactive);
    if (!c.needed || c.decision.kind !== 'ask') throw new Error('expected a question');
    expect(c.decision.question).toContain(`(${c.changes})`);
    expect(c.decision.question).toContain('\n  kubectl delete pod api-1\nType "yes" to run it');
    expect(checkRefusal(c.changes, 'kubectl delete pod api-1', unattended)).toBe(
      `not run: it changes the system (${c.changes}); a check runs without consent only when it is read-only. It needs a typed "yes" in an interactive run, or --allow-mitigations; by hand: kubectl delete pod api-1`,
    );
    expect(checkRefusal(c.changes, 'kubectl delete pod api-1', interactive)).toContain(
      '. Declined by the responder; by hand: kubectl delete pod api-1',
    );
  });
});

describe('mitigationConsent: may a mitigation run (or count as done by hand)', () => {
  const rows: Array<[string, { hasCommand: boolean; changesSystem: boolean }, ConsentContext, unknown]> = [
    [
      'a command that changes nothing runs, even unattended',
      { hasCommand: true, changesSystem: false },
      unattended,
      { kind: 'given', how: 'not-changing' },
    ],
    [
      'a change, interactive: asked',
      { hasCommand: true, changesSystem: true },
      interactive,
      { kind: 'ask', question: 'This CHANGES THE SYSTEM. Type "yes" to run it (anything else declines):' },
    ],
    [
      'a change with --allow-mitigations: runs',
      { hasCommand: true, changesSystem: true },
      allowed,
      { kind: 'given', how: '--allow-mitigations' },
    ],
    ['a change with --yes only (nobody to ask): refused', { hasCommand: true, changesSystem: true }, unattended, { kind: 'refused' }],
    [
      'done by hand, interactive: the responder confirms it',
      { hasCommand: false, changesSystem: true },
      interactive,
      { kind: 'ask', question: 'Type "yes" once you have done it by hand (anything else: not done):' },
    ],
    [
      'done by hand, --allow-mitigations cannot say it was done: refused',
      { hasCommand: false, changesSystem: true },
      allowed,
      { kind: 'refused' },
    ],
    [
      'done by hand, said to change nothing, still needs a person: refused unattended',
      { hasCommand: false, changesSystem: false },
      unattended,
      { kind: 'refused' },
    ],
  ];
  it.each(rows)('%s', (_name, m, ctx, want) => {
    expect(mitigationConsent(m, ctx)).toEqual(want);
  });

  it('says why it was not run and what to do instead', () => {
    expect(mitigationRefusal('kubectl rollout undo deployment/api', interactive)).toEqual({
      reason: 'declined by the responder',
      detail: 'declined; to run it by hand: kubectl rollout undo deployment/api',
    });
    expect(mitigationRefusal('kubectl rollout undo deployment/api', unattended)).toEqual({
      reason: 'not run: changing the system needs a typed "yes" in an interactive run, or --allow-mitigations',
      detail: 'not run; to run it by hand: kubectl rollout undo deployment/api',
    });
    expect(mitigationRefusal(undefined, interactive)).toEqual({
      reason: 'not done: the responder did not confirm doing it',
      detail: 'not done; once done by hand, record it: bud-incident milestone mitigated',
    });
    expect(mitigationRefusal(undefined, unattended).reason).toMatch(/^not done: proposed only; .*this run could not ask$/);
  });
});

describe('mitigationChanges: decided by what the command runs', () => {
  const parsed = (line: string) => {
    const r = parseCommand(line);
    if (!r.ok) throw new Error(r.error.message);
    return r.command;
  };
  it.each([
    [
      'a changing command, the runbook says changesSystem: false',
      false,
      words('kubectl scale deployment/api --replicas=3'),
      undefined,
      true,
    ],
    ['a read-only command', undefined, words('kubectl get pods'), undefined, false],
    ['the runbook says it changes the system: believed', true, words('kubectl get pods'), undefined, true],
    ['not filled yet: the parsed command decides', undefined, undefined, parsed('kubectl delete pod {{pod}}'), true],
    ['no command at all: as the runbook says (nothing)', undefined, undefined, undefined, false],
  ] as const)('%s', (_name, declared, filled, p, want) => {
    expect(
      mitigationChanges(
        declared,
        filled?.map((s) => [...s]),
        p,
      ),
    ).toBe(want);
  });
});

describe('typedYes', () => {
  it.each([
    ['yes', true],
    ['  YES\n', true],
    ['Yes', true],
    ['y', false],
    ['yes please', false],
    ['', false],
  ])('%j → %s', (answer, want) => {
    expect(typedYes(answer)).toBe(want);
  });
});

/**
 * Every item of every shipped checklist, with the events that prove it was DONE (or "by hand"):
 * each proof ticks its item and is named as its proof; what only names or plans a thing (declare's
 * channel name, an escalation, resolve's computed post-mortem due date) and every event of a drill
 * tick nothing. Adding an item to a shipped checklist without adding it here fails this test.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checklistState, loadChecklist, type Checklist } from '../../src/incident/checklist.js';
import { readSourceFile } from '../../src/runbook/catalog.js';
import type { TimelineEvent } from '../../src/timeline/event.js';
import { ROOT } from '../support/cli.js';

type Ev = { type: string; data?: Record<string, unknown>; actor?: string };
/** A proof: `setup` events that give it context (the run it belongs to), then the events that prove the item. */
type Case = { setup?: Ev[]; proof: Ev[] };

const folder = join(ROOT, 'runbooks', 'checklists');
const shipped = new Map<string, Checklist>(
  readdirSync(folder)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const c = loadChecklist(readSourceFile(join(folder, f)));
      return [c.id, c];
    }),
);

const RUN = 'r-100000-aaaaaa';
const run = (runbook: string, mode: 'live' | 'simulate' = 'live'): Ev => ({
  type: 'run.started',
  data: { runId: RUN, runbook, mode, ...(mode === 'simulate' ? { scenario: 'x' } : {}) },
});
const inRun = (type: string, data: Record<string, unknown>): Ev => ({ type, data: { runId: RUN, ...data } });
const confirmed = (runbook: string, stepId: string): Case => ({
  setup: [run(runbook)],
  proof: [inRun('manual.confirmed', { stepId, title: stepId })],
});
const answered = (input: string, value = 'inference, chat') =>
  inRun('prompt.answered', { stepId: `scope-${input}`, input, value, source: 'prompt' });
const opened: Ev = {
  type: 'incident.opened',
  data: { id: 'i', title: 't', severity: 'SEV1', channel: '#incident-2026-11-28-t', openedAt: '2026-11-28T03:40:00Z', source: 'declare' },
};

/** One case per `auto:` proof of the item, in the YAML's order; "by hand" when the item has none. */
const TABLE: Record<string, Record<string, Case[] | 'by hand'>> = {
  sev1: {
    'channel-created': [confirmed('sev1-response', 'create-channel')],
    'commander-assigned': [
      { proof: [{ type: 'role.assigned', data: { role: 'commander', person: 'alice' } }] },
      { proof: [{ type: 'incident.opened', data: { ...opened.data, commander: 'alice' } }] },
    ],
    'initial-status-posted': [
      { proof: [{ type: 'status.update', data: { status: 'Investigating', impact: 'x', message: 'm' } }] },
      confirmed('sev1-response', 'initial-message'),
    ],
    'stakeholders-notified': [confirmed('sev1-response', 'notify-stakeholders')],
    'investigation-started': [
      { proof: [run('platform-outage')] },
      { proof: [{ type: 'triage.completed', data: { matches: [] } }] },
      { setup: [run('platform-outage')], proof: [inRun('finding.raised', { stepId: 's', findingId: 'f', message: 'disk full' })] },
      { proof: [{ type: 'milestone.recorded', data: { name: 'investigating', at: '2026-11-28T03:45:00Z' } }] },
    ],
    'root-cause-identified': [
      { proof: [{ type: 'note.added', data: { text: 'the volume filled', tags: ['root-cause'] } }] },
      { proof: [{ type: 'milestone.recorded', data: { name: 'identified', at: '2026-11-28T03:50:00Z' } }] },
      { proof: [{ type: 'incident.resolved', data: { rootCause: 'volume full', resolution: 'expanded', at: '2026-11-28T04:52:00Z' } }] },
    ],
    'mitigation-applied': [
      {
        setup: [run('database-failure')],
        proof: [inRun('mitigation.finished', { stepId: 'm', mitigationId: 'expand', status: 'passed' })],
      },
      { proof: [{ type: 'milestone.recorded', data: { name: 'mitigated', at: '2026-11-28T04:30:00Z' } }] },
    ],
    'fix-verified': [
      {
        setup: [run('database-failure'), inRun('mitigation.finished', { stepId: 'm', mitigationId: 'expand', status: 'passed' })],
        proof: [inRun('mitigation.verified', { stepId: 'pvc', mitigationId: 'expand', status: 'passed' })],
      },
    ],
    'all-clear': [{ proof: [{ type: 'status.update', data: { status: 'Resolved', impact: 'none', message: 'm' } }] }],
    'postmortem-scheduled': [{ proof: [{ type: 'postmortem.scheduled', data: { on: '2026-11-30' } }] }],
  },
  sev2: {
    acknowledged: [
      { proof: [{ type: 'milestone.recorded', data: { name: 'acknowledged', at: '2026-11-28T03:41:00Z' } }] },
      confirmed('sev2-response', 'acknowledge'),
    ],
    'thread-created': [confirmed('sev2-response', 'thread')],
    'initial-assessment': [
      { setup: [run('sev2-response')], proof: [inRun('run.finished', { runbook: 'sev2-response', outcome: 'findings' })] },
      { proof: [{ type: 'triage.completed', data: { matches: [] } }] },
    ],
    'stakeholders-notified': [confirmed('sev2-response', 'notify')],
    'impact-scoped': [
      { setup: [run('sev2-response')], proof: [answered('feature'), answered('users', 'EU tenants'), answered('since', '09:00')] },
    ],
    'changes-checked': [
      {
        setup: [run('sev2-response')],
        proof: [
          inRun('step.finished', { stepId: 'recent-deployments', status: 'passed' }),
          inRun('manual.confirmed', { stepId: 'config-infra-changes', question: 'q', answer: 'no' }),
        ],
      },
    ],
    'fix-applied': [
      {
        setup: [run('sev2-response')],
        proof: [inRun('mitigation.finished', { stepId: 'fix-rollback', mitigationId: 'rollout-undo', status: 'passed' })],
      },
      { proof: [{ type: 'milestone.recorded', data: { name: 'mitigated', at: '2026-11-28T04:30:00Z' } }] },
    ],
    'fix-verified': [
      {
        setup: [run('sev2-response')],
        proof: [inRun('mitigation.verified', { stepId: 'service-diagnosis', mitigationId: 'rollout-undo', status: 'passed' })],
      },
      confirmed('sev2-response', 'verify-monitoring'),
    ],
    'stakeholders-updated': [
      { proof: [{ type: 'status.update', data: { status: 'Resolved', impact: 'none', message: 'm' } }] },
      confirmed('sev2-response', 'update-stakeholders'),
    ],
    'thread-closed': [confirmed('sev2-response', 'close-thread')],
  },
  handoff: {
    'status-documented': [{ proof: [{ type: 'handoff.completed', data: { from: 'alice', to: 'dave', summary: 'Status: SEV1, open' } }] }],
    'actions-listed': [{ proof: [{ type: 'handoff.completed', data: { from: 'alice', to: 'dave', summary: 'Open actions (0):' } }] }],
    'next-steps-clear': 'by hand',
    'oncall-acknowledged': 'by hand',
    'channel-updated': 'by hand',
  },
};

/** Timeline events from drafts: seq from 1, one minute apart. */
function timeline(evs: Ev[]): TimelineEvent[] {
  return evs.map((e, i) => ({
    seq: i + 1,
    ts: new Date(Date.UTC(2026, 10, 28, 4, i)).toISOString(),
    actor: e.actor ?? 'alice',
    type: e.type,
    data: e.data ?? {},
    prev: '',
    hash: '',
  }));
}

const stateOf = (c: Checklist, evs: Ev[]) => checklistState(c, timeline(evs));
const done = (c: Checklist, evs: Ev[]) =>
  stateOf(c, evs)
    .filter((i) => i.done)
    .map((i) => i.id);
const withOnly = (c: Checklist, id: string, n: number): Checklist => ({
  ...c,
  items: c.items.map((i) => (i.id === id ? { ...i, auto: [i.auto![n]!] } : i)),
});

describe('every shipped checklist item names its proof', () => {
  it('the table lists every shipped checklist and every item of each, no more', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...shipped.keys()].sort());
    for (const [id, c] of shipped) expect(Object.keys(TABLE[id]!), id).toEqual(c.items.map((i) => i.id));
  });

  for (const [listId, items] of Object.entries(TABLE)) {
    for (const [itemId, cases] of Object.entries(items)) {
      if (cases === 'by hand') {
        it(`${listId} ${itemId}: by hand only; open until a person ticks it, then names who and when`, () => {
          const c = shipped.get(listId)!;
          const item = c.items.find((i) => i.id === itemId)!;
          expect(item.auto ?? []).toEqual([]);
          const open = stateOf(c, [opened]).find((i) => i.id === itemId)!;
          expect(open).toMatchObject({ done: false, record: [`bud-incident checklist ${listId} --check ${itemId}`] });
          const ticked = stateOf(c, [
            opened,
            { type: 'checklist.item', data: { checklist: listId, item: itemId, done: true }, actor: 'dave' },
          ]);
          expect(ticked.find((i) => i.id === itemId)).toMatchObject({
            done: true,
            auto: false,
            by: 'dave',
            proof: { kind: 'hand', by: 'dave', seq: 2, at: '2026-11-28T04:01:00.000Z' },
          });
        });
        continue;
      }
      it(`${listId} ${itemId}: each proof ticks it and is named as its proof`, () => {
        const c = shipped.get(listId)!;
        const item = c.items.find((i) => i.id === itemId)!;
        // One case per proof in the YAML, so the table and the checklist cannot drift apart.
        expect(cases.length, 'one table case per auto: proof').toBe(item.auto?.length ?? 0);
        expect(
          stateOf(c, [opened]).find((i) => i.id === itemId),
          'open before its proof',
        ).toMatchObject({ done: false });
        expect(stateOf(c, [opened]).find((i) => i.id === itemId)!.record![0]).toMatch(/bud-incident/);
        cases.forEach((k, n) => {
          const evs = [opened, ...(k.setup ?? []), ...k.proof];
          const firstProofSeq = evs.length - k.proof.length + 1;
          const expected = k.proof.map((e, j) => ({ type: e.type, seq: firstProofSeq + j }));
          // With only this proof in the checklist, so each one is shown to work on its own.
          const state = stateOf(withOnly(c, itemId, n), evs).find((i) => i.id === itemId)!;
          expect(state, `proof ${n + 1}`).toMatchObject({ done: true, auto: true });
          expect(state.proof?.kind).toBe('events');
          expect(state.proof?.kind === 'events' && state.proof.events.map((e) => ({ type: e.type, seq: e.seq }))).toEqual(expected);
          expect(state.evidence).toBe(expected.map((e) => `#${e.seq} ${e.type}`).join(' + '));
          // Replayed as a drill (the run simulated), a run's events prove nothing.
          if (k.setup?.some((e) => e.type === 'run.started') || k.proof.some((e) => e.type === 'run.started')) {
            const drill = evs.map((e) => (e.type === 'run.started' ? run(String(e.data!.runbook), 'simulate') : e));
            expect(done(c, drill), `proof ${n + 1} as a drill`).not.toContain(itemId);
          }
        });
      });
    }
  }
});

describe('what does not prove a checklist item', () => {
  const all = [...shipped.values()];

  it('declaring an incident (which names a channel) ticks nothing', () => {
    for (const c of all) expect(done(c, [opened]), c.id).toEqual([]);
  });

  it('escalate recording L1/L2 does not notify stakeholders', () => {
    for (const c of all)
      expect(done(c, [opened, { type: 'escalation.recorded', data: { levels: ['L1', 'L2'], severity: 'SEV1' } }]), c.id).toEqual([]);
  });

  it('resolve without a Resolved update or a person-given post-mortem date proves only the root cause it records', () => {
    const resolve: Ev = {
      type: 'incident.resolved',
      data: {
        rootCause: 'volume full',
        resolution: 'expanded',
        at: '2026-11-28T04:52:00Z',
        postmortemRequired: true,
        postmortemDue: '2026-11-30T04:52:00.000Z',
      },
    };
    expect(done(shipped.get('sev1')!, [opened, resolve])).toEqual(['root-cause-identified']);
    expect(done(shipped.get('sev2')!, [opened, resolve])).toEqual([]);
  });

  it('a status update that is not Resolved is not the all-clear', () => {
    const update: Ev = { type: 'status.update', data: { status: 'Monitoring', impact: 'x', message: 'm' } };
    expect(done(shipped.get('sev1')!, [opened, update])).toEqual(['initial-status-posted']);
    expect(done(shipped.get('sev2')!, [opened, update])).toEqual([]);
  });

  it('a --simulate run ticks nothing, whatever it records', () => {
    const drill: Ev[] = [
      opened,
      run('sev1-response', 'simulate'),
      ...[
        'create-channel',
        'initial-message',
        'acknowledge',
        'thread',
        'notify',
        'config-infra-changes',
        'verify-monitoring',
        'update-stakeholders',
        'close-thread',
      ].map((stepId) => inRun('manual.confirmed', { stepId, title: stepId })),
      answered('feature'),
      answered('users'),
      answered('since'),
      inRun('step.finished', { stepId: 'recent-deployments', status: 'passed' }),
      inRun('finding.raised', { stepId: 's', findingId: 'f', message: 'PostgreSQL cannot write: the volume is full' }),
      inRun('mitigation.finished', { stepId: 'm', mitigationId: 'expand', status: 'passed' }),
      inRun('mitigation.verified', { stepId: 'pvc', mitigationId: 'expand', status: 'passed' }),
      inRun('run.finished', { runbook: 'sev1-response', outcome: 'findings' }),
    ];
    for (const c of all) expect(done(c, drill), c.id).toEqual([]);
    // The same for the SEV2 runbook's steps.
    const sev2Drill = drill.map((e) => (e.type === 'run.started' ? run('sev2-response', 'simulate') : e));
    for (const c of all) expect(done(c, sev2Drill), c.id).toEqual([]);
  });

  it('scope questions left at "not yet known", or filled from the default, do not scope the impact', () => {
    const sev2 = shipped.get('sev2')!;
    const base = [opened, run('sev2-response')];
    expect(done(sev2, [...base, answered('feature'), answered('users', 'not yet known'), answered('since', '09:00')])).not.toContain(
      'impact-scoped',
    );
    const fromDefault = inRun('prompt.answered', { stepId: 'scope-users', input: 'users', value: 'EU', source: 'default' });
    expect(done(sev2, [...base, answered('feature'), fromDefault, answered('since', '09:00')])).not.toContain('impact-scoped');
    // Any other way of saying it is not known yet (the prompt itself suggests "unknown").
    for (const nonAnswer of ['unknown', 'Unknown ', 'Not yet known', 'TBD', 'n/a', '?'])
      expect(done(sev2, [...base, answered('feature'), answered('users', nonAnswer), answered('since', '09:00')]), nonAnswer).not.toContain(
        'impact-scoped',
      );
  });

  it('a run whose checks could not see the system, or a triage that could not look everywhere, assessed nothing', () => {
    const sev2 = shipped.get('sev2')!;
    const blind = inRun('run.finished', { runbook: 'blind', outcome: 'failed', findings: 0, uncheckedSteps: ['a'] });
    expect(done(sev2, [opened, run('blind'), blind])).not.toContain('initial-assessment');
    expect(done(sev2, [opened, { type: 'triage.completed', data: { matches: [], complete: false } }])).not.toContain('initial-assessment');
    expect(done(sev2, [opened, run('blind'), inRun('run.finished', { runbook: 'blind', outcome: 'passed' })])).toContain(
      'initial-assessment',
    );
  });

  it('a runbook step of the same id in another runbook proves nothing', () => {
    expect(done(shipped.get('sev1')!, [opened, run('platform-outage'), inRun('manual.confirmed', { stepId: 'create-channel' })])).toEqual([
      'investigation-started',
    ]);
  });

  it('a hand untick wins over a proof and says who unticked it', () => {
    const sev1 = shipped.get('sev1')!;
    const evs: Ev[] = [
      opened,
      { type: 'status.update', data: { status: 'Resolved', impact: 'none', message: 'm' } },
      { type: 'checklist.item', data: { checklist: 'sev1', item: 'all-clear', done: false }, actor: 'erin' },
    ];
    expect(stateOf(sev1, evs).find((i) => i.id === 'all-clear')).toMatchObject({
      done: false,
      by: 'erin',
      evidence: '#3 unticked by hand',
    });
  });
});

describe('the shipped checklists read as the playbook says', () => {
  it('no item text is cut short by a YAML comment ("#incidents")', () => {
    expect(shipped.get('sev2')!.items.find((i) => i.id === 'thread-created')!.text).toBe('Incident thread created in #incidents');
  });
});

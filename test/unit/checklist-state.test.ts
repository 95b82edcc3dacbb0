/**
 * How a checklist item is proven from the record (incident/checklist-state.ts), on a small inline
 * checklist: what a matcher accepts, proofs of several events, the first proof kept, hand ticks and
 * unticks winning, drills proving nothing, and what an open item says to do. The shipped
 * checklists' own proofs are test/unit/checklist-proofs.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import { checklistState, recordCommands } from '../../src/incident/checklist-state.js';
import type { Checklist } from '../../src/incident/checklist.js';
import type { TimelineEvent } from '../../src/timeline/event.js';

const LIST: Checklist = {
  id: 'drill-list',
  title: 'A checklist',
  items: [
    {
      id: 'resolved-said',
      text: 'All-clear posted',
      auto: [{ event: 'status.update', data: { status: 'Resolved' } }],
      record: 'bud-incident update --status Resolved',
    },
    { id: 'assessed', text: 'Assessed', auto: [{ event: 'run.finished', data: { outcome: ['passed', 'findings'] } }] },
    { id: 'triaged', text: 'Triaged everywhere', auto: [{ event: 'triage.completed', not: { complete: false } }] },
    { id: 'cause-noted', text: 'Cause written down', auto: [{ event: 'incident.resolved', has: 'rootCause' }] },
    { id: 'timeline-tagged', text: 'Decision noted', auto: [{ event: 'note.added', tag: 'decision' }] },
    {
      id: 'looked',
      text: 'Dashboard looked at',
      auto: [{ event: 'manual.confirmed', runbook: 'sev2-response', data: { stepId: 'look' } }],
    },
    {
      id: 'fixed-and-verified',
      text: 'Fix applied and verified',
      auto: [
        {
          all: [
            { event: 'mitigation.finished', data: { status: 'passed' } },
            { event: 'mitigation.verified', data: { status: 'passed' } },
          ],
        },
      ],
    },
    { id: 'by-hand', text: 'Customers told' },
  ],
};

/** A record of events: seq from 1, a minute apart from 10:00, by alice unless said otherwise. */
function record(...events: Array<{ type: string; data?: Record<string, unknown>; actor?: string }>): TimelineEvent[] {
  return events.map((e, i) => ({
    seq: i + 1,
    ts: new Date(Date.UTC(2026, 10, 28, 10, i)).toISOString(),
    actor: e.actor ?? 'alice',
    type: e.type,
    data: e.data ?? {},
    prev: '',
    hash: '',
  }));
}
const state = (events: TimelineEvent[]) => Object.fromEntries(checklistState(LIST, events).map((i) => [i.id, i]));
const done = (events: TimelineEvent[]) =>
  checklistState(LIST, events)
    .filter((i) => i.done)
    .map((i) => i.id);

describe('checklist state from the record', () => {
  it('nothing recorded: every item open, each saying how to record it (its command first, a hand tick last)', () => {
    const items = checklistState(LIST, []);
    expect(items.map((i) => i.done)).toEqual(LIST.items.map(() => false));
    expect(items[0]!.record).toEqual(['bud-incident update --status Resolved', 'bud-incident checklist drill-list --check resolved-said']);
    expect(items.at(-1)!.record).toEqual(['bud-incident checklist drill-list --check by-hand']);
    expect(recordCommands(LIST, LIST.items[1]!)).toEqual(['bud-incident checklist drill-list --check assessed']);
  });

  it('text values match trimmed and without case; a list is any one of its values', () => {
    expect(done(record({ type: 'status.update', data: { status: ' resolved ' } }))).toEqual(['resolved-said']);
    expect(done(record({ type: 'status.update', data: { status: 'Resolving' } }))).toEqual([]);
    expect(done(record({ type: 'run.finished', data: { outcome: 'findings' } }))).toEqual(['assessed']);
    expect(done(record({ type: 'run.finished', data: { outcome: 'failed' } }))).toEqual([]);
  });

  it('`not` refuses the value, `has` needs a non-empty field, `tag` a tag of the note', () => {
    expect(done(record({ type: 'triage.completed', data: { complete: false } }))).toEqual([]);
    expect(done(record({ type: 'triage.completed', data: { complete: true } }))).toEqual(['triaged']);
    expect(done(record({ type: 'incident.resolved', data: { rootCause: '' } }))).toEqual([]);
    expect(done(record({ type: 'incident.resolved', data: { rootCause: 'disk full' } }))).toEqual(['cause-noted']);
    expect(done(record({ type: 'note.added', data: { text: 'x', tags: ['other'] } }))).toEqual([]);
    expect(done(record({ type: 'note.added', data: { text: 'x', tags: ['decision'] } }))).toEqual(['timeline-tagged']);
  });

  it('a step proves its item only in a live run of the named runbook, never in a drill', () => {
    const confirm = { type: 'manual.confirmed', data: { runId: 'r1', stepId: 'look' } };
    expect(done(record({ type: 'run.started', data: { runId: 'r1', runbook: 'sev2-response', mode: 'live' } }, confirm))).toEqual([
      'looked',
    ]);
    expect(done(record({ type: 'run.started', data: { runId: 'r1', runbook: 'other', mode: 'live' } }, confirm))).toEqual([]);
    const drill = record(
      { type: 'run.started', data: { runId: 'r1', runbook: 'sev2-response', mode: 'simulate' } },
      confirm,
      { type: 'run.finished', data: { runId: 'r1', outcome: 'passed' } },
      { type: 'mitigation.finished', data: { runId: 'r1', status: 'passed' } },
      { type: 'mitigation.verified', data: { runId: 'r1', status: 'passed' } },
    );
    expect(done(drill)).toEqual([]);
  });

  it('a proof of several events needs all of them, and names each (by #seq, in order)', () => {
    const fix = { type: 'mitigation.finished', data: { status: 'passed' } };
    expect(done(record(fix))).toEqual([]);
    const s = state(record({ type: 'mitigation.verified', data: { status: 'passed' } }, { type: 'note.added', data: { text: 'x' } }, fix));
    expect(s['fixed-and-verified']).toMatchObject({ done: true, auto: true, evidence: '#1 mitigation.verified + #3 mitigation.finished' });
  });

  it('the first proving event is the proof, with who, when (its --at when given) and what it says', () => {
    const s = state(
      record(
        { type: 'status.update', data: { status: 'Resolved', message: 'all clear', at: '2026-11-28T09:55:00Z' }, actor: 'bob' },
        { type: 'status.update', data: { status: 'Resolved', message: 'again' }, actor: 'carol' },
      ),
    );
    expect(s['resolved-said']).toMatchObject({
      done: true,
      auto: true,
      by: 'bob',
      at: '2026-11-28T09:55:00Z',
      evidence: '#1 status.update',
    });
    expect(s['resolved-said']!.record).toBeUndefined();
    const proof = s['resolved-said']!.proof;
    expect(proof?.kind === 'events' && proof.events.map((e) => [e.seq, e.actor, e.type])).toEqual([[1, 'bob', 'status.update']]);
  });

  it('a hand tick wins, and so does a later untick over a proof; ticks of another checklist count for nothing', () => {
    const tick = (item: string, extra: Record<string, unknown> = {}, actor = 'dave') => ({
      type: 'checklist.item',
      data: { checklist: 'drill-list', item, ...extra },
      actor,
    });
    const s = state(
      record(tick('by-hand'), { type: 'status.update', data: { status: 'Resolved' } }, tick('resolved-said', { done: false }, 'erin'), {
        type: 'checklist.item',
        data: { checklist: 'sev1', item: 'assessed' },
      }),
    );
    expect(s['by-hand']).toMatchObject({
      done: true,
      auto: false,
      by: 'dave',
      evidence: '#1 ticked by hand',
      proof: { kind: 'hand', by: 'dave', seq: 1 },
    });
    expect(s['resolved-said']).toMatchObject({ done: false, by: 'erin', evidence: '#3 unticked by hand' });
    expect(s['resolved-said']!.record).toHaveLength(2);
    expect(s.assessed!.done).toBe(false);
  });
});

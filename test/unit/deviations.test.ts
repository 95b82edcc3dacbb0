/**
 * The post-mortem's "what went right and wrong" from a recorded incident: response time, status
 * updates against their cadence (worded as our default unless the policy adopted it), escalations
 * against the matrix, checklist gaps. Incidents are written through the real store on a fixed clock.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { deviations } from '../../src/postmortem/deviations.js';
import { foldIncident } from '../../src/incident/state.js';
import { loadPolicy, type Policy } from '../../src/incident/policy.js';
import { ROOT } from '../support/cli.js';
import { writeIncident } from '../support/incident-fixture.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const ID = '2026-11-28-checkout-errors';
type Step = Parameters<typeof writeIncident>[1][number];

/** A SEV2 (30m response, 1h update cadence by our default, L1 at once, L2 after 15m) opened at 10:00. */
function sev2(...more: Step[]): Step[] {
  return [
    [
      '2026-11-28T10:00:00Z',
      'alice',
      'incident.opened',
      {
        id: ID,
        title: 'Checkout errors',
        severity: 'SEV2',
        channel: `#incident-${ID}`,
        openedAt: '2026-11-28T10:00:00Z',
        source: 'declare',
      },
    ],
    ...more,
  ];
}
const at = (hhmm: string) => `2026-11-28T${hhmm}:00Z`;
const update = (hhmm: string, extra: Record<string, unknown> = {}): Step => [
  at(hhmm),
  'alice',
  'status.update',
  { status: 'Investigating', message: 'update', ...extra },
];
const escalated = (hhmm: string, ...levels: string[]): Step => [at(hhmm), 'alice', 'escalation.recorded', { levels, severity: 'SEV2' }];
const resolved = (hhmm: string): Step => [at(hhmm), 'alice', 'incident.resolved', { rootCause: 'x', resolution: 'y', at: at(hhmm) }];

function judge(steps: Step[], p: Policy = policy, gaps: Array<{ checklist: string; items: string[] }> = []) {
  const { events } = writeIncident(ID, steps);
  return deviations(p, foldIncident(ID, events), gaps);
}
const texts = (ds: ReturnType<typeof deviations>, kind: string) =>
  ds.filter((d) => d.kind === kind).map((d) => `${d.good ? '+' : '-'} ${d.text}`);

describe('deviations', () => {
  it('an incident run by the book says so, for each rule', () => {
    const ds = judge(
      sev2(escalated('10:05', 'L1'), escalated('10:14', 'L2'), update('10:50'), update('11:45', { status: 'Resolved' }), resolved('11:45')),
      policy,
      [{ checklist: 'sev2', items: [] }],
    );
    expect(texts(ds, 'response')).toEqual(['+ Responded in 5m, within the 30m response time for SEV2']);
    expect(texts(ds, 'update')).toEqual(['+ All 2 status update(s) went out within our 1h default for SEV2']);
    expect(texts(ds, 'escalation')).toEqual(['+ Escalations followed the matrix (L1, L2)']);
    expect(texts(ds, 'checklist')).toEqual(['+ sev2 checklist complete']);
  });

  it('a late update is worded against our default cadence, not as a breach of the playbook', () => {
    const ds = judge(sev2(escalated('10:05', 'L1', 'L2'), update('10:20'), update('11:40'), resolved('11:50')));
    expect(texts(ds, 'update')).toEqual(['- No update for 80m (10:20–11:40 UTC) against our 1h default for SEV2']);
  });

  it("when the organisation adopted the cadence, a late update is against the policy's cadence", () => {
    const adopted: Policy = { ...policy, updates: { ...policy.updates!, source: 'policy' } };
    const ds = judge(sev2(escalated('10:05', 'L1', 'L2'), update('10:20'), update('11:40'), resolved('11:50')), adopted);
    expect(texts(ds, 'update')).toEqual(["- No update for 80m (10:20–11:40 UTC) against the policy's 1h cadence for SEV2"]);
  });

  it('within the grace is not late; an announced next update is what the next one is held to', () => {
    // Due 11:20 (10:20 + 1h), 5m grace: 11:25 is on time.
    expect(texts(judge(sev2(update('10:20'), update('11:25'), resolved('11:30'))), 'update')).toEqual([
      '+ All 2 status update(s) went out within our 1h default for SEV2',
    ]);
    const ds = judge(sev2(update('10:20', { nextUpdateAt: at('10:40') }), update('11:00'), resolved('11:10')));
    expect(texts(ds, 'update')).toEqual(['- No update for 40m (10:20–11:00 UTC) against the next update announced for 10:40 UTC']);
  });

  it('silence after the last update until resolution counts, and so does no update at all', () => {
    expect(texts(judge(sev2(update('10:20'), resolved('12:00'))), 'update')).toEqual([
      '- No update for 100m after 10:20 UTC (until resolution at 12:00 UTC) against our 1h default for SEV2',
    ]);
    expect(texts(judge(sev2(escalated('10:05', 'L1'), resolved('11:30'))), 'update')).toEqual([
      '- No status update was posted in 90m, against our 1h default for SEV2',
    ]);
  });

  it('the all-clear is the last update due, until the incident is reopened: then the cadence runs from the reopening', () => {
    const allClear = update('10:50', { status: 'Resolved' });
    expect(texts(judge(sev2(update('10:20'), allClear, resolved('10:50'))), 'update')).toEqual([
      '+ All 2 status update(s) went out within our 1h default for SEV2',
    ]);
    const reopened: Step = [at('12:00'), 'alice', 'incident.reopened', { reason: 'errors again' }];
    expect(
      texts(judge(sev2(update('10:20'), allClear, resolved('10:50'), reopened, update('13:30'), resolved('13:40'))), 'update'),
    ).toEqual(['- No update for 90m (12:00–13:30 UTC) against our 1h default for SEV2']);
  });

  it('a late or missing response, a late or missing escalation, and checklist gaps are named', () => {
    const ds = judge(sev2(escalated('10:45', 'L1'), update('10:50'), resolved('11:00')), policy, [
      { checklist: 'sev2', items: ['Status page updated', 'Customer support informed'] },
    ]);
    expect(texts(ds, 'response')).toEqual(['- Responded after 45m, beyond the 30m response time for SEV2 (deadline 10:30 UTC)']);
    expect(texts(ds, 'escalation')).toEqual([
      '- L1 (On-call engineer) engaged at 10:45 UTC, 45m after it was due (SEV2 immediately)',
      '- L2 (Team lead) was due at 10:15 UTC (SEV2 + 15m) and was never recorded as engaged',
    ]);
    expect(texts(ds, 'checklist')).toEqual(['- sev2 checklist items never done: Status page updated; Customer support informed']);
  });
});

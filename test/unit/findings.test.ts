/**
 * judgeFindings (src/incident/findings.ts) on drills: a simulated run is foreign to a live incident
 * (its findings are set aside as `drill`), but a drill incident is judged against itself: its own
 * simulated findings stand, are refuted or fixed by its own later checks, and are marked simulated.
 */
import { describe, expect, it } from 'vitest';
import { judgeFindings } from '../../src/incident/findings.js';
import type { TimelineEvent } from '../../src/timeline/event.js';

function timeline(drill: boolean): TimelineEvent[] {
  const rows: Array<[string, Record<string, unknown>]> = [
    ['incident.opened', { title: 't', severity: 'SEV1', ...(drill ? { drill: true } : {}) }],
    ['run.started', { runId: 'd1', runbook: 'database-failure', mode: 'simulate', scenario: 'storage' }],
    ['step.finished', { runId: 'd1', stepId: 'pvc', status: 'failed' }],
    ['finding.raised', { runId: 'd1', stepId: 'pvc', findingId: 'full', message: 'the volume is full' }],
    ['step.finished', { runId: 'd1', stepId: 'pods', status: 'failed' }],
    ['finding.raised', { runId: 'd1', stepId: 'pods', findingId: 'crash', message: 'postgres is crash-looping' }],
    // The drill's own re-check of the pods passes with nothing applied: a false alarm within the drill.
    ['run.started', { runId: 'd2', runbook: 'database-failure', mode: 'simulate', scenario: 'healthy' }],
    ['step.finished', { runId: 'd2', stepId: 'pods', status: 'passed' }],
  ];
  return rows.map(([type, data], i) => ({ seq: i + 1, ts: `2026-01-01T10:0${i}:00.000Z`, type, data }) as unknown as TimelineEvent);
}

describe('findings of simulated runs', () => {
  it('in a live incident are set aside as from a drill, and settle nothing', () => {
    const f = judgeFindings(timeline(false));
    expect(f.map((x) => [x.message, x.verdict])).toEqual([
      ['the volume is full', 'drill'],
      ['postgres is crash-looping', 'drill'],
    ]);
  });

  it("in a drill incident are the drill's own: judged by its own checks, marked simulated", () => {
    const f = judgeFindings(timeline(true));
    expect(f.map((x) => [x.message, x.verdict, x.simulated])).toEqual([
      ['the volume is full', 'stands', true],
      ['postgres is crash-looping', 'refuted', true],
    ]);
  });
});

/** Events at 10:00, 10:01, ... in the order given (seq 1, 2, ...); `at` in data backdates one. */
function events(rows: Array<[string, Record<string, unknown>]>): TimelineEvent[] {
  return rows.map(
    ([type, data], i) =>
      ({ seq: i + 1, ts: `2026-01-01T10:${String(i).padStart(2, '0')}:00.000Z`, actor: 'alice', type, data }) as unknown as TimelineEvent,
  );
}
const check = (runId: string, command: string, status: 'passed' | 'failed'): Array<[string, Record<string, unknown>]> => [
  ['step.started', { runId, stepId: 'pods', kind: 'check', command }],
  ['step.finished', { runId, stepId: 'pods', status, command }],
];
const raised = (runId: string): [string, Record<string, unknown>] => [
  'finding.raised',
  { runId, stepId: 'pods', findingId: 'crash', message: 'crash-looping' },
];

describe('what settles a live finding', () => {
  const opened: [string, Record<string, unknown>] = ['incident.opened', { title: 't', severity: 'SEV1' }];
  const run = (runId: string): [string, Record<string, unknown>] => ['run.started', { runId, runbook: 'svc-check', mode: 'live' }];

  it('a pass of the same step of another target (another native display) settles nothing', () => {
    const f = judgeFindings(
      events([
        opened,
        run('r1'),
        ...check('r1', '[kubernetes API] pods in checkout', 'failed'),
        raised('r1'),
        run('r2'),
        ...check('r2', '[kubernetes API] pods in search', 'passed'),
      ]),
    );
    expect(f.map((x) => x.verdict)).toEqual(['stands']);
  });

  it('a mitigation done by hand in another run, between the finding and the pass, fixed it', () => {
    const f = judgeFindings(
      events([
        opened,
        run('r1'),
        ...check('r1', 'kubectl get pods -n checkout', 'failed'),
        raised('r1'),
        run('m'),
        ['mitigation.finished', { runId: 'm', stepId: 'x', mitigationId: 'restart', status: 'passed', manual: true }],
        run('r2'),
        ...check('r2', 'kubectl get pods -n checkout', 'passed'),
      ]),
    );
    expect(f.map((x) => [x.verdict, x.why])).toEqual([
      ['fixed', 'cleared after mitigation restart (done by hand) (10:06 UTC): the check passed at 10:09 UTC'],
    ]);
  });

  it('"milestone mitigated" recorded after the pass but dated (--at) between the finding and it: fixed', () => {
    const rows = events([
      opened,
      run('r1'),
      ...check('r1', 'kubectl get pods -n checkout', 'failed'),
      raised('r1'),
      run('r2'),
      ...check('r2', 'kubectl get pods -n checkout', 'passed'),
      ['milestone.recorded', { name: 'mitigated', at: '2026-01-01T10:05:30.000Z' }],
    ]);
    expect(judgeFindings(rows.slice(0, -1)).map((x) => x.verdict)).toEqual(['refuted']);
    expect(judgeFindings(rows).map((x) => [x.verdict, x.why])).toEqual([
      ['fixed', 'cleared after milestone mitigated (alice) (10:05 UTC): the check passed at 10:07 UTC'],
    ]);
    // Dated before the finding, it mitigated nothing that was found: still refuted.
    rows[rows.length - 1]!.data.at = '2026-01-01T09:59:00.000Z';
    expect(judgeFindings(rows).map((x) => x.verdict)).toEqual(['refuted']);
  });
});

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

/**
 * Whole incidents written through the real timeline store with a manual clock, for post-mortem
 * snapshots: a SEV1 database outage and a SEV2 bad deployment, from detection to resolution.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/adapters/clock.js';
import { TimelineStore, readEvents } from '../../src/timeline/store.js';
import type { TimelineEvent } from '../../src/timeline/event.js';

type Step = [time: string, actor: string, type: string, data: Record<string, unknown>];

export function writeIncident(id: string, steps: Step[]): { dir: string; path: string; events: TimelineEvent[] } {
  const dir = join(mkdtempSync(join(tmpdir(), 'pm-')), id);
  const clock = new ManualClock(steps[0]![0]);
  const store = new TimelineStore(dir, 'unused', () => clock.now());
  mkdirSync(dir, { recursive: true });
  for (const [time, actor, type, data] of steps) {
    clock.set(time);
    store.appendRaw([{ type, data, actor }]);
  }
  return { dir, path: store.path, events: [...readEvents(store.path)] };
}

const run = 'r-034400-a1b2c3';
const artifact = (step: string, sha: string) => ({
  path: `artifacts/${run}/${step}.stdout.txt`,
  sha256: sha,
  bytes: 120,
  truncated: false,
  totalBytes: 120,
});

export const SEV1_ID = '2026-11-28-api-returning-500s-on-every-endpoint';

/** A SEV1: PostgreSQL's volume fills up, every endpoint fails; detected 03:32, declared 03:40, resolved 04:52. */
export function sev1Steps(): Step[] {
  return [
    [
      '2026-11-28T03:40:00Z',
      'alice',
      'incident.opened',
      {
        id: SEV1_ID,
        title: 'API returning 500s on every endpoint',
        severity: 'SEV2',
        channel: `#incident-${SEV1_ID}`,
        openedAt: '2026-11-28T03:40:00Z',
        detectedAt: '2026-11-28T03:32:00Z',
        detectedBy: { source: 'alert', detail: 'PagerDuty BudAPI5xxRate' },
        source: 'declare',
        commander: 'alice',
        summary: 'Every Bud API endpoint returned HTTP 500 for 80 minutes because PostgreSQL stopped accepting writes',
        impact: 'Some API requests failing',
      },
    ],
    ['2026-11-28T03:41:00Z', 'alice', 'role.assigned', { role: 'scribe', person: 'erin' }],
    ['2026-11-28T03:43:00Z', 'alice', 'escalation.recorded', { levels: ['L1'], severity: 'SEV2' }],
    [
      '2026-11-28T03:44:00Z',
      'bob',
      'run.started',
      {
        runId: run,
        runbook: 'platform-outage',
        title: 'Platform outage',
        file: 'runbooks/platform-outage.yaml',
        mode: 'live',
        vars: { namespace: 'bud-system' },
        steps: 14,
      },
    ],
    [
      '2026-11-28T03:44:05Z',
      'bob',
      'finding.raised',
      {
        runId: run,
        stepId: 'pods',
        findingId: 'pods-crashlooping',
        message:
          'Pods in bud-system are crashing: budapp-7d9f8c6b5-x2k4p 1/2 CrashLoopBackOff 7 (42s ago); budapp-7d9f8c6b5-m8n2q 1/2 CrashLoopBackOff 7 (38s ago)',
        detail: '2 line(s) match',
        next: [],
        evidence: { lines: [], artifact: artifact('pods', '347cba0906dd5084e0f1c2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7') },
      },
    ],
    [
      '2026-11-28T03:44:06Z',
      'bob',
      'finding.raised',
      {
        runId: run,
        stepId: 'postgres',
        findingId: 'postgres-not-ready',
        message: 'PostgreSQL (bud-data/postgresql-0) is not accepting connections: /var/run/postgresql:5432 - no response',
        detail: 'expected a line matching /accepting connections/',
        cause: { id: 'database-failure', title: 'Database failure', runbook: 'database-failure' },
        next: [],
        evidence: { lines: [], artifact: artifact('postgres', '7c926b87e40b26ec11d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4') },
      },
    ],
    [
      '2026-11-28T03:44:10Z',
      'bob',
      'run.finished',
      { runId: run, runbook: 'platform-outage', outcome: 'findings', findings: 2, failedSteps: [], durationMs: 9800, suggestions: [] },
    ],
    [
      '2026-11-28T03:46:00Z',
      'alice',
      'severity.changed',
      { from: 'SEV2', to: 'SEV1', reason: 'every endpoint fails: platform completely unavailable' },
    ],
    ['2026-11-28T03:47:00Z', 'alice', 'role.assigned', { role: 'tech-lead', person: 'bob' }],
    ['2026-11-28T03:47:30Z', 'alice', 'escalation.recorded', { levels: ['L2'], severity: 'SEV1' }],
    [
      '2026-11-28T03:50:00Z',
      'carol',
      'status.update',
      {
        status: 'Investigating',
        impact: 'All API requests failing (100%)',
        message:
          '=== SEV1 INCIDENT UPDATE ===\nTime: 03:50 UTC\nStatus: Investigating\n\nCurrent Impact:\n- All API requests failing (100%)\n\nWhat We Know:\n- PostgreSQL (bud-data/postgresql-0) is not accepting connections\n\nCurrent Actions:\n- Checking the database volume\n\nNext Update: 04:20 UTC',
        nextUpdateAt: '2026-11-28T04:20:00Z',
      },
    ],
    [
      '2026-11-28T03:58:00Z',
      'erin',
      'note.added',
      { text: 'PostgreSQL PANIC: could not write to file "pg_wal/xlogtemp.1": No space left on device', tags: ['root-cause'] },
    ],
    [
      '2026-11-28T04:02:00Z',
      'erin',
      'note.added',
      { text: 'The database-failure runbook pointed at the full volume within a minute', tags: ['went-well'], at: '2026-11-28T03:59:00Z' },
    ],
    [
      '2026-11-28T04:10:00Z',
      'bob',
      'mitigation.approved',
      { runId: 'r-041000-d4e5f6', stepId: 'offer-storage', mitigationId: 'grow-volume', how: 'typed-yes' },
    ],
    [
      '2026-11-28T04:15:00Z',
      'bob',
      'mitigation.finished',
      { runId: 'r-041000-d4e5f6', stepId: 'offer-storage', mitigationId: 'grow-volume', status: 'passed', manual: true },
    ],
    ['2026-11-28T04:25:00Z', 'alice', 'escalation.recorded', { levels: ['L3'], severity: 'SEV1' }],
    [
      '2026-11-28T04:31:00Z',
      'carol',
      'status.update',
      {
        status: 'Monitoring',
        impact: 'Requests succeeding again; error rate back under 0.1%',
        message:
          '=== SEV1 INCIDENT UPDATE ===\nTime: 04:31 UTC\nStatus: Monitoring\n\nCurrent Impact:\n- Requests succeeding again; error rate back under 0.1%\n\nWhat We Know:\n- The PostgreSQL data volume was full\n\nCurrent Actions:\n- Applied: grow-volume\n\nNext Update: 05:01 UTC',
        nextUpdateAt: '2026-11-28T05:01:00Z',
      },
    ],
    [
      '2026-11-28T04:35:00Z',
      'erin',
      'note.added',
      { text: 'Nobody was paged for the disk filling up over six hours', tags: ['went-wrong'] },
    ],
    [
      '2026-11-28T04:36:00Z',
      'erin',
      'note.added',
      { text: 'Volume usage needs an alert well before it is full; WAL can grow fast when a replication slot stalls', tags: ['lesson'] },
    ],
    [
      '2026-11-28T04:40:00Z',
      'alice',
      'action.added',
      { id: 'A1', text: 'Alert when a PostgreSQL volume passes 80%', owner: 'bob', due: '2026-12-05' },
    ],
    [
      '2026-11-28T04:41:00Z',
      'alice',
      'action.added',
      { id: 'A2', text: 'Drop stale replication slots automatically', owner: 'dana', due: '2026-12-12' },
    ],
    ['2026-11-28T04:44:00Z', 'alice', 'checklist.item', { checklist: 'sev1', item: 'fix-verified', done: true }],
    [
      '2026-11-28T04:51:00Z',
      'alice',
      'incident.updated',
      { usersAffected: 'about 3,400 (every active user)', requestsFailed: 'about 1.9 million (all requests from 03:32 to 04:15)' },
    ],
    [
      '2026-11-28T04:52:00Z',
      'alice',
      'incident.resolved',
      {
        rootCause: 'The PostgreSQL data volume filled up: a stalled replication slot kept WAL from being recycled',
        resolution:
          'Expanded the volume from 100Gi to 200Gi and dropped the stalled slot; PostgreSQL recovered and the services reconnected',
        at: '2026-11-28T04:52:00Z',
        postmortemRequired: true,
        postmortemDue: '2026-11-30T04:52:00.000Z',
      },
    ],
  ];
}

export const SEV2_ID = '2026-11-28-deployments-page-fails-for-some-users';

/** A SEV2: a release breaks the deployments page for some users; rolled back. */
export function sev2Steps(): Step[] {
  const r = 'r-101500-0a0b0c';
  return [
    [
      '2026-11-28T10:10:00Z',
      'frank',
      'incident.opened',
      {
        id: SEV2_ID,
        title: 'Deployments page fails for some users',
        severity: 'SEV2',
        channel: `#incident-${SEV2_ID}`,
        openedAt: '2026-11-28T10:10:00Z',
        source: 'declare',
      },
    ],
    [
      '2026-11-28T10:15:00Z',
      'frank',
      'run.started',
      { runId: r, runbook: 'sev2-response', title: 'SEV2 response', file: 'x', mode: 'live', vars: { service: 'budapp' }, steps: 20 },
    ],
    [
      '2026-11-28T10:15:20Z',
      'frank',
      'prompt.answered',
      { runId: r, stepId: 'scope-feature', input: 'feature', value: 'deployments page', source: 'prompt' },
    ],
    [
      '2026-11-28T10:16:00Z',
      'frank',
      'finding.raised',
      {
        runId: r,
        stepId: 'recent-deployments',
        findingId: 'recent-rollout',
        message: 'budapp was rolled out recently — a likely trigger: RecentRollout: revision 43 rolled out 20m ago',
        detail: 'x',
        cause: { id: 'bad-deployment', title: 'Recent deployment' },
        next: [],
        evidence: { lines: [] },
      },
    ],
    [
      '2026-11-28T10:20:00Z',
      'frank',
      'mitigation.approved',
      { runId: r, stepId: 'fix-rollback', mitigationId: 'rollout-undo', how: 'typed-yes' },
    ],
    [
      '2026-11-28T10:20:05Z',
      'frank',
      'mitigation.finished',
      { runId: r, stepId: 'fix-rollback', mitigationId: 'rollout-undo', status: 'passed', manual: false, exitCode: 0 },
    ],
    [
      '2026-11-28T10:21:00Z',
      'frank',
      'run.finished',
      { runId: r, runbook: 'sev2-response', outcome: 'findings', findings: 1, failedSteps: [], durationMs: 360000, suggestions: [] },
    ],
    [
      '2026-11-28T10:45:00Z',
      'frank',
      'incident.resolved',
      {
        rootCause: 'Release 3.20.0 read a field (gpu_type) that older deployments do not have',
        resolution: 'Rolled budapp back to revision 42',
        at: '2026-11-28T10:45:00Z',
        postmortemRequired: true,
        postmortemDue: '2026-12-05T10:45:00.000Z',
      },
    ],
  ];
}

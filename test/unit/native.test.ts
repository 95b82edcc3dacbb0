/**
 * Native Kubernetes checks as pure functions of API objects and a fixed "now": what a responder
 * reads in a finding (pod/container, reason, restarts, node, since when and how long ago).
 */
import { describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import {
  certificateReport,
  clockReport,
  formatPodProblem,
  nodesReport,
  podProblems,
  podsReport,
  rolloutReport,
  warningEventsReport,
} from '../../src/engine/native.js';

const NOW = new Date('2026-11-28T04:00:00Z');

function pod(name: string, status: V1Pod['status'], extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { namespace: 'bud-system', name, ...extra }, spec: { nodeName: 'worker-1', containers: [] }, status };
}

const oomLooping = pod('budapp-1', {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'False' }],
  containerStatuses: [
    {
      name: 'budapp',
      ready: false,
      restartCount: 12,
      image: 'budapp:43',
      imageID: '',
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date('2026-11-28T03:58:55Z') } },
    },
  ],
});

describe('native pod checks', () => {
  it('OOMKilled behind CrashLoopBackOff says since when and how long ago, on the injected clock', () => {
    const lines = podProblems([oomLooping]).map((p) => formatPodProblem(p, NOW));
    expect(lines).toEqual([
      'bud-system/budapp-1/budapp: CrashLoopBackOff (restarts 12, on worker-1, since 2026-11-28T03:58:55Z (65s ago)) — last terminated OOMKilled (exit 137) at 2026-11-28T03:58:55Z',
      'bud-system/budapp-1/budapp: OOMKilled (restarts 12, on worker-1, since 2026-11-28T03:58:55Z (65s ago)) — the container ran out of memory',
    ]);
  });

  it('ages read in the unit that suits them: seconds, minutes, hours, days', () => {
    const since = (iso: string) => formatPodProblem({ namespace: 'n', pod: 'p', reason: 'NotReady', restarts: 0, since: iso }, NOW);
    expect(since('2026-11-28T03:58:01Z')).toBe('n/p: NotReady (since 2026-11-28T03:58:01Z (119s ago))');
    expect(since('2026-11-28T03:58:00Z')).toBe('n/p: NotReady (since 2026-11-28T03:58:00Z (2m ago))');
    expect(since('2026-11-28T01:00:00Z')).toBe('n/p: NotReady (since 2026-11-28T01:00:00Z (3h ago))');
    expect(since('2026-11-20T04:00:00Z')).toBe('n/p: NotReady (since 2026-11-20T04:00:00Z (8d ago))');
    // A clock behind the object never says "-5s ago".
    expect(since('2026-11-28T04:00:05Z')).toContain('(0s ago)');
  });

  it('names every kind of problem kubectl STATUS hides (a Pending pod by why its container waits), nothing for healthy or finished pods', () => {
    const running = (name: string, extra: Partial<NonNullable<V1Pod['status']>> = {}, restartCount = 0) =>
      pod(name, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount, image: 'x', imageID: '', state: { running: {} } }],
        ...extra,
      });
    const problems = podProblems(
      [
        running('healthy'),
        pod('done', { phase: 'Succeeded' }),
        pod('starting', {
          phase: 'Pending',
          containerStatuses: [
            { name: 'app', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } },
          ],
        }),
        pod('pulling', {
          phase: 'Pending',
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 0,
              image: 'x',
              imageID: '',
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
            },
          ],
        }),
        pod('unscheduled', {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: 3 Insufficient memory.' }],
        }),
        pod('evicted', { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }),
        running('flapping', {}, 9),
        running('unready', { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date('2026-11-28T03:50:00Z') }] }),
        running('stuck', {}, 0),
      ].map((p) =>
        p.metadata?.name === 'stuck' ? { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date('2026-11-28T03:00:00Z') } } : p,
      ),
    );
    expect(problems.map((p) => `${p.pod} ${p.reason}${p.detail ? ` — ${p.detail}` : ''}`)).toEqual([
      'starting Pending — not scheduled or not started yet',
      'pulling ImagePullBackOff — Back-off pulling image',
      'unscheduled Pending — 0/3 nodes are available: 3 Insufficient memory.',
      'evicted Evicted — The node was low on resource: memory.',
      'flapping HighRestarts — 9 restarts',
      'unready NotReady — running but failing its readiness probe',
      'stuck Terminating — stuck deleting: its node may be unreachable',
    ]);
  });

  it('a pods report counts healthy pods and says when no pod matches', () => {
    expect(podsReport([oomLooping], 'bud-system', 'app=budapp', NOW).split('\n')[0]).toBe(
      'pods in bud-system (app=budapp): 1 total, 0 healthy',
    );
    expect(podsReport([], 'bud-data', 'app=postgresql', NOW)).toBe('bud-data (app=postgresql): NoPods — no pod matches\n');
  });

  it('warning events: only warnings within the window, newest first, with their count', () => {
    const ev = (name: string, type: string, at: string, count = 1): CoreV1Event => ({
      metadata: {},
      involvedObject: { kind: 'Pod', name },
      type,
      reason: 'BackOff',
      message: `restarting ${name}`,
      lastTimestamp: new Date(at),
      count,
    });
    const report = warningEventsReport(
      [
        ev('old', 'Warning', '2026-11-28T03:00:00Z'),
        ev('a', 'Warning', '2026-11-28T03:50:00Z'),
        ev('b', 'Warning', '2026-11-28T03:55:00Z', 4),
        ev('n', 'Normal', '2026-11-28T03:59:00Z'),
      ],
      'bud-system',
      30 * 60_000,
      NOW,
    );
    expect(report).toBe(
      'warning events in bud-system in the last 30m: 2\n2026-11-28T03:55:00Z Pod/b BackOff: restarting b (x4)\n2026-11-28T03:50:00Z Pod/a BackOff: restarting a\n',
    );
  });

  it('nodes: NotReady with since when, and pressure conditions', () => {
    const node = (name: string, conditions: NonNullable<V1Node['status']>['conditions']): V1Node => ({
      metadata: { name },
      status: { conditions },
    });
    expect(
      nodesReport(
        [
          node('worker-1', [{ type: 'Ready', status: 'True' }]),
          node('worker-2', [
            { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', lastTransitionTime: new Date('2026-11-28T03:45:00Z') },
            { type: 'DiskPressure', status: 'True' },
          ]),
        ],
        NOW,
      ),
    ).toBe('nodes: 2\nworker-2: NotReady (NodeStatusUnknown, since 2026-11-28T03:45:00Z (15m ago))\nworker-2: DiskPressure\n');
  });

  it('a rollout: the new ReplicaSet, whether it is recent, its failing pods, and the previous one', () => {
    const rs = (name: string, revision: number, created: string, cause?: string): V1ReplicaSet => ({
      metadata: {
        name,
        creationTimestamp: new Date(created),
        labels: { 'pod-template-hash': name.split('-')[1]! },
        annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(cause ? { 'kubernetes.io/change-cause': cause } : {}) },
        ownerReferences: [{ uid: 'd1', name: 'budapp', kind: 'Deployment', apiVersion: 'apps/v1' }],
      },
    });
    const deployment: V1Deployment = {
      metadata: { name: 'budapp', uid: 'd1', annotations: { 'deployment.kubernetes.io/revision': '43' } },
      spec: { replicas: 2, selector: {}, template: {} },
      status: { readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    };
    const failing = { ...oomLooping, metadata: { ...oomLooping.metadata, labels: { 'pod-template-hash': 'new' } } };
    const report = rolloutReport(
      deployment,
      [rs('budapp-old', 42, '2026-11-20T00:00:00Z'), rs('budapp-new', 43, '2026-11-28T03:54:00Z', 'helm upgrade bud 3.19.0')],
      [failing],
      NOW,
    );
    expect(report.split('\n')).toEqual([
      'deployment/budapp revision 43: 1/2 ready, 1 updated, 1 available',
      'new ReplicaSet budapp-new (revision 43, created 2026-11-28T03:54:00Z, 6m ago): helm upgrade bud 3.19.0',
      'RecentRollout: revision 43 rolled out 6m ago',
      expect.stringMatching(
        /^RolloutFailing: pods of the new ReplicaSet budapp-new fail: bud-system\/budapp-1\/budapp: CrashLoopBackOff .*; bud-system\/budapp-1\/budapp: OOMKilled /,
      ),
      'previous ReplicaSet budapp-old (revision 42)',
      '',
    ]);
    // An old rollout is not "recent".
    expect(rolloutReport(deployment, [rs('budapp-new', 43, '2026-11-28T02:00:00Z')], [], NOW)).not.toContain('RecentRollout');
  });

  it('certificates: expired, expiring soon (in hours, in days), not yet valid, untrusted', () => {
    const cert = (validFrom: string, validTo: string, authorizationError?: string) => ({
      subject: 'CN=api',
      issuer: 'CN=ca',
      validFrom,
      validTo,
      authorized: !authorizationError,
      ...(authorizationError ? { authorizationError } : {}),
    });
    const week = 7 * 86_400_000;
    const lines = (c: ReturnType<typeof cert>) => certificateReport('https://127.0.0.1:1', c, NOW, week).trim().split('\n').slice(1);
    expect(lines(cert('2026-01-01T00:00:00Z', '2026-11-28T03:00:00Z', 'CERT_HAS_EXPIRED'))).toEqual([
      'CertificateExpired: expired 2026-11-28T03:00:00Z (60m ago)',
    ]);
    expect(lines(cert('2026-01-01T00:00:00Z', '2026-11-28T10:00:00Z'))).toEqual([
      'CertificateExpiringSoon: expires 2026-11-28T10:00:00Z (in 6h)',
    ]);
    expect(lines(cert('2026-01-01T00:00:00Z', '2026-12-01T04:00:00Z'))).toEqual([
      'CertificateExpiringSoon: expires 2026-12-01T04:00:00Z (in 3d)',
    ]);
    expect(lines(cert('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'))).toEqual([]);
    expect(lines(cert('2026-11-29T00:00:00Z', '2027-01-01T00:00:00Z', 'SELF_SIGNED_CERT_IN_CHAIN'))).toEqual([
      'CertificateNotYetValid: valid only from 2026-11-29T00:00:00Z (local clock behind, or a bad certificate)',
      'CertificateUntrusted: SELF_SIGNED_CERT_IN_CHAIN',
    ]);
  });

  it('clock skew beyond the allowance (plus the Date header’s second and half the round trip), either way', () => {
    const report = (server: string, roundTripMs = 200) =>
      clockReport('https://127.0.0.1:1', { serverDate: server, localMid: NOW.toISOString(), roundTripMs }, 30_000);
    expect(report('2026-11-28T04:00:31Z')).not.toContain('ClockSkew');
    expect(report('2026-11-28T04:00:32Z')).toContain('ClockSkew: the server is 32s ahead of this machine');
    expect(report('2026-11-28T03:59:00Z')).toContain('ClockSkew: the server is 60s behind this machine');
  });
});

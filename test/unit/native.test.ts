/**
 * Native Kubernetes checks as pure functions of API objects and a fixed "now": what a responder
 * reads in a finding (pod/container, reason, restarts, node, since when and how long ago).
 */
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { formatPodProblem, podProblems } from '../../src/engine/native.js';

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
});

/**
 * The judgement alone (no server, no CLI) on every corpus cluster: the causes it names, the runbook
 * triage puts first, and no cause at all on healthy clusters and confounders. The same corpus runs
 *  end to end through the binary in test/corpus/corpus-runs.e2e.ts (npm run test:corpus).
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/analyze.js';
import { decideTriage } from '../../src/incident/triage.js';
import { join } from 'node:path';
import { loadPolicy } from '../../src/incident/policy.js';
import { ROOT } from '../support/cli.js';
import type { Read, Snapshot } from '../../src/diagnosis/snapshot.js';
import { CORPUS } from '../corpus/clusters.js';
import { snapshotOf } from '../support/snapshot.js';
import type { BuiltCase } from '../corpus/types.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));

const NOW = new Date('2026-11-28T04:00:00Z');

function snapshot(b: BuiltCase): Snapshot {
  const failing: Record<string, { code: number; reason: string }> = {};
  for (const ns of b.options?.forbiddenNamespaces ?? [])
    failing[ns] = { code: 403, reason: `the Kubernetes API refused access (403 Forbidden): pods is forbidden in ${ns}` };
  const s = snapshotOf(b.cluster, NOW, { failing, ...(b.workload && b.workload !== 'unreachable' ? { workload: b.workload } : {}) });
  if (b.options?.serverError) {
    const err: Read<never> = {
      ok: false,
      reason: `the Kubernetes API answered HTTP ${b.options.serverError.code}: ${b.options.serverError.message}`,
      code: b.options.serverError.code,
    };
    s.controlPlane.nodes = err;
    for (const n of Object.values(s.controlPlane.namespaces))
      Object.assign(n, { pods: err, events: err, deployments: err, replicaSets: err });
  }
  if (b.workload === 'unreachable') {
    const err: Read<never> = {
      ok: false,
      reason: 'the Kubernetes API server of context "gpu-east" cannot be reached (connect ECONNREFUSED 127.0.0.1:1)',
    };
    s.workload = {
      name: 'gpu-east',
      nodes: err,
      namespaces: { 'bud-workloads': { pods: err, events: err, deployments: err, replicaSets: err } },
      logs: {},
    };
  }
  if (b.keycloak) {
    const url = 'https://keycloak.bud.example';
    const expired = b.keycloak.certificate === 'expired';
    s.probes.tls = {
      url,
      result: {
        ok: true,
        value: {
          subject: 'keycloak.bud.example',
          issuer: 'bud CA',
          validFrom: new Date(NOW.getTime() - 90 * 86_400_000).toISOString(),
          validTo: new Date(NOW.getTime() + (expired ? -86_400_000 : 60 * 86_400_000)).toISOString(),
          authorized: !expired,
          ...(expired ? { authorizationError: 'CERT_HAS_EXPIRED' } : {}),
        },
      },
    };
    s.probes.clock = {
      url,
      result: {
        ok: true,
        value: {
          serverDate: new Date(NOW.getTime() + (b.keycloak.skewSeconds ?? 0) * 1000).toUTCString(),
          localMid: NOW.toISOString(),
          roundTripMs: 4,
        },
      },
    };
  }
  if (b.platformApi)
    s.probes.endpoints = {
      url: 'https://api.bud.example',
      result: { ok: true, value: { status: b.platformApi.status, ...(b.platformApi.endpoints ? { list: b.platformApi.endpoints } : {}) } },
    };
  return s;
}

const rows = CORPUS.map((c) => {
  const d = diagnose(snapshot(c.build(NOW)));
  const t = decideTriage(d, policy);
  const named = new Set(d.causes.map((x) => x.id));
  const roots = d.causes.filter((x) => !x.explainedBy).map((x) => x.id);
  return { c, d, t, named, roots };
});

describe('the diagnosis on the corpus (pure)', () => {
  it.each(rows.map((r) => [r.c.id, r] as const))('%s', (_id, { c, d, t, named, roots }) => {
    const why = JSON.stringify(
      {
        roots: d.causes.map((x) => `${x.id} ${x.subject}${x.explainedBy ? ` <- ${x.explainedBy}` : ''}`),
        unchecked: d.unchecked.map((u) => u.what),
        unexplained: d.unexplained,
      },
      null,
      1,
    );
    for (const cause of c.expect.causes) expect(named.has(cause), `${cause} not named; ${why}`).toBe(true);
    for (const cause of c.expect.notCauses ?? []) expect(roots.includes(cause), `${cause} falsely blamed; ${why}`).toBe(false);
    if (c.class !== 'failure') {
      expect(d.causes, `false alarm on a ${c.class} cluster; ${why}`).toEqual([]);
      expect(d.unexplained, why).toEqual([]);
    }
    if (c.expect.runbook) expect(t.matches[0]?.runbook ?? t.followUps[0]?.runbook, why).toBe(c.expect.runbook);
    for (const u of c.expect.unchecked ?? [])
      expect(d.unchecked.map((x) => `${x.what} ${x.reason}`).join('\n'), why).toContain(u === 'workload' ? 'gpu-east' : u);
  });
});

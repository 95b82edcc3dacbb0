/**
 * The corpus end to end, through the built binary with the real kubectl: on every cluster, triage
 * and the runbooks a responder would reach for (platform-outage, database-failure, sev1-response,
 * and the one triage names first). Prints the confusion table (cause named / missed / false alarm /
 * wrong mitigation) and fails on any wrong mitigation, false alarm or missed cause.
 *
 * A false alarm: any finding or mitigation on a healthy or confounder cluster, or a root cause the
 * case says would be a false accusation. A wrong mitigation: one the case forbids (on a healthy or
 * confounder cluster, any at all).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { jsonLines, sandbox } from '../support/cli.js';
import { CORPUS } from './clusters.js';
import { startCase } from './harness.js';
import type { CorpusCase, MitigationAction } from './types.js';

let kubectl = true;
try {
  execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
} catch {
  kubectl = false;
}

/** What each runbook mitigation does, in the corpus's vocabulary. */
const ACTION: Record<string, string> = {
  'rollout-undo': 'rollback',
  'revert-config': 'revert-config',
  'revert-change': 'revert-config',
  'database-failover': 'failover',
  failover: 'failover',
  'recover-corruption': 'failover',
  'control-plane-escalation': 'control-plane-escalation',
  'network-partition-response': 'cordon-drain',
  'dns-response': 'dns-response',
  'grow-volume': 'grow-volume',
  'raise-memory': 'raise-memory',
  'rebuild-replica': 'rebuild-replica',
  'fix-credentials': 'fix-credentials',
  'network-path': 'network-path',
  'scale-up': 'scale-up',
  'circuit-breaker': 'circuit-breaker',
  restart: 'restart',
  'restart-keycloak': 'restart-keycloak',
  'renew-certificate': 'renew-certificate',
  'fix-time-sync': 'fix-time-sync',
  'restart-vllm': 'restart-vllm',
  'reduce-gpu-memory': 'reduce-gpu-memory',
  'reconnect-cluster': 'reconnect-cluster',
  'relieve-rate-limit': 'relieve-rate-limit',
};

interface Row {
  id: string;
  class: CorpusCase['class'];
  triageFirst: string;
  expectedFirst: string;
  named: string[];
  missed: string[];
  falseAlarms: string[];
  wrongMitigations: string[];
  offered: string[];
}
const rows: Row[] = [];

async function judge(c: CorpusCase): Promise<Row> {
  const running = await startCase(c, new Date());
  try {
    const box = sandbox({ TOKEN: running.platformToken, ...(running.keycloak ? { NODE_EXTRA_CA_CERTS: running.keycloak.caFile } : {}) });
    box.writeKubeconfig(running.kubeconfig);
    const cfg = [
      ...(running.workloadKubeconfig
        ? (writeFileSync(join(box.dir, 'workload-kubeconfig'), running.workloadKubeconfig),
          ['workloadCluster: gpu-east', 'clusters:', '  gpu-east:', `    kubeconfig: ${join(box.dir, 'workload-kubeconfig')}`])
        : []),
      ...(running.keycloak ? [`keycloakUrl: ${running.keycloak.url}`] : []),
      ...(running.platformApi ? [`apiUrl: ${running.platformApi.url}`] : []),
    ].join('\n');
    const config = join(box.dir, 'config.yaml');
    writeFileSync(config, cfg + '\n');

    const runbooks = [
      ...new Set(['platform-outage', 'database-failure', 'sev1-response', ...(c.expect.runbook ? [c.expect.runbook] : [])]),
    ];
    // Each runbook in its own state directory: runs of different runbooks do not share an incident.
    const runbook = (rb: string, extra: string[] = []) =>
      box.run(['run', rb, '--yes', '--json', '--config', config, ...extra], { env: { BUD_INCIDENT_HOME: join(box.dir, `state-${rb}`) } });
    const plain = runbooks.filter((rb) => rb !== 'sev2-response');
    const [t, ...plainRuns] = await Promise.all([box.run(['triage', '--json', '--config', config]), ...plain.map((rb) => runbook(rb))]);
    const tj = JSON.parse(t.stdout || '{}') as {
      matches?: Array<{ runbook: string; vars?: Record<string, string> }>;
      followUps?: Array<{ runbook: string }>;
      causes?: Array<{ id: string; root: boolean }>;
    };
    const first = tj.matches?.[0]?.runbook ?? tj.followUps?.[0]?.runbook ?? '-';
    const service = tj.matches?.find((m) => m.vars?.service)?.vars?.service ?? 'budapp';
    const named = new Set((tj.causes ?? []).map((x) => x.id));
    const roots = new Set((tj.causes ?? []).filter((x) => x.root).map((x) => x.id));
    const order = [...plain, ...(runbooks.includes('sev2-response') ? ['sev2-response'] : [])];
    const runs = [
      ...plainRuns,
      ...(runbooks.includes('sev2-response') ? [await runbook('sev2-response', ['--var', `service=${service}`])] : []),
    ];
    const events: Array<Record<string, any>> = runs.flatMap((r, i) => jsonLines(r.stdout).map((e) => ({ ...e, runbook: order[i] })));
    const findings = events.filter((e) => e.type === 'finding.raised');
    const offered = [...new Set(events.filter((e) => e.type === 'mitigation.proposed').map((e) => `${e.runbook}:${e.mitigationId}`))];
    const actions = offered.map((o) => ACTION[o.split(':')[1]!] ?? o.split(':')[1]!);
    const healthyClass = c.class !== 'failure';

    const falseAlarms = [
      ...(healthyClass ? [...named].map((x) => `triage:${x}`) : []),
      ...(healthyClass ? findings.map((f) => `${f.runbook}:${f.findingId}`) : []),
      ...(c.expect.notCauses ?? []).filter((x) => roots.has(x)).map((x) => `triage blames ${x}`),
    ];
    const wrongMitigations = offered.filter(
      (_, i) => healthyClass || c.expect.mitigationsForbidden.includes(actions[i] as MitigationAction),
    );
    return {
      id: c.id,
      class: c.class,
      triageFirst: first,
      expectedFirst: c.expect.runbook ?? '-',
      named: [...named],
      missed: c.expect.causes.filter((x) => !named.has(x)),
      falseAlarms,
      wrongMitigations,
      offered,
    };
  } finally {
    await running.stop();
  }
}

describe.runIf(kubectl)('the corpus through the binary: triage and the runbooks on every cluster', () => {
  afterAll(() => {
    if (rows.length === 0) return;
    const pad = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n));
    const lines = [
      `| case | class | triage first (expected) | causes named | missed | false alarms | wrong mitigations | offered |`,
      `|---|---|---|---|---|---|---|---|`,
      ...rows.map(
        (r) =>
          `| ${r.id} | ${r.class} | ${r.triageFirst}${r.triageFirst === r.expectedFirst ? '' : ` (${r.expectedFirst})`} | ${r.named.join(', ') || '-'} | ${r.missed.join(', ') || '0'} | ${r.falseAlarms.length ? r.falseAlarms.join(', ') : '0'} | ${r.wrongMitigations.length ? r.wrongMitigations.join(', ') : '0'} | ${r.offered.map((o) => o.split(':')[1]).join(', ') || '-'} |`,
      ),
      '',
      `cases ${rows.length}; causes expected ${CORPUS.reduce((n, c) => n + c.expect.causes.length, 0)}, missed ${rows.reduce((n, r) => n + r.missed.length, 0)}; false alarms ${rows.reduce((n, r) => n + r.falseAlarms.length, 0)}; wrong mitigations ${rows.reduce((n, r) => n + r.wrongMitigations.length, 0)}; triage first runbook right ${rows.filter((r) => r.triageFirst === r.expectedFirst).length}/${rows.length}`,
    ];
    // The table for the log (and for whoever reads CI's output).
    console.log(`\nCorpus confusion table\n${lines.map((l) => pad(l, 400)).join('\n')}`);
    if (process.env.BUD_CORPUS_TABLE) writeFileSync(process.env.BUD_CORPUS_TABLE, lines.join('\n') + '\n');
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))(
    '%s',
    async (_id, c) => {
      const row = await judge(c);
      rows.push(row);
      const why = JSON.stringify(row, null, 1);
      expect(row.wrongMitigations, why).toEqual([]);
      expect(row.falseAlarms, why).toEqual([]);
      expect(row.missed, why).toEqual([]);
      expect(row.triageFirst, why).toBe(row.expectedFirst);
    },
    120_000,
  );
});

/**
 * The playbook, command by command: every diagnostic and mitigation command of §3 and §5 of
 * docs/playbook.md (the on-call playbook), and where a shipped runbook runs it. A runbook edit
 * that drops one, or a playbook command added without a home, fails here (issue 12: "a table test
 * over the playbook").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/schema.js';
import { ROOT } from '../support/cli.js';

// The playbook as the product implements it (a copy of ../shared/seed/incident-response-playbook.md; keep them equal).
const PLAYBOOK = join(ROOT, 'docs', 'playbook.md');

function runbook(id: string): Runbook {
  const file = join(ROOT, 'runbooks', `${id}.yaml`);
  const r = loadRunbook(file, readFileSync(file, 'utf8'));
  if (!r.loaded) throw new Error(`${id}: ${JSON.stringify(r.diagnostics)}`);
  return r.loaded.runbook;
}

/** The command a step (or a mitigation) runs, with its {{inputs}} as the runbook wrote them. */
function commandOf(rb: Runbook, ref: string): string {
  if (ref.startsWith('M:')) return rb.mitigations.find((m) => m.id === ref.slice(2))?.run ?? '';
  const step = rb.steps.find((s) => s.id === ref);
  if (!step) return '';
  if (step.kind === 'check') return step.run ?? (step.native ? `native:${step.native.resource}` : '');
  return '';
}

/**
 * Playbook section, the command as the playbook prints it, where it runs (runbook and step, `M:` for
 * a mitigation), and the words the runbook's command must carry (placeholders stand for the
 * playbook's literal names: {{namespace}} for bud-system).
 */
const TABLE: Array<[section: string, playbook: string, runbook: string, step: string, words: string[]]> = [
  ['§3.1', 'kubectl get pods -n bud-system', 'sev1-response', 'health-pods', ['kubectl', 'get', 'pods', '-n']],
  [
    '§3.1',
    "kubectl get events -n bud-system --sort-by='.lastTimestamp' | head -20",
    'sev1-response',
    'health-events',
    ['kubectl', 'get', 'events', '--sort-by', 'head -20'],
  ],
  [
    '§3.2',
    'kubectl logs -n bud-system deployment/budapp --tail=200 | grep -i error',
    'sev1-response',
    'error-logs',
    ['kubectl', 'logs', '--tail=200', 'grep -i error'],
  ],
  [
    '§3.2',
    'kubectl rollout history deployment/budapp -n bud-system',
    'sev1-response',
    'rollout-history',
    ['kubectl', 'rollout', 'history'],
  ],
  ['§3.3', 'kubectl rollout undo deployment/budapp -n bud-system', 'sev1-response', 'M:rollout-undo', ['kubectl', 'rollout', 'undo']],
  ['§3.3', 'Scale up replicas', 'sev1-response', 'M:scale-up', ['kubectl', 'scale', '--replicas=']],
  ['§3.3', 'Restart affected services', 'sev1-response', 'M:restart', ['kubectl', 'rollout', 'restart', '{{evidence.deployment}}']],
  [
    '§4.2',
    'kubectl logs -n bud-system deployment/<service> --tail=100',
    'sev2-response',
    'service-logs',
    ['kubectl', 'logs', 'deployment/{{service}}', '--tail=100'],
  ],
  ['§5.1', 'kubectl get pods -n bud-system -o wide', 'platform-outage', 'pods', ['kubectl', 'get', 'pods', '-o wide']],
  ['§5.1', 'dapr status -k', 'platform-outage', 'dapr', ['dapr status -k']],
  ['§5.1', 'kubectl exec -n bud-data postgresql-0 -- pg_isready', 'platform-outage', 'postgres', ['kubectl', 'exec', '-- pg_isready']],
  ['§5.1', 'kubectl get pods -n bud-auth', 'platform-outage', 'keycloak', ['kubectl', 'get', 'pods', '{{authNamespace}}']],
  [
    '§5.2',
    'curl "https://api.bud.example.com/endpoints" -H "Authorization: Bearer $TOKEN"',
    'inference-failures',
    'endpoint-status',
    ['curl', '/endpoints', 'Authorization: Bearer $TOKEN'],
  ],
  [
    '§5.2',
    'kubectl --kubeconfig=/path/to/cluster get pods -n bud-workloads',
    'inference-failures',
    'vllm-pods',
    ['kubectl', 'get', 'pods', '{{workloadsNamespace}}'],
  ],
  [
    '§5.2',
    'kubectl --kubeconfig=/path/to/cluster exec -it <vllm-pod> -- nvidia-smi',
    'inference-failures',
    'gpu',
    ['kubectl', 'exec', '-- nvidia-smi'],
  ],
  ['§5.3', 'kubectl get pods -n bud-auth', 'auth-failure', 'keycloak-pods', ['kubectl', 'get', 'pods', '{{authNamespace}}']],
  ['§5.3', 'kubectl logs -n bud-auth deployment/keycloak --tail=100', 'auth-failure', 'keycloak-logs', ['kubectl', 'logs', '--tail=100']],
  [
    '§5.3',
    'curl https://keycloak.example.com/realms/bud/.well-known/openid-configuration',
    'auth-failure',
    'openid-configuration',
    ['curl', '/realms/{{realm}}/.well-known/openid-configuration'],
  ],
  ['§5.4', 'kubectl get pods -n bud-data -l app=postgresql', 'database-failure', 'postgres-pods', ['kubectl', 'get', 'pods', '-l']],
  ['§5.4', 'kubectl describe pod -n bud-data postgresql-0', 'database-failure', 'describe-postgres', ['kubectl', 'describe', 'pod']],
  [
    '§5.4',
    'kubectl exec -n bud-system deployment/budapp -- python -c "from budapp.db import engine; print(\'OK\')"',
    'database-failure',
    'app-db-check',
    ['kubectl', 'exec', 'from budapp.db import engine'],
  ],
  [
    '§5.5',
    'curl -X PUT "https://api.bud.example.com/users/{id}" (disable the account)',
    'security-incident',
    'M:disable-user',
    ['curl', '-X PUT', '/users/{{userId}}'],
  ],
  [
    '§5.5',
    'curl "https://api.bud.example.com/audit/export" (preserve evidence)',
    'security-incident',
    'preserve-audit',
    ['curl', '/audit/export'],
  ],
];

describe('every §3 and §5 command of the playbook has a home in a shipped runbook', () => {
  const playbook = readFileSync(PLAYBOOK, 'utf8');

  it.each(TABLE)('%s %s → %s/%s', (_section, command, rb, step, words) => {
    const run = commandOf(runbook(rb), step);
    expect(run, `${rb} has no step or mitigation "${step}"`).not.toBe('');
    for (const w of words) expect(run, `${rb}/${step} runs: ${run}`).toContain(w);
  });

  it('the table covers every command the playbook prints in its §3 and §5 code blocks', () => {
    // kubectl, curl and dapr lines inside ``` blocks of §3 (Investigation) and §5 (Scenarios).
    const sections = playbook.split(/\n## /).filter((s) => /^(3|5)\./.test(s));
    const lines = sections
      .flatMap((s) => [...s.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!))
      .flatMap((b) => b.split('\n'))
      .map((l) => l.trim())
      .filter((l) => /^(kubectl|curl|dapr)\b/.test(l));
    const covered = TABLE.map(([, c]) => c.split(' (')[0]!.replace(/\s+/g, ' '));
    const key = (l: string) => l.replace(/\s*\\$/, '').replace(/\s+/g, ' ');
    const missing = lines.map(key).filter((l) => !covered.some((c) => c.startsWith(l.slice(0, 30)) || l.startsWith(c.slice(0, 30))));
    expect(missing).toEqual([]);
  });
});

describe('the playbook copy', () => {
  const seed = join(ROOT, '..', 'shared', 'seed', 'incident-response-playbook.md');
  it.skipIf(!existsSync(seed))('docs/playbook.md is the on-call playbook as published (../shared/seed)', () => {
    expect(readFileSync(PLAYBOOK, 'utf8')).toBe(readFileSync(seed, 'utf8'));
  });
});

describe('§2.1: every SEV1 and §5 runbook ends its response with the resolution the playbook lists', () => {
  it.each(['sev1-response', 'platform-outage', 'inference-failures', 'auth-failure', 'database-failure'])('%s monitors stability', (id) => {
    const step = runbook(id).steps.find((s) => s.id === 'monitor-stability');
    expect(step).toMatchObject({ kind: 'manual', phase: 'resolution' });
  });
});

import { describe, expect, it } from 'vitest';
import { decideTriage, type TriageFacts } from '../../src/incident/triage.js';

const ok = { total: 4, failing: 0, problems: [] };
const base: TriageFacts = {
  platform: ok,
  postgres: { total: 1, failing: 0, problems: [] },
  keycloak: { total: 1, failing: 0, problems: [] },
  nodesNotReady: [],
  warnings: [],
};

describe('triage decision', () => {
  it.each([
    ['nothing wrong', base, undefined, []],
    [
      'every platform pod failing → SEV1 platform outage',
      { ...base, platform: { total: 4, failing: 4, problems: ['x'] } },
      'SEV1',
      ['platform-outage'],
    ],
    [
      'only PostgreSQL down → database failure, SEV2',
      { ...base, postgres: { total: 1, failing: 1, problems: ['pg'] } },
      'SEV2',
      ['database-failure'],
    ],
    [
      'PostgreSQL down and platform pods failing → SEV1',
      { ...base, platform: { total: 4, failing: 2, problems: ['a'] }, postgres: { total: 1, failing: 1, problems: ['pg'] } },
      'SEV1',
      ['database-failure'],
    ],
    [
      'no PostgreSQL pod at all → database failure',
      { ...base, postgres: { total: 0, failing: 0, problems: [] } },
      'SEV2',
      ['database-failure'],
    ],
    ['Keycloak down → auth failure, SEV2', { ...base, keycloak: { total: 2, failing: 2, problems: ['kc'] } }, 'SEV2', ['auth-failure']],
    [
      'all endpoints failing → SEV1 inference',
      { ...base, endpoints: { total: 2, failing: ['a: failed', 'b: failed'] } },
      'SEV1',
      ['inference-failures'],
    ],
    [
      'over half of endpoints failing → SEV2 inference',
      { ...base, endpoints: { total: 3, failing: ['a: failed', 'b: failed'] } },
      'SEV2',
      ['inference-failures'],
    ],
    ['a third failing → SEV3 inference', { ...base, endpoints: { total: 3, failing: ['a: failed'] } }, 'SEV3', ['inference-failures']],
    [
      'one pod of many failing → SEV3 sev2-response',
      { ...base, platform: { total: 10, failing: 1, problems: ['bud-system/budgateway-5c8d7f9b4-h7j2m/budgateway: CrashLoopBackOff'] } },
      'SEV3',
      ['sev2-response'],
    ],
    [
      'failing rollout → sev2-response for that service',
      { ...base, rollout: { deployment: 'budapp', failing: true, recent: true, lines: ['RolloutFailing'] } },
      'SEV2',
      ['sev2-response'],
    ],
    ['node not ready → platform outage (partition), SEV2', { ...base, nodesNotReady: ['worker-2: NotReady'] }, 'SEV2', ['platform-outage']],
  ] as Array<[string, TriageFacts, string | undefined, string[]]>)('%s', (_name, facts, severity, runbooks) => {
    const d = decideTriage(facts);
    expect(d.severity).toBe(severity);
    expect(d.matches.map((m) => m.runbook)).toEqual(runbooks);
    expect(d.healthy).toBe(runbooks.length === 0);
  });

  it('names the service for a partial outage', () => {
    const d = decideTriage({
      ...base,
      platform: { total: 10, failing: 1, problems: ['bud-system/budgateway-5c8d7f9b4-h7j2m/budgateway: CrashLoopBackOff'] },
    });
    expect(d.matches[0]?.vars).toEqual({ service: 'budgateway' });
  });
});

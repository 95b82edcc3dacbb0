import { describe, expect, it } from 'vitest';
import { judgeCheck, outcomeReason, type CheckRun, type Verdict } from '../../src/engine/judge.js';
import type { ExpectationDef } from '../../src/runbook/schema.js';

/** A kubectl check that ran and exited 0 with some output; each case changes what it needs. */
const ran = (over: Partial<CheckRun> = {}): CheckRun => ({
  stepId: 'pods',
  title: 'Pods are running',
  runbookId: 'rb',
  program: 'kubectl',
  argv: ['kubectl', 'get', 'pods'],
  display: 'kubectl get pods',
  outcome: { kind: 'exited', exitCode: 0 },
  stdout: 'api-1 Running\napi-2 Running\n',
  stderr: '',
  expect: [],
  diagnosis: false,
  evidence: false,
  ...over,
});

const noCrash: ExpectationDef = { notMatches: 'CrashLoopBackOff', finding: { id: 'crashing', message: 'Crashing: {{lines}}' } };
const someRunning: ExpectationDef = { matches: 'Running', finding: { id: 'none-running', message: 'Nothing runs' } };
const exit0: ExpectationDef = { exitCode: 0, finding: { id: 'probe-failed', message: 'Probe failed' } };

/** What a user reads of a verdict: its status, the findings it raises, and what it says. */
function summary(v: Verdict) {
  switch (v.kind) {
    case 'stopped':
      return { status: v.status, findings: [], reason: v.reason };
    case 'unchecked':
      return { status: 'unchecked', findings: [], reason: `${v.reason} | fix: ${v.fix}` };
    case 'judged':
      return { status: v.status, findings: v.failures.map((f) => f.finding.id), reason: v.reason ?? '' };
  }
}

describe('judgeCheck: outcome → verdict', () => {
  const rows: Array<[string, CheckRun, { status: string; findings: string[]; reason: RegExp }]> = [
    ['clean output, expectations met: passed', ran({ expect: [noCrash, someRunning] }), { status: 'passed', findings: [], reason: /^$/ }],
    [
      'a line the runbook forbids: failed, with its finding',
      ran({ expect: [noCrash], stdout: 'api-1 CrashLoopBackOff\napi-2 Running\n' }),
      { status: 'failed', findings: ['crashing'], reason: /1 line\(s\) match \/CrashLoopBackOff\// },
    ],
    [
      'a failed exit no expectation speaks for is a finding of its own',
      ran({ program: 'check_disk', argv: ['check_disk'], outcome: { kind: 'exited', exitCode: 2 }, stderr: 'DISK CRITICAL\n' }),
      { status: 'failed', findings: ['pods-failed'], reason: /exit/ },
    ],
    [
      'an exit-code expectation missed: only it is judged (not the empty stdout)',
      ran({ program: 'probe', argv: ['probe'], expect: [exit0, someRunning], outcome: { kind: 'exited', exitCode: 1 }, stdout: '' }),
      { status: 'failed', findings: ['probe-failed'], reason: /expected exit code 0, got 1/ },
    ],
    [
      'kubectl refused by RBAC: could not check, never a finding',
      ran({
        outcome: { kind: 'exited', exitCode: 1 },
        stdout: '',
        stderr:
          'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "prod"\n',
      }),
      {
        status: 'unchecked',
        findings: [],
        reason: /^RBAC does not let bob list pods in namespace prod \| fix: .*kubectl auth can-i list pods -n prod/,
      },
    ],
    [
      'exit 0 with nothing printed, a line expected: could not check',
      ran({ expect: [someRunning], stdout: '' }),
      { status: 'unchecked', findings: [], reason: /kubectl exited 0 but printed nothing to judge \| fix: run it by hand/ },
    ],
    [
      'only part of the output judged, nothing found in it: unchecked, not passed',
      ran({ expect: [noCrash], partial: 'only the first 4 MiB were judged', stdoutPath: '/a/stdout.txt' }),
      {
        status: 'unchecked',
        findings: [],
        reason: /could not check all of the output: only the first 4 MiB were judged .*\/a\/stdout\.txt/,
      },
    ],
    [
      'part of the output judged and a problem found in it: failed',
      ran({ expect: [noCrash], partial: 'cut', stdout: 'api-1 CrashLoopBackOff\n' }),
      { status: 'failed', findings: ['crashing'], reason: /match/ },
    ],
    [
      'evidence is judged by its preview by design: partial does not make it unchecked',
      ran({ expect: [noCrash], partial: 'cut', evidence: true }),
      { status: 'passed', findings: [], reason: /^$/ },
    ],
    [
      'the program is missing: could not check, with how to do it by hand',
      ran({ outcome: { kind: 'not-found', program: 'kubectl' } }),
      {
        status: 'unchecked',
        findings: [],
        reason: /kubectl is not installed \(not found on PATH\) \| fix: install kubectl .*kubectl get pods/,
      },
    ],
    [
      'a native read the API refused: could not check',
      ran({ program: 'kubernetes-api', unchecked: { reason: 'forbidden', fix: 'ask for read access' } }),
      { status: 'unchecked', findings: [], reason: /^forbidden \| fix: ask for read access$/ },
    ],
    [
      'timed out: the step timed out',
      ran({ outcome: { kind: 'timeout', timeoutMs: 30_000 } }),
      { status: 'timeout', findings: [], reason: /^timed out after 30s; the command and everything it started were killed$/ },
    ],
    [
      'Ctrl-C: cancelled, saying by whom',
      ran({ outcome: { kind: 'cancelled' } }),
      { status: 'cancelled', findings: [], reason: /^cancelled by the responder \(Ctrl-C\); the command and its children were stopped$/ },
    ],
    [
      'killed by a signal: an error',
      ran({ outcome: { kind: 'signal', signal: 'SIGKILL' } }),
      { status: 'error', findings: [], reason: /^kubectl was killed by SIGKILL$/ },
    ],
    [
      'a pipeline stage failed: an error, whatever the output says',
      ran({ expect: [noCrash], filterError: 'jq (in the pipeline) failed', stdout: 'api-1 CrashLoopBackOff\n' }),
      { status: 'error', findings: [], reason: /^jq \(in the pipeline\) failed$/ },
    ],
  ];
  it.each(rows)('%s', (_name, input, want) => {
    const got = summary(judgeCheck(input));
    expect({ status: got.status, findings: got.findings }).toEqual({ status: want.status, findings: want.findings });
    expect(got.reason).toMatch(want.reason);
  });

  it('a diagnosis: each root cause no expectation covers is a finding pointing at its runbook; unexplained pods and unchecked parts are said', () => {
    const report = [
      'ROOT oom-killed prod/api: api is out of memory',
      '  evidence: api-1 OOMKilled 3 times',
      '  runbook: memory-pressure --var deployment=api',
      'ROOT image-pull prod/web: web cannot pull its image',
      'CAUSE crash-loop prod/api-1 (explained by oom-killed prod/api): api-1 restarts',
      'UNEXPLAINED prod/worker-1 Pending',
      'UNCHECKED the workload cluster: no workloadCluster is configured — fix: set workloadCluster',
    ].join('\n');
    const imagePull: ExpectationDef = { cause: ['image-pull'], finding: { id: 'bad-image', message: '{{reason}}' } };
    const v = judgeCheck(ran({ program: 'kubernetes-api', argv: undefined, diagnosis: true, stdout: report, expect: [imagePull] }));
    if (v.kind !== 'judged') throw new Error(`expected a judged verdict, got ${v.kind}`);
    expect(v.status).toBe('failed');
    expect(v.failures.map((f) => [f.finding.id, f.finding.next])).toEqual([
      ['bad-image', undefined],
      ['pods-oom-killed', ['runbook:memory-pressure']],
      ['pods-unexplained', undefined],
    ]);
    expect(v.causes.map((c) => c.id)).toEqual(['oom-killed', 'image-pull', 'crash-loop']);
    expect(v.reason).toMatch(/could not check the workload cluster: no workloadCluster is configured \(fix: set workloadCluster\)$/);
  });

  it('a diagnosis that found nothing wrong passes', () => {
    const v = judgeCheck(ran({ program: 'kubernetes-api', diagnosis: true, stdout: 'HEALTHY nothing wrong found: nodes, pods\n' }));
    expect(summary(v)).toEqual({ status: 'passed', findings: [], reason: '' });
  });
});

describe('outcomeReason: one wording for a check, a mitigation and a pipeline stage', () => {
  const rows: Array<[Parameters<typeof outcomeReason>[0], 'check' | 'mitigation' | 'stage', string | undefined]> = [
    [{ kind: 'timeout', timeoutMs: 5000 }, 'check', 'timed out after 5s; the command and everything it started were killed'],
    [{ kind: 'timeout', timeoutMs: 5000 }, 'mitigation', 'timed out after 5s'],
    [{ kind: 'timeout', timeoutMs: 5000 }, 'stage', undefined],
    [{ kind: 'not-found', program: 'helm' }, 'check', 'helm is not installed (not found on PATH)'],
    [{ kind: 'not-found', program: 'helm' }, 'mitigation', 'helm is not installed (not found on PATH)'],
    [{ kind: 'not-found', program: 'jq' }, 'stage', "jq is not installed (not found on PATH); it is needed by this step's pipeline"],
    [{ kind: 'signal', signal: 'SIGTERM' }, 'check', 'jq was killed by SIGTERM'],
    [{ kind: 'signal', signal: 'SIGTERM' }, 'mitigation', 'killed by SIGTERM'],
    [{ kind: 'signal', signal: 'SIGTERM' }, 'stage', 'jq (in the pipeline) was killed by SIGTERM'],
    [{ kind: 'signal', signal: 'SIGPIPE' }, 'stage', undefined],
    [{ kind: 'spawn-error', message: 'EACCES' }, 'check', 'EACCES'],
    [{ kind: 'spawn-error', message: 'EACCES' }, 'stage', 'jq (in the pipeline): EACCES'],
    [{ kind: 'cancelled' }, 'mitigation', undefined],
    [{ kind: 'cancelled' }, 'stage', undefined],
    [{ kind: 'exited', exitCode: 0 }, 'stage', undefined],
  ];
  it.each(rows)('%j as a %s', (outcome, role, want) => {
    expect(outcomeReason(outcome, 'jq', role)).toBe(want);
  });

  it('a failed exit is explained the same way, a stage naming itself', () => {
    const check = outcomeReason({ kind: 'exited', exitCode: 5 }, 'jq', 'mitigation', { stderr: 'jq: error: bad\n' });
    expect(check).toBeTruthy();
    expect(outcomeReason({ kind: 'exited', exitCode: 5 }, 'jq', 'stage', { stderr: 'jq: error: bad\n' })).toBe(
      `jq (in the pipeline) ${check}`,
    );
  });

  it('a cancelled check says why the run is stopping', () => {
    expect(outcomeReason({ kind: 'cancelled' }, 'kubectl', 'check', { abortReason: 'SIGTERM' })).toBe(
      'cancelled (SIGTERM); the command and its children were stopped',
    );
  });
});

/** The engine with fakes for the shell, prompts and clock: no processes, no cluster. */
import { describe, expect, it } from 'vitest';
import { RunbookEngine, type EngineDeps, type RunRequest } from '../../src/engine/run.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Interrupts } from '../../src/engine/interrupts.js';
import { ScriptedPrompter } from '../../src/adapters/prompter.js';
import type { ProcessRequest, ProcessResult, Shell } from '../../src/adapters/shell.js';
import { Redactor } from '../../src/secrets/redact.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { ManualClock, systemClock } from '../../src/adapters/clock.js';
import type { KubeReader } from '../../src/adapters/kube.js';

const RUNBOOK = `id: t
title: Test
summary: test runbook
inputs:
  svc: { default: budapp, pattern: "[a-z]+" }
steps:
  - { id: a, kind: check, title: A, run: "probe a", readOnly: a test probe, parallel: true, expect: [{ notMatches: BAD, finding: { id: a-bad, message: "a: {{lines}}", cause: c1 } }] }
  - { id: b, kind: check, title: B, run: "probe b", readOnly: a test probe, parallel: true }
  - { id: c, kind: check, title: C, run: "probe c", readOnly: a test probe, parallel: true }
  - { id: look, kind: manual, title: Look at Grafana, instructions: "Open it", record: true }
  - { id: fix, kind: mitigation, title: Fix, mitigation: restart, when: { causes: [c1] } }
causes:
  - { id: c1, title: Cause one }
mitigations:
  - { id: restart, title: Restart, run: "kubectl rollout restart deployment/{{svc}}", requires: { finding: [a-bad] } }
`;

/** A runbook written inline in a test, loaded or the test fails with its diagnostics. */
function loadedFrom(file: string, text: string) {
  const r = loadRunbook(file, text);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
  return r.loaded;
}

const loaded = () => loadedFrom('t.yaml', RUNBOOK);

/** A shell that answers from a table, after a delay, and records what ran and when. */
class FakeShell implements Shell {
  readonly ran: Array<{ argv: string[]; start: number; end: number }> = [];
  /** Commands running now and listening for cancellation (a test interrupts once they are). */
  readonly waiting = new Set<string>();
  constructor(
    private readonly answers: Record<string, { stdout?: string; exitCode?: number; delayMs?: number; hang?: boolean }>,
    private readonly onWaiting: () => void = () => undefined,
  ) {}
  async run(req: ProcessRequest): Promise<ProcessResult> {
    const key = req.argv.join(' ');
    const a = this.answers[key] ?? { stdout: 'ok\n' };
    const start = Date.now();
    const result = new Promise<boolean>((resolve) => {
      if (a.hang) req.signal?.addEventListener('abort', () => resolve(true));
      else {
        const t = setTimeout(() => resolve(false), a.delayMs ?? 0);
        req.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve(true);
        });
      }
    });
    this.waiting.add(key);
    this.onWaiting();
    const cancelled = await result;
    this.waiting.delete(key);
    this.ran.push({ argv: req.argv, start, end: Date.now() });
    const base = { stderr: '', stdoutBytes: 0, stderrBytes: 0, truncated: false, durationMs: Date.now() - start };
    if (cancelled) return { outcome: { kind: 'cancelled' }, stdout: '', ...base };
    return { outcome: { kind: 'exited', exitCode: a.exitCode ?? 0 }, stdout: a.stdout ?? '', ...base };
  }
}

function harness(
  shell: Shell,
  request: Partial<RunRequest> = {},
  prompter?: ScriptedPrompter,
  onEvent: () => void = () => undefined,
  more: Partial<EngineDeps> = {},
) {
  const events: EngineEvent[] = [];
  const interrupts = new Interrupts();
  const deps: EngineDeps = {
    shell,
    ...(prompter ? { prompter } : {}),
    emit: async (e) => {
      events.push(e);
      onEvent();
    },
    show: () => undefined,
    artifacts: { open: () => ({ write: () => undefined, close: () => undefined }) },
    redactor: new Redactor(),
    interrupts,
    env: {},
    now: () => Date.now(),
    clock: systemClock,
    ...more,
  };
  const engine = new RunbookEngine(
    {
      loaded: loaded(),
      runId: 'r1',
      vars: {},
      configValues: {},
      cluster: () => undefined,
      interactive: Boolean(prompter),
      allowMitigations: false,
      ...request,
    },
    deps,
  );
  return { engine, events, interrupts };
}

const types = (events: EngineEvent[]) => events.map((e) => e.type);
const finishedIds = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'step.finished' ? [e.stepId] : []));

describe('engine', () => {
  it('runs a parallel group concurrently: the group takes about as long as its slowest check', async () => {
    const shell = new FakeShell({ 'probe a': { delayMs: 200 }, 'probe b': { delayMs: 200 }, 'probe c': { delayMs: 200 } });
    const { engine } = harness(shell);
    await engine.run();
    const starts = shell.ran.map((r) => r.start);
    const ends = shell.ran.map((r) => r.end);
    // All three started before any finished: they overlapped.
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
  });

  it('raises a finding and offers the mitigation its cause points to, never running it without consent', async () => {
    const shell = new FakeShell({ 'probe a': { stdout: 'x BAD y\n' } });
    const { engine, events } = harness(shell);
    const summary = await engine.run();
    expect(summary).toMatchObject({ outcome: 'findings', exitCode: 1 });
    const f = events.find((e) => e.type === 'finding.raised');
    expect(f).toMatchObject({ findingId: 'a-bad', message: 'a: x BAD y', cause: { id: 'c1', title: 'Cause one' } });
    expect(events.find((e) => e.type === 'mitigation.proposed')).toMatchObject({ command: 'kubectl rollout restart deployment/budapp' });
    expect(events.find((e) => e.type === 'mitigation.declined')).toMatchObject({ reason: expect.stringMatching(/--allow-mitigations/) });
    expect(shell.ran.some((r) => r.argv[0] === 'kubectl')).toBe(false);
  });

  it('runs a mitigation only on a typed "yes" in an interactive run', async () => {
    for (const [answer, ran] of [
      ['y', false],
      ['YES', true],
      ['no', false],
      ['yes', true],
    ] as const) {
      const shell = new FakeShell({ 'probe a': { stdout: 'BAD\n' } });
      const prompter = new ScriptedPrompter(['done', 'saw errors', answer]);
      const { engine, events } = harness(shell, {}, prompter);
      await engine.run();
      expect(
        shell.ran.some((r) => r.argv[0] === 'kubectl'),
        answer,
      ).toBe(ran);
      expect(types(events)).toContain(ran ? 'mitigation.finished' : 'mitigation.declined');
    }
  });

  it('runs a mitigation with --allow-mitigations and no prompt', async () => {
    const shell = new FakeShell({ 'probe a': { stdout: 'BAD\n' } });
    const { engine, events } = harness(shell, { allowMitigations: true });
    await engine.run();
    expect(events.find((e) => e.type === 'mitigation.approved')).toMatchObject({ how: '--allow-mitigations' });
    expect(shell.ran.at(-1)?.argv).toEqual(['kubectl', 'rollout', 'restart', 'deployment/budapp']);
  });

  it("records whether a passed mitigation's verification check passed again (mitigation.verified): the proof the fix worked", async () => {
    const withVerify = loadedFrom(
      'v.yaml',
      RUNBOOK.replace('requires: { finding: [a-bad] } }', 'requires: { finding: [a-bad] }, verify: a }'),
    );
    for (const fixed of [true, false]) {
      const shell = new FakeShell({ 'probe a': { stdout: 'BAD\n' } });
      const run = shell.run.bind(shell);
      // The probe sees the problem until the mitigation (kubectl) has run, then only if it was not fixed.
      shell.run = async (req) => {
        const r = await run(req);
        const afterFix = shell.ran.some((x) => x.argv[0] === 'kubectl');
        return req.argv.join(' ') === 'probe a' && afterFix && fixed ? { ...r, stdout: 'ok\n' } : r;
      };
      const { engine, events } = harness(shell, { allowMitigations: true, loaded: withVerify });
      await engine.run();
      const kinds = types(events);
      expect(kinds.indexOf('mitigation.verified'), String(fixed)).toBeGreaterThan(kinds.indexOf('mitigation.finished'));
      expect(events.find((e) => e.type === 'mitigation.verified')).toMatchObject({
        mitigationId: 'restart',
        stepId: 'a',
        status: fixed ? 'passed' : 'failed',
      });
    }
  });

  it('records a manual step with what the responder saw; skips it when nobody can answer', async () => {
    const interactive = harness(new FakeShell({}), {}, new ScriptedPrompter(['done', 'error rate 80%']));
    await interactive.engine.run();
    expect(interactive.events.find((e) => e.type === 'manual.confirmed')).toMatchObject({ observation: 'error rate 80%' });
    const batch = harness(new FakeShell({}));
    await batch.engine.run();
    expect(batch.events.find((e) => e.type === 'manual.skipped')).toMatchObject({ reason: expect.stringMatching(/non-interactive/) });
  });

  it('Ctrl-C cancels the running checks; non-interactive runs then abort with everything recorded', async () => {
    // Ctrl-C once a and b are running and c has finished: driven by what happened, not by a timer.
    let pressed = false;
    const press = () => {
      if (pressed || !shell.waiting.has('probe a') || !shell.waiting.has('probe b') || !finishedIds(events).includes('c')) return;
      pressed = true;
      interrupts.interrupt();
    };
    const shell = new FakeShell({ 'probe a': { hang: true }, 'probe b': { hang: true } }, press);
    const { engine, events, interrupts } = harness(shell, {}, undefined, press);
    const summary = await engine.run();
    expect(pressed).toBe(true);
    expect(summary).toMatchObject({ outcome: 'aborted', exitCode: 130 });
    const finished = events.filter((e) => e.type === 'step.finished');
    expect(
      finished
        .filter((e) => e.type === 'step.finished' && e.status === 'cancelled')
        .map((e) => (e as { stepId: string }).stepId)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(events.at(-1)).toMatchObject({ type: 'run.aborted', pendingSteps: ['a', 'b', 'look', 'fix'] });
  });

  it('Ctrl-C then "retry" runs the cancelled checks again; "skip" goes on', async () => {
    // Ctrl-C while a runs (once b and c have finished), and again while the retried a runs: each
    // press is driven by what happened, so two presses can never merge into one.
    let aCalls = 0;
    let aWaiting = false;
    const press = () => {
      if (!aWaiting || (aCalls === 1 && !['b', 'c'].every((id) => finishedIds(events).includes(id)))) return;
      aWaiting = false;
      interrupts.interrupt();
    };
    const shell: Shell = {
      run: async (req) => {
        if (req.argv[1] === 'a' && ++aCalls <= 2) {
          const cancelled = new Promise((r) => req.signal?.addEventListener('abort', r));
          aWaiting = true;
          press();
          await cancelled;
          return {
            outcome: { kind: 'cancelled' },
            stdout: '',
            stderr: '',
            stdoutBytes: 0,
            stderrBytes: 0,
            truncated: false,
            durationMs: 1,
          };
        }
        return {
          outcome: { kind: 'exited', exitCode: 0 },
          stdout: 'ok\n',
          stderr: '',
          stdoutBytes: 3,
          stderrBytes: 0,
          truncated: false,
          durationMs: 1,
        };
      },
    };
    const prompter = new ScriptedPrompter(['retry', 'skip', 'done', '']);
    const { engine, events, interrupts } = harness(shell, {}, prompter, press);
    await engine.run();
    expect(aCalls).toBe(2); // run, retried, then skipped
    expect(events.filter((e) => e.type === 'run.interrupted').map((e) => (e as { choice: string }).choice)).toEqual(['retry', 'skip']);
    expect(events.at(-1)?.type).toBe('run.finished');
  });

  it('resumes at the first unfinished step, without running finished ones again', async () => {
    const shell = new FakeShell({});
    const { engine, events } = harness(shell, { resume: { done: new Set(['a', 'b']), findings: [], answers: {} } });
    await engine.run();
    expect(shell.ran.map((r) => r.argv.join(' '))).toEqual(['probe c']);
    expect(events[0]).toMatchObject({ type: 'run.resumed', done: ['a', 'b'] });
  });

  it('treats a failing command with no exit expectation as a finding, not a pass', async () => {
    const { engine, events } = harness(new FakeShell({ 'probe b': { exitCode: 3, stdout: '' } }));
    await engine.run();
    expect(events.find((e) => e.type === 'finding.raised')).toMatchObject({ findingId: 'b-failed', message: 'B: exited with code 3' });
  });
});

describe('consent by construction: what a command runs decides, not what the runbook says', () => {
  const HOSTILE = `id: hostile
title: Hostile
summary: a runbook from a repository
steps:
  - { id: look, kind: check, title: Look, run: "kubectl get pods -n bud-data", expect: [{ notMatches: "No resources", finding: { id: no-pods, message: none } }] }
  - { id: sneaky, kind: check, title: Sneaky check, run: "kubectl delete pod postgres-0 -n bud-data" }
  - { id: offer-wipe, kind: mitigation, title: Wipe, mitigation: wipe }
  - { id: offer-peek, kind: mitigation, title: Peek, mitigation: peek }
mitigations:
  - { id: wipe, title: Delete the namespace, run: "kubectl delete namespace bud-data", changesSystem: false, requires: { finding: [no-pods] } }
  - { id: peek, title: Look again, run: "kubectl get pods -n bud-data", changesSystem: false }
`;
  const load = () => {
    const r = loadRunbook('hostile.yaml', HOSTILE);
    if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
    return { loaded: r.loaded, diagnostics: r.diagnostics };
  };

  it('validation names each: a check that changes the system, a "not-changing" mitigation that does', () => {
    const messages = load().diagnostics.map((d) => `${d.severity} ${d.field}: ${d.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warning steps\[1\]\.run: check "sneaky" does not only look \(kubectl delete changes the system/),
        expect.stringMatching(/^warning mitigations\[0\]\.changesSystem: changesSystem: false is ignored: kubectl delete/),
      ]),
    );
  });

  it('under --yes (non-interactive, no --allow-mitigations) nothing that changes the system runs, and each step says why', async () => {
    const shell = new FakeShell({ 'kubectl get pods -n bud-data': { stdout: 'No resources found in bud-data namespace.\n' } });
    const { engine, events } = harness(shell, { loaded: load().loaded });
    await engine.run();
    expect(shell.ran.map((r) => r.argv.join(' '))).toEqual(['kubectl get pods -n bud-data', 'kubectl get pods -n bud-data']);
    expect(events.find((e) => e.type === 'step.skipped' && e.stepId === 'sneaky')).toMatchObject({
      reason: expect.stringMatching(
        /not run: it changes the system \(kubectl delete changes the system.*--allow-mitigations; by hand: kubectl delete pod postgres-0/,
      ),
    });
    expect(events.find((e) => e.type === 'mitigation.proposed' && e.mitigationId === 'wipe')).toMatchObject({
      changesSystem: true,
      changes: expect.stringMatching(/kubectl delete/),
    });
    expect(events.find((e) => e.type === 'mitigation.declined' && e.mitigationId === 'wipe')).toBeDefined();
    // A mitigation that truly only reads keeps running without a prompt.
    expect(events.find((e) => e.type === 'mitigation.approved' && e.mitigationId === 'peek')).toMatchObject({ how: 'not-changing' });
  });

  it('a check that changes the system runs after a typed "yes", and the record says so', async () => {
    const shell = new FakeShell({});
    const prompter = new ScriptedPrompter(['yes', 'no']);
    const { engine, events } = harness(shell, { loaded: load().loaded }, prompter);
    await engine.run();
    expect(shell.ran.map((r) => r.argv.join(' '))).toContain('kubectl delete pod postgres-0 -n bud-data');
    expect(events.find((e) => e.type === 'step.started' && e.stepId === 'sneaky')).toMatchObject({
      consent: { how: 'typed-yes', changes: expect.stringMatching(/kubectl delete/) },
    });
  });
});

describe('values that were not typed pass the input checks before they become words of a command', () => {
  it('a default filled from the config that breaks the input pattern stops the step, naming the input', async () => {
    const loaded = loadedFrom(
      'c.yaml',
      `id: c
title: C
summary: s
inputs:
  ns: { default: "{{config.namespaces.data}}", pattern: "bud-[a-z]+" }
steps:
  - { id: look, kind: check, title: Look, run: "kubectl get pods -n {{ns}}" }
`,
    );
    const shell = new FakeShell({});
    const { engine, events } = harness(shell, { loaded, configValues: { 'config.namespaces.data': 'prod-data' } });
    await engine.run();
    expect(shell.ran).toEqual([]);
    expect(events.find((e) => e.type === 'step.finished')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/ns: value "prod-data" does not match the pattern .*came from the config/),
    });
  });
});

describe('a value may not pick where kubectl sends the credentials', () => {
  it('an input default that adds --server is refused at run time, though the runbook loads', async () => {
    const loaded = loadedFrom(
      's.yaml',
      `id: s
title: S
summary: s
inputs:
  flag: { default: "--server=https://collector.example.com", allowLeadingDash: true }
steps:
  - { id: look, kind: check, title: Look, run: "kubectl get pods {{flag}}" }
`,
    );
    const shell = new FakeShell({});
    const { engine, events } = harness(shell, { loaded });
    await engine.run();
    expect(shell.ran).toEqual([]);
    expect(events.find((e) => e.type === 'step.finished')).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/refused: kubectl --server chooses the server or the credentials/),
    });
  });
});

describe("kubectl's own log lines are not the program's output", () => {
  it('exit 0, no stdout, only klog lines on stderr: could not check, not a finding', async () => {
    const loaded = loadedFrom(
      'k.yaml',
      `id: k
title: K
summary: s
steps:
  - id: pg
    kind: check
    title: PG
    run: "kubectl exec -n d pg-0 -- pg_isready"
    expect: [{ matches: "accepting connections", stream: both, finding: { id: pg-down, message: down } }]
`,
    );
    const shell: Shell = {
      run: async () => ({
        outcome: { kind: 'exited', exitCode: 0 },
        stdout: '',
        stderr: 'E1201 16:02:11.123456    4821 v2.go:104] "Unhandled Error" err="next reader: websocket: close 1006 (abnormal closure)"\n',
        stdoutBytes: 0,
        stderrBytes: 100,
        truncated: false,
        durationMs: 5,
      }),
    };
    const { engine, events } = harness(shell, { loaded });
    await engine.run();
    expect(events.some((e) => e.type === 'finding.raised')).toBe(false);
    expect(events.find((e) => e.type === 'step.finished')).toMatchObject({ status: 'unchecked' });
  });
});

describe('what a native check is', () => {
  it('names the cluster it reads, so the same pods on another cluster are another check (a pass there refutes nothing)', () => {
    const rb = loadedFrom(
      'n.yaml',
      `id: n
title: Native
summary: the same pods on two clusters
steps:
  - { id: cp, kind: check, title: Pods here, native: { resource: pods, namespace: bud-system } }
  - { id: wl, kind: check, title: Pods there, cluster: workload, native: { resource: pods, namespace: bud-system } }
`,
    );
    const { engine } = harness(new FakeShell({}), {
      loaded: rb,
      configValues: { 'config.workloadCluster': 'gpu-east' },
      cluster: (name) => (name === 'gpu-east' ? { context: 'gpu-east' } : undefined),
    });
    const plan = engine.plan();
    expect(plan.get('cp')).toEqual({ display: '[kubernetes API] pods in bud-system' });
    expect(plan.get('wl')).toEqual({ display: '[kubernetes API] pods in bud-system on cluster gpu-east' });
  });

  it('says how long ago a pod’s trouble began on the injected clock, not the machine’s', async () => {
    const rb = loadedFrom(
      'n.yaml',
      `id: n
title: Native
summary: pods read through the API
steps:
  - { id: cp, kind: check, title: Pods, native: { resource: pods, namespace: bud-system } }
`,
    );
    const crashing = {
      metadata: { namespace: 'bud-system', name: 'budapp-1' },
      spec: { nodeName: 'worker-1', containers: [] },
      status: {
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
      },
    };
    const kube = { pods: () => Promise.resolve({ ok: true, value: [crashing] }) } as unknown as KubeReader;
    const { engine, events } = harness(new FakeShell({}), { loaded: rb }, undefined, undefined, {
      kube,
      clock: new ManualClock('2026-11-28T04:00:00Z'),
    });
    await engine.run();
    const finished = events.find((e) => e.type === 'step.finished' && e.stepId === 'cp');
    expect(JSON.stringify(finished)).toContain('since 2026-11-28T03:58:55Z (65s ago)');
  });
});

/**
 * The run's human view (render/run.ts) as a responder reads it, from scripted engine events: plain
 * text with NO_COLOR or in a pipe, each status worded, a finding shown with the evidence it does not
 * already quote, the summary; live output bounded on a terminal; --json one object per line.
 */
import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { HumanRunRenderer, JsonRunRenderer } from '../../src/render/run.js';
import { colorLevel, memoryTerminal } from '../../src/render/terminal.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { loadRunbook } from '../../src/runbook/load.js';

const RUNBOOK = `id: t
title: Checkout is failing
summary: test runbook
steps:
  - { id: pods, kind: check, title: Pods, run: "kubectl get pods", expect: [{ notMatches: CrashLoop, finding: { id: crash, message: "pods crash" } }] }
  - { id: api, kind: check, title: API, run: "curl -s http://127.0.0.1:1/health", expect: [{ matches: ok, finding: { id: down, message: down } }] }
  - { id: show, kind: check, title: Show the config, run: "kubectl get configmap app" }
`;
const loaded = loadRunbook('t.yaml', RUNBOOK);
if (!loaded.loaded) throw new Error(JSON.stringify(loaded.diagnostics));
const runbook = loaded.loaded.runbook;

const R = 'r1';
const started = (stepId: string, title: string): EngineEvent => ({
  type: 'step.started',
  runId: R,
  stepId,
  kind: 'check',
  title,
  attempt: 1,
});
const finished = (stepId: string, title: string, status: 'passed' | 'failed' | 'unchecked', extra = {}): EngineEvent => ({
  type: 'step.finished',
  runId: R,
  stepId,
  kind: 'check',
  title,
  status,
  attempt: 1,
  durationMs: 1234,
  ...extra,
});
const finding = (lines: string[]): EngineEvent => ({
  type: 'finding.raised',
  runId: R,
  stepId: 'pods',
  findingId: 'crash',
  message: 'bud-system/budapp-1: CrashLoopBackOff',
  detail: '',
  cause: { id: 'bad-config', title: 'Bad configuration push' },
  next: [{ ref: 'runbook:rollback', title: 'Roll back', detail: 'bud-incident run rollback' }],
  evidence: {
    lines,
    artifact: { path: 'artifacts/r1/pods.stdout.txt', sha256: 'abcdef0123456789'.repeat(4), bytes: 10, truncated: false, totalBytes: 10 },
  },
});

const SCRIPT: EngineEvent[] = [
  { type: 'run.started', runId: R, runbook: 't', title: runbook.title, file: 't.yaml', mode: 'live', vars: { svc: 'budapp' }, steps: 3 },
  started('pods', 'Pods'),
  finished('pods', 'Pods', 'failed', { command: 'kubectl get pods', outputTail: ['budapp-1 0/1 CrashLoopBackOff'] }),
  finding(['bud-system/budapp-1: CrashLoopBackOff', 'configmap "budapp-config-v43" not found']),
  started('api', 'API'),
  finished('api', 'API', 'unchecked', { reason: 'connection refused: the API cannot be reached' }),
  started('show', 'Show the config'),
  finished('show', 'Show the config', 'passed', { outputTail: ['data: {}'] }),
  {
    type: 'run.finished',
    runId: R,
    runbook: 't',
    outcome: 'failed',
    findings: 1,
    failedSteps: [],
    uncheckedSteps: ['api'],
    durationMs: 65_000,
    suggestions: [{ ref: 'runbook:rollback', title: 'Roll back', detail: 'bud-incident run rollback' }],
  },
];

function render(events: EngineEvent[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const mem = memoryTerminal(opts.tty ?? false);
  const color = new Chalk({ level: colorLevel(opts.env ?? { NO_COLOR: '1' }, opts.tty ?? false) });
  const renderer = new HumanRunRenderer({ ...mem, color, errColor: color }, runbook, () => 0);
  for (const e of events) renderer.handle(e);
  renderer.close();
  return mem.stdout();
}

describe('the human run view', () => {
  it('with NO_COLOR in a pipe: plain text, not one escape code', () => {
    const text = render(SCRIPT);
    expect(text).not.toContain('\x1b');
    expect(text).toContain('▶ Checkout is failing (t)\n  svc=budapp\n');
  });

  it('colour only when asked for (FORCE_COLOR), and then the same words', () => {
    const coloured = render(SCRIPT, { env: { FORCE_COLOR: '1' } });
    expect(coloured).toMatch(/\x1b\[\d+m/);
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(render(SCRIPT));
  });

  it('each step says its number, what it found in words, how long it took, and why it could not check', () => {
    const text = render(SCRIPT);
    expect(text).toContain('\n[1/3] Pods\n  │ budapp-1 0/1 CrashLoopBackOff\n  ✖ problem found (1.2s)\n');
    expect(text).toContain('\n[2/3] API\n  ? could not check (1.2s) — connection refused: the API cannot be reached\n');
    // A check that judges nothing did not "pass": it showed its output.
    expect(text).toContain('\n[3/3] Show the config\n  │ data: {}\n  ✔ shown (1.2s)\n');
  });

  it('a finding line shows its evidence (what the message does not already quote), cause, next step and artifact', () => {
    const text = render(SCRIPT);
    expect(text).toContain(
      [
        '  FINDING bud-system/budapp-1: CrashLoopBackOff',
        '    configmap "budapp-config-v43" not found',
        '    likely cause: Bad configuration push',
        '    next: Roll back — bud-incident run rollback',
        '    evidence: artifacts/r1/pods.stdout.txt (sha256 abcdef012345…)',
        '',
      ].join('\n'),
    );
    expect(text.match(/bud-system\/budapp-1: CrashLoopBackOff/g)).toHaveLength(1);
  });

  it('long evidence shows 8 lines and says how many more are in the timeline', () => {
    const lines = Array.from({ length: 11 }, (_, i) => `evidence line ${i + 1}`);
    const text = render([finding(lines)]);
    expect(text).toContain('    evidence line 8\n    … 3 more in the timeline\n');
    expect(text).not.toContain('evidence line 9');
  });

  it('the summary names what could not see the system, then what to consider next', () => {
    expect(render(SCRIPT)).toContain(
      '\n1 finding(s), 1 check(s) could not see the system: api. (1m05s)\nWhat to consider next:\n  • Roll back — bud-incident run rollback\n',
    );
  });

  it('on a terminal, live output of a step is cut at 30 lines, pointing at the artifact', () => {
    const output: EngineEvent = {
      type: 'step.output',
      runId: R,
      stepId: 'pods',
      stream: 'stdout',
      text: Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n',
    };
    const text = render([started('pods', 'Pods'), output, output], { tty: true });
    expect(text).toContain('  │ line 30\n  │ … (full output in the artifact)');
    expect(text).not.toContain('line 31');
    expect(text.match(/│ line 1\n/g)).toHaveLength(1);
    // NO_COLOR on a terminal: the status line is redrawn, but nothing is coloured.
    expect(text).toContain('1 running: pods 0ms  (Ctrl-C cancels)');
    expect(text).not.toMatch(/\x1b\[\d+m/);
  });
});

describe('the --json view', () => {
  it('writes each event as one JSON object per line, info lines with their type', () => {
    const mem = memoryTerminal();
    const r = new JsonRunRenderer(mem);
    for (const e of SCRIPT.slice(0, 4)) r.handle(e);
    r.info('timeline', { path: '/x/timeline.jsonl' });
    const lines = mem.stdout().trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'run.started',
      'step.started',
      'step.finished',
      'finding.raised',
      'timeline',
    ]);
    expect(JSON.parse(lines[3]!)).toEqual(SCRIPT[3]);
    expect(JSON.parse(lines[4]!)).toEqual({ type: 'timeline', path: '/x/timeline.jsonl' });
  });
});

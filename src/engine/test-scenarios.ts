/**
 * `runbooks test`: every scenario of a runbook is replayed through the real engine (no latency, no
 * prompts, nothing recorded) and the findings it raises are compared with the ones it declares.
 */
import { ManualClock } from '../adapters/clock.js';
import type { Shell } from '../adapters/shell.js';
import type { EngineEvent } from './events.js';
import { Interrupts } from './interrupts.js';
import { RunbookEngine } from './run.js';
import { Redactor } from '../secrets/redact.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { resolveScenario } from '../runbook/scenario.js';

export interface ScenarioResult {
  runbook: string;
  scenario: string;
  ok: boolean;
  expected: string[];
  raised: string[];
  missing: string[];
  unexpected: string[];
  /** Steps that could not run (no recorded output, a filter missing): a broken scenario. */
  stepErrors: string[];
  /** Mitigations proposed; and, when the scenario says which it expects, the differences. */
  offered: string[];
  offerProblems: string[];
  /** Checks that could not see the system; and, when the scenario says which, the differences. */
  unchecked: string[];
  uncheckedProblems: string[];
}

export async function testRunbook(
  loaded: LoadedRunbook,
  shell: Shell,
  configValues: Record<string, string>,
  env: NodeJS.ProcessEnv,
  /** Sees every event of each scenario (tests read what a responder would be shown). */
  observe?: (scenario: string, events: readonly EngineEvent[]) => void,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  for (const s of loaded.runbook.scenarios) {
    const scenario = resolveScenario(loaded.runbook, s.id);
    const events: EngineEvent[] = [];
    const engine = new RunbookEngine(
      {
        loaded,
        runId: `test-${s.id}`,
        vars: scenario.vars,
        configValues,
        cluster: () => undefined,
        simulate: { scenario: s.id, outputs: scenario.outputs, honourLatency: false, answers: scenario.answers },
        interactive: false,
        allowMitigations: false,
      },
      {
        shell,
        emit: (e) => {
          events.push(e);
          return Promise.resolve();
        },
        show: () => undefined,
        artifacts: { open: () => ({ write: () => undefined, close: () => undefined }) },
        redactor: new Redactor(),
        interrupts: new Interrupts(),
        env,
        now: () => clock.now().getTime(),
        clock,
      },
    );
    await engine.run();
    observe?.(s.id, events);
    const raised = [...new Set(events.flatMap((e) => (e.type === 'finding.raised' ? [e.findingId] : [])))];
    const expected = [...new Set(scenario.expectFindings)];
    const stepErrors = events.flatMap((e) =>
      e.type === 'step.finished' && (e.status === 'error' || e.status === 'timeout') ? [`${e.stepId}: ${e.reason ?? e.status}`] : [],
    );
    const missing = expected.filter((f) => !raised.includes(f));
    const unexpected = raised.filter((f) => !expected.includes(f));
    // A scenario may simulate a hung or missing tool on purpose: a step error is fine when the scenario records that outcome.
    const intended = new Set(
      Object.entries(scenario.outputs)
        .filter(([, o]) => o.outcome && o.outcome !== 'exited')
        .map(([k]) => k),
    );
    // "stepId: message"; split always yields a first part.
    const realErrors = stepErrors.filter((e) => !intended.has(e.split(':')[0] ?? e));
    const offered = [...new Set(events.flatMap((e) => (e.type === 'mitigation.proposed' ? [e.mitigationId] : [])))];
    const unchecked = [...new Set(events.flatMap((e) => (e.type === 'step.finished' && e.status === 'unchecked' ? [e.stepId] : [])))];
    const diff = (what: string, expected: string[] | undefined, actual: string[]) =>
      expected === undefined
        ? []
        : [
            ...expected.filter((x) => !actual.includes(x)).map((x) => `expected ${what} but not: ${x}`),
            ...actual.filter((x) => !expected.includes(x)).map((x) => `${what} but not expected: ${x}`),
          ];
    const offerProblems = diff('offered', scenario.expectOffered, offered);
    const uncheckedProblems = diff('could not check', scenario.expectUnchecked, unchecked);
    results.push({
      runbook: loaded.runbook.id,
      scenario: s.id,
      ok:
        missing.length === 0 &&
        unexpected.length === 0 &&
        realErrors.length === 0 &&
        offerProblems.length === 0 &&
        uncheckedProblems.length === 0,
      expected,
      raised,
      missing,
      unexpected,
      stepErrors: realErrors,
      offered,
      offerProblems,
      unchecked,
      uncheckedProblems,
    });
  }
  return results;
}

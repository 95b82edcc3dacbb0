/**
 * The runbook engine: runs a loaded runbook's steps in order (groups of independent checks
 * concurrently), judges each check against its expectations, raises findings, asks at manual,
 * prompt and mitigation steps, and reports everything as events. It never prints and never exits:
 * renderers and the timeline recorder listen to its events.
 *
 * This file is the engine's public surface and the step loop (order, `when`, interrupts, resume,
 * the closing summary) plus the plan `--dry-run` shows. Each kind of step runs in its own room,
 * given the run's state as a StepContext (step-context.ts): check-step.ts, manual-step.ts,
 * prompt-step.ts, mitigation-step.ts. Each idea they use lives in its own room too:
 * step-command.ts (resolve, run, replay, capture a command), raise-finding.ts (findings and
 * suggestions), targeting.ts (which cluster), native-check.ts (native reads), judge.ts (outcome →
 * verdict), consent.ts (may it run), variables.ts (placeholders), findings.ts (messages,
 * preconditions), capture.ts (output to artifacts and display), replay.ts (drills), request.ts
 * (the contract).
 */
import { PromptCancelledError } from '../adapters/prompter.js';
import { TemplateError } from '../runbook/command.js';
import type { RequiresDef, Runbook, RunbookStep } from '../runbook/schema.js';
import { renderTemplate } from '../runbook/template.js';
import type { StepStatus } from './events.js';
import { unreachable } from '../errors.js';
import type { Precondition } from './findings.js';
import { Variables } from './variables.js';
import { nativeDisplay } from './native-check.js';
import { resolveCluster } from './targeting.js';
import type { EngineDeps, PlannedCommand, RunRequest, RunSummary } from './request.js';
import { preconditionOf, targetingOf, type RunState, type StepContext } from './step-context.js';
import { resolve } from './step-command.js';
import { runCheck } from './check-step.js';
import { runManual } from './manual-step.js';
import { runPrompt } from './prompt-step.js';
import { runMitigation } from './mitigation-step.js';

export type {
  ArtifactSink,
  ArtifactWriter,
  ClusterTarget,
  EngineDeps,
  PlannedCommand,
  RaisedFinding,
  ResumeState,
  RunRequest,
  RunSummary,
} from './request.js';
export { DEFAULT_TIMEOUT_MS } from './step-context.js';

class RunAborted extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Groups consecutive `parallel: true` checks; every other step is a group of one. */
export function planGroups(steps: readonly RunbookStep[]): RunbookStep[][] {
  const groups: RunbookStep[][] = [];
  for (const step of steps) {
    const last = groups[groups.length - 1];
    const head = last?.[0];
    if (step.kind === 'check' && step.parallel && last && head?.kind === 'check' && head.parallel) last.push(step);
    else groups.push([step]);
  }
  return groups;
}

/** Inputs that have no value from --var, the scenario, a default or the config. */
export function missingInputs(runbook: Runbook, vars: Record<string, string>, configValues: Record<string, string>): string[] {
  return Object.entries(runbook.inputs)
    .filter(
      ([name, def]) =>
        vars[name] === undefined &&
        def.fromDiagnosis === undefined &&
        (def.default === undefined || /\{\{/.test(renderTemplate(def.default, (n) => configValues[n]))),
    )
    .map(([name]) => name);
}

export class RunbookEngine {
  private readonly runbook: Runbook;
  private readonly vars: Variables;
  private readonly state: RunState = {
    findings: [],
    failedSteps: [],
    uncheckedSteps: [],
    diagnosed: [],
    moot: new Set(),
    attempts: new Map(),
    suggestions: new Map(),
  };
  /** What each step runner gets: this run's request, dependencies, variables and state. */
  private readonly ctx: StepContext;
  private readonly started: number;

  constructor(
    private readonly request: RunRequest,
    private readonly deps: EngineDeps,
  ) {
    this.runbook = request.loaded.runbook;
    this.vars = new Variables(this.runbook, request.configValues, deps.redactor, this.state.diagnosed);
    for (const [k, v] of Object.entries(request.vars)) this.vars.set(k, v);
    for (const [k, v] of Object.entries(request.resume?.answers ?? {})) this.vars.set(k, v);
    this.state.findings.push(...(request.resume?.findings ?? []));
    this.ctx = { request, deps, runbook: this.runbook, vars: this.vars, state: this.state };
    this.started = deps.now();
  }

  private get findings() {
    return this.state.findings;
  }

  private get failedSteps() {
    return this.state.failedSteps;
  }

  private get uncheckedSteps() {
    return this.state.uncheckedSteps;
  }

  async run(): Promise<RunSummary> {
    const { runId } = this.request;
    const done = new Set(this.request.resume?.done ?? []);
    if (this.request.resume) {
      await this.deps.emit({ type: 'run.resumed', runId, runbook: this.runbook.id, done: [...done] });
    } else {
      await this.deps.emit({
        type: 'run.started',
        runId,
        runbook: this.runbook.id,
        title: this.runbook.title,
        file: this.request.loaded.file,
        ...(this.request.origin ? { origin: this.request.origin } : {}),
        mode: this.request.simulate ? 'simulate' : 'live',
        ...(this.request.simulate ? { scenario: this.request.simulate.scenario } : {}),
        vars: this.vars.shownVars(),
        steps: this.runbook.steps.length,
      });
    }
    const groups = planGroups(this.runbook.steps);
    try {
      for (let gi = 0; gi < groups.length; gi++) {
        if (this.deps.interrupts.shouldAbort) throw new RunAborted(this.deps.interrupts.abortReason ?? 'interrupted');
        const planned = groups[gi];
        if (planned === undefined) break; // past the last group: nothing left to run
        const group = planned.filter((s) => !done.has(s.id));
        const runnable: RunbookStep[] = [];
        for (const step of group) {
          const skip = this.whenUnmet(step);
          if (skip) {
            await this.deps.emit({ type: 'step.skipped', runId, stepId: step.id, title: this.titleOf(step), reason: skip });
            done.add(step.id);
          } else runnable.push(step);
        }
        if (runnable.length === 0) continue;
        if (runnable.length > 1) this.deps.show({ type: 'group.started', runId, stepIds: runnable.map((s) => s.id) });
        const signal = this.deps.interrupts.beginStep();
        let statuses: StepStatus[];
        try {
          statuses = await Promise.all(runnable.map((step) => this.runStep(step, signal)));
        } catch (error) {
          this.deps.interrupts.endStep();
          if (error instanceof PromptCancelledError) throw new RunAborted('cancelled at a prompt (Ctrl-C)');
          throw error;
        }
        const { cancelled } = this.deps.interrupts.endStep();
        const cancelledSteps = runnable.filter((_, i) => statuses[i] === 'cancelled');
        for (const [i, step] of runnable.entries()) if (statuses[i] !== 'cancelled') done.add(step.id);
        if (cancelled || cancelledSteps.length) {
          const choice = await this.askAfterInterrupt(cancelledSteps.map((s) => s.id));
          await this.deps.emit({ type: 'run.interrupted', runId, stepIds: cancelledSteps.map((s) => s.id), choice });
          if (choice === 'abort') throw new RunAborted(this.deps.interrupts.abortReason ?? 'interrupted (Ctrl-C)');
          if (choice === 'retry') gi--;
          else
            for (const s of cancelledSteps) {
              done.add(s.id);
              // A check skipped after Ctrl-C did not pass: the run must not say "all checks passed".
              this.failedSteps.push(s.id);
            }
        }
      }
    } catch (error) {
      if (error instanceof RunAborted) {
        const pending = this.runbook.steps.filter((s) => !done.has(s.id)).map((s) => s.id);
        await this.deps.emit({ type: 'run.aborted', runId, runbook: this.runbook.id, reason: error.reason, pendingSteps: pending });
        return {
          outcome: 'aborted',
          findings: this.findings.length,
          failedSteps: this.failedSteps,
          uncheckedSteps: this.uncheckedSteps,
          exitCode: 130,
        };
      }
      throw error;
    }
    const outcome = this.failedSteps.length || this.uncheckedSteps.length ? 'failed' : this.findings.length ? 'findings' : 'passed';
    // A mitigation is suggested only while its precondition holds: never one called moot.
    const suggestions = [...this.state.suggestions.values()].filter((n) => {
      if (!n.ref.startsWith('mitigation:')) return true;
      const id = n.ref.slice('mitigation:'.length);
      const m = this.runbook.mitigations.find((x) => x.id === id);
      return !this.state.moot.has(id) && (!m?.requires || this.precondition(m.requires).ok);
    });
    await this.deps.emit({
      type: 'run.finished',
      runId,
      runbook: this.runbook.id,
      outcome,
      findings: this.findings.length,
      failedSteps: this.failedSteps,
      ...(this.uncheckedSteps.length ? { uncheckedSteps: this.uncheckedSteps } : {}),
      durationMs: Math.round(this.deps.now() - this.started),
      suggestions,
    });
    return {
      outcome,
      findings: this.findings.length,
      failedSteps: this.failedSteps,
      uncheckedSteps: this.uncheckedSteps,
      exitCode: outcome === 'passed' ? 0 : 1,
    };
  }

  private async askAfterInterrupt(stepIds: string[]): Promise<'skip' | 'retry' | 'abort'> {
    const prompter = this.deps.prompter;
    if (!this.request.interactive || !prompter || this.deps.interrupts.shouldAbort) return 'abort';
    try {
      // A Ctrl-C while this question is open aborts (inquirer turns it into a cancelled prompt).
      return await prompter.select<'skip' | 'retry' | 'abort'>(
        `Interrupted ${stepIds.join(', ') || 'the step'}. What now?`,
        [
          { name: 'Skip it and go on', value: 'skip' },
          { name: 'Retry it', value: 'retry' },
          { name: 'Abort the run (everything so far is recorded; --resume continues)', value: 'abort' },
        ],
        'skip',
      );
    } catch (error) {
      if (error instanceof PromptCancelledError) return 'abort';
      throw error;
    }
  }

  /** Why a step's `when` condition is not met, or undefined when it should run. */
  private whenUnmet(step: RunbookStep): string | undefined {
    const when = step.when;
    if (!when) return undefined;
    if (when.noFindings && this.findings.length > 0) return `not needed: ${this.findings.length} finding(s) already raised`;
    const blocker = this.findings.find(
      (f) => when.unlessFindings?.includes(f.findingId) || (f.cause !== undefined && when.unlessCauses?.includes(f.cause)),
    );
    if (blocker) return `not run: finding "${blocker.findingId}"${blocker.cause ? ` (cause ${blocker.cause})` : ''} makes it moot`;
    const wanted = [...(when.findings ?? [])];
    const causes = [...(when.causes ?? [])];
    if (wanted.length === 0 && causes.length === 0) return undefined;
    const hit = this.findings.some((f) => wanted.includes(f.findingId) || (f.cause !== undefined && causes.includes(f.cause)));
    return hit ? undefined : `not needed: no finding pointed here (${[...wanted, ...causes.map((c) => `cause ${c}`)].join(', ')})`;
  }

  /** A step's title with its {{inputs}} filled. */
  private titleOf(step: { title: string }): string {
    return this.shown(step.title);
  }

  /**
   * Text a responder reads (a title, instructions, text to copy, a question) with its placeholders
   * filled; a value not known yet reads as a stand-in (`<deployment: from the diagnosis>`), never `{{…}}`.
   */
  shown(text: string): string {
    return this.vars.shown(text);
  }

  private async runStep(step: RunbookStep, signal: AbortSignal): Promise<StepStatus> {
    switch (step.kind) {
      case 'check':
        return runCheck(this.ctx, step, signal);
      case 'manual':
        return runManual(this.ctx, step);
      case 'prompt':
        return runPrompt(this.ctx, step);
      case 'mitigation':
        return runMitigation(this.ctx, step, signal);
      default:
        return unreachable(step);
    }
  }

  /**
   * What a run would execute, step by step, resolved by the code a run uses (cluster flags, the
   * config's context, refusals, redaction); nothing runs. `--dry-run` shows this, so what it
   * shows is what a run executes. Values only a run can know (the evidence, a diagnosis) stand in
   * by name.
   */
  plan(): Map<string, PlannedCommand> {
    const out = new Map<string, PlannedCommand>();
    this.vars.planning = true;
    try {
      const attempt = (id: string, f: () => PlannedCommand) => {
        try {
          out.set(id, f());
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          out.set(id, { refused: this.deps.redactor.redact(error.message) });
        }
      };
      for (const step of this.runbook.steps) {
        if (step.kind === 'check') {
          const native = step.native;
          attempt(step.id, () => {
            if (native) {
              const fill = (v: string | undefined) => (v === undefined ? undefined : renderTemplate(v, this.vars.lookup));
              return {
                display: nativeDisplay(native, {
                  namespace: fill(native.namespace),
                  selector: fill(native.selector),
                  deployment: fill(native.deployment),
                  url: fill(native.url),
                  cluster: resolveCluster(step.cluster, targetingOf(this.ctx)).name,
                }),
              };
            }
            const r = resolve(this.ctx, step.id, step.cluster);
            return { display: r.display, argv: r.argv.map((stage) => stage.map((w) => this.deps.redactor.redact(w))) };
          });
        } else if (step.kind === 'mitigation') {
          const m = this.runbook.mitigations.find((x) => x.id === step.mitigation);
          if (m?.run)
            attempt(step.id, () => {
              const r = resolve(this.ctx, m.id, m.cluster);
              return { display: r.display, argv: r.argv.map((stage) => stage.map((w) => this.deps.redactor.redact(w))) };
            });
        }
      }
    } finally {
      this.vars.planning = false;
    }
    return out;
  }

  /** Whether a mitigation's precondition holds on the evidence gathered so far (findings.ts). */
  precondition(req: RequiresDef): Precondition {
    return preconditionOf(this.ctx, req);
  }
}

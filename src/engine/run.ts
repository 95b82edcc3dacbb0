/**
 * The runbook engine: runs a loaded runbook's steps in order (groups of independent checks
 * concurrently), judges each check against its expectations, raises findings, asks at manual,
 * prompt and mitigation steps, and reports everything as events. It never prints and never exits:
 * renderers and the timeline recorder listen to its events.
 *
 * This file is the step loop and the four kinds of step; each idea they use lives in its own room:
 * targeting.ts (which cluster), native-check.ts (native reads), judge.ts (outcome → verdict),
 * consent.ts (may it run), variables.ts (placeholders), findings.ts (messages, preconditions),
 * capture.ts (output to artifacts and display), replay.ts (drills), request.ts (the contract).
 * It is still ~1000 lines because the step runners (check, manual, prompt, mitigation) and the
 * loop share the run's state (findings, failed/unchecked steps, suggestions, attempts) and its
 * event order; the next cut is runMitigation/runManual/runPrompt into steps/*.ts taking that
 * state as an object (not done in this round).
 */
import type { ProcessResult, SpawnedProcess } from '../adapters/shell.js';
import { processTag } from '../adapters/proctree.js';
import { PromptCancelledError } from '../adapters/prompter.js';
import { resolveCommand, TemplateError, type ResolvedCommand } from '../runbook/command.js';
import { effectOf, identityRefusal } from '../runbook/effects.js';
import { runPipeline, type OnOutput } from './pipeline.js';
import { EVIDENCE_PREVIEW_LINES } from '../limits.js';
import type { CheckStepDef, MitigationDef, Runbook, RunbookStep } from '../runbook/schema.js';
import { renderTemplate, validateInputValue } from '../runbook/template.js';
import { redactYielding } from '../secrets/redact.js';
import { parseDuration } from '../duration.js';
import { outputLines, type ExpectationFailure } from './expect.js';
import type { ArtifactRef, EngineEvent, NextSuggestion, StepStatus } from './events.js';
import { unreachable } from '../errors.js';
import { findingMessage, precondition, type Precondition } from './findings.js';
import { Variables } from './variables.js';
import { capture, previewOf, type CaptureContext } from './capture.js';
import { replay } from './replay.js';
import { nativeDisplay, prepareNative } from './native-check.js';
import {
  checkConsent,
  checkRefusal,
  mitigationChanges,
  mitigationConsent,
  mitigationRefusal,
  typedYes,
  type ConsentContext,
  type ConsentDecision,
  type ConsentHow,
  type ExplicitHow,
} from './consent.js';
import { judgeCheck, outcomeReason } from './judge.js';
import {
  emptyResult,
  type EngineDeps,
  type Executed,
  type PlannedCommand,
  type RaisedFinding,
  type RunRequest,
  type RunSummary,
} from './request.js';

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
import { aimCommand, clusterName, type TargetingContext } from './targeting.js';
import type { RequiresDef } from '../runbook/schema.js';
import type { ReportedCause } from '../diagnosis/report.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

class RunAborted extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A resolved command's first stage, what is run (or replayed): the command parser rejects an empty one. */
function firstStage(resolved: ResolvedCommand): { argv: string[]; program: string } {
  const [argv] = resolved.argv;
  const program = argv?.[0];
  if (argv === undefined || program === undefined) throw new Error(`internal: the command "${resolved.display}" has no program`);
  return { argv, program };
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
  private readonly findings: RaisedFinding[] = [];
  private readonly failedSteps: string[] = [];
  private readonly uncheckedSteps: string[] = [];
  /** Causes named by diagnosis checks so far (what mitigation preconditions are checked against). */
  private readonly diagnosed: ReportedCause[] = [];
  /** Mitigations whose precondition failed: never suggested. */
  private readonly moot = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly suggestions = new Map<string, NextSuggestion>();
  private readonly started: number;

  constructor(
    private readonly request: RunRequest,
    private readonly deps: EngineDeps,
  ) {
    this.runbook = request.loaded.runbook;
    this.vars = new Variables(this.runbook, request.configValues, deps.redactor, this.diagnosed);
    for (const [k, v] of Object.entries(request.vars)) this.vars.set(k, v);
    for (const [k, v] of Object.entries(request.resume?.answers ?? {})) this.vars.set(k, v);
    this.findings.push(...(request.resume?.findings ?? []));
    this.started = deps.now();
  }

  /** When a diagnosis offers several values for an input the step needs, the responder picks one (once). */
  private async chooseDiagnosedInputs(step: CheckStepDef): Promise<void> {
    const command = this.request.loaded.commands.get(step.id);
    const text = `${command?.source ?? ''} ${step.title}`;
    for (const [name, def] of Object.entries(this.runbook.inputs)) {
      if (!def.fromDiagnosis || this.vars.given(name) !== undefined || !new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`).test(text)) continue;
      const options = this.vars.fromDiagnosis(name);
      if (options.length < 2 || !this.request.interactive || !this.deps.prompter) continue;
      const choice = await this.deps.prompter.select(
        `The diagnosis found ${options.length} candidates for ${name} (${def.description ?? name}). Which one?`,
        options.map((o) => ({ name: o, value: o })),
        options[0],
      );
      this.vars.set(name, choice);
    }
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
    const suggestions = [...this.suggestions.values()].filter((n) => {
      if (!n.ref.startsWith('mitigation:')) return true;
      const id = n.ref.slice('mitigation:'.length);
      const m = this.runbook.mitigations.find((x) => x.id === id);
      return !this.moot.has(id) && (!m?.requires || this.precondition(m.requires).ok);
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

  private nextAttempt(stepId: string): number {
    const n = (this.attempts.get(stepId) ?? 0) + 1;
    this.attempts.set(stepId, n);
    return n;
  }

  private async runStep(step: RunbookStep, signal: AbortSignal): Promise<StepStatus> {
    switch (step.kind) {
      case 'check':
        return this.runCheck(step, signal);
      case 'manual':
        return this.runManual(step);
      case 'prompt':
        return this.runPrompt(step);
      case 'mitigation':
        return this.runMitigation(step, signal);
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
                  cluster: clusterName(step.cluster, this.targeting),
                }),
              };
            }
            const r = this.resolve(step.id, step.cluster);
            return { display: r.display, argv: r.argv.map((stage) => stage.map((w) => this.deps.redactor.redact(w))) };
          });
        } else if (step.kind === 'mitigation') {
          const m = this.runbook.mitigations.find((x) => x.id === step.mitigation);
          if (m?.run)
            attempt(step.id, () => {
              const r = this.resolve(m.id, m.cluster);
              return { display: r.display, argv: r.argv.map((stage) => stage.map((w) => this.deps.redactor.redact(w))) };
            });
        }
      }
    } finally {
      this.vars.planning = false;
    }
    return out;
  }

  private resolve(id: string, cluster: string | undefined): ResolvedCommand {
    const command = this.request.loaded.commands.get(id);
    if (!command) throw new TemplateError(`no command for ${id}`);
    // A simulation runs nothing, so it needs no secrets: a missing $TOKEN stands in by name.
    const env = this.request.simulate ? new Proxy(this.deps.env, { get: (t, k: string) => t[k] ?? `<${k}>` }) : this.deps.env;
    const resolved = resolveCommand(command, this.vars.commandLookup, env, (name) => this.vars.isSecret(name));
    // What is shown and recorded never carries a secret, even one written into the runbook itself.
    resolved.display = this.deps.redactor.redact(resolved.display);
    // Checked again on the filled words: a value (an input default, a --var) may not pick the server either.
    const identity = identityRefusal(resolved.argv);
    if (identity) throw new TemplateError(`refused: ${identity}`);
    aimCommand(resolved, cluster, this.targeting);
    return resolved;
  }

  /** What cluster targeting needs from this run (targeting.ts). */
  private get targeting(): TargetingContext {
    return {
      lookup: this.vars.lookup,
      configValues: this.request.configValues,
      cluster: this.request.cluster,
      simulate: Boolean(this.request.simulate),
    };
  }

  /** Runs (or replays) a resolved command: first stage as a process, the rest as filters (pipeline.ts). */
  private async execute(
    key: string,
    resolved: ResolvedCommand,
    timeoutMs: number,
    signal: AbortSignal,
    onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<Executed> {
    const env = this.deps.env;
    const sim = this.request.simulate;
    const { argv, program } = firstStage(resolved);
    return runPipeline(resolved.argv, {
      first: (out) =>
        sim
          ? this.replayStep(sim, key, program, timeoutMs, signal, out)
          : this.deps.shell.run({ argv, timeoutMs, signal, env, onOutput: out, ...this.tracked(key) }),
      // Started with the first stage (in a drill too: the replayed output goes into it).
      process: (stage) =>
        this.deps.shell.run({
          argv: stage.argv,
          stdin: stage.stdin,
          onOutput: stage.onOutput,
          timeoutMs: stage.timeoutMs,
          signal: AbortSignal.any([signal, stage.signal]),
          env,
          ...this.tracked(key, stage.index),
        }),
      onOutput,
      timeoutMs,
    });
  }

  /**
   * Tags a step's commands and records each one's pid as it starts (what --resume checks after a kill -9).
   * Each stage of a pipeline has its own tag: what one stage left running is not its neighbour, still at work.
   */
  private tracked(stepId: string, stage = 0) {
    const { runId } = this.request;
    return {
      tag: processTag(runId, stage ? `${stepId}|${stage}` : stepId),
      onSpawn: (p: SpawnedProcess) => void this.deps.emit({ type: 'step.process', runId, stepId, ...p }).catch(() => undefined),
    };
  }

  /** Replays the scenario's recorded output for a step (or says the scenario lacks it). */
  private async replayStep(
    sim: NonNullable<RunRequest['simulate']>,
    key: string,
    program: string,
    timeoutMs: number,
    signal: AbortSignal,
    onOutput: OnOutput,
  ): Promise<ProcessResult> {
    const recorded = sim.outputs[key];
    if (!recorded) return emptyResult({ kind: 'spawn-error', message: `scenario "${sim.scenario}" has no recorded output for "${key}"` });
    return replay(recorded, program, timeoutMs, signal, onOutput, {
      now: this.deps.now,
      ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
      honourLatency: sim.honourLatency,
    });
  }

  /** What output capture needs from this run (capture.ts). */
  private get captureContext(): CaptureContext {
    const { artifacts, redactor, emit, show } = this.deps;
    return { runId: this.request.runId, artifacts, redactor, emit, show };
  }

  private timeoutOf(value: string | number | undefined): number {
    if (this.request.timeoutOverrideMs) return this.request.timeoutOverrideMs;
    return (
      parseDuration(value ?? this.runbook.defaults?.timeout ?? this.request.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS
    );
  }

  /** Starts a command with live output (redacted) to the display and to artifacts. */
  private async runCommand(key: string, command: ResolvedCommand, timeoutMs: number, signal: AbortSignal, attempt: number) {
    return capture(this.captureContext, key, attempt, (onOutput) => this.execute(key, command, timeoutMs, signal, onOutput));
  }

  private async runCheck(step: CheckStepDef, signal: AbortSignal, forced?: { attempt: number }): Promise<StepStatus> {
    const { runId } = this.request;
    const attempt = forced?.attempt ?? this.nextAttempt(step.id);
    const timeoutMs = this.timeoutOf(step.timeout);
    let command: {
      display: string;
      program: string;
      argv?: string[];
      run: (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void) => Promise<Executed>;
    };
    await this.chooseDiagnosedInputs(step);
    let resolvedArgv: string[][] | undefined;
    const sim = this.request.simulate;
    try {
      if (step.native) {
        command = prepareNative(step, step.native, timeoutMs, signal, {
          targeting: this.targeting,
          now: this.deps.now,
          ...(this.deps.wallClock ? { wallClock: this.deps.wallClock } : {}),
          ...(this.deps.kube ? { kube: this.deps.kube } : {}),
          ...(this.deps.probe ? { probe: this.deps.probe } : {}),
          ...(this.request.diagnosis ? { diagnosis: this.request.diagnosis } : {}),
          ...(sim ? { replay: (onOutput) => this.replayStep(sim, step.id, 'kubernetes-api', timeoutMs, signal, onOutput) } : {}),
        });
      } else {
        const resolved = this.resolve(step.id, step.cluster);
        resolvedArgv = resolved.argv;
        command = {
          display: resolved.display,
          ...firstStage(resolved),
          run: (onOutput) => this.execute(step.id, resolved, timeoutMs, signal, onOutput),
        };
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      await this.deps.emit({ type: 'step.started', runId, stepId: step.id, kind: 'check', title: this.titleOf(step), attempt });
      return this.finishError(step.id, 'check', this.titleOf(step), attempt, error.message, 0);
    }
    // What the command does to the system is decided by what it runs: a check that changes it needs consent.
    const gate = checkConsent(
      {
        ...(resolvedArgv ? { argv: resolvedArgv } : {}),
        ...(step.readOnly !== undefined ? { readOnly: step.readOnly } : {}),
        simulate: Boolean(this.request.simulate),
        display: command.display,
      },
      this.consentContext,
    );
    let consent: { how: ExplicitHow; changes: string } | undefined;
    if (gate.needed) {
      const how = await this.settle(gate.decision);
      if (!how) {
        this.uncheckedSteps.push(step.id);
        await this.deps.emit({
          type: 'step.skipped',
          runId,
          stepId: step.id,
          title: this.titleOf(step),
          reason: checkRefusal(gate.changes, command.display, this.consentContext),
        });
        return 'skipped';
      }
      consent = { how, changes: gate.changes };
    }
    const declaredReadOnly = gate.needed ? undefined : gate.declaredReadOnly;
    await this.deps.emit({
      type: 'step.started',
      runId,
      stepId: step.id,
      kind: 'check',
      title: this.titleOf(step),
      command: command.display,
      attempt,
      ...(declaredReadOnly ? { declaredReadOnly } : {}),
      ...(consent ? { consent } : {}),
    });
    const executed = await capture(this.captureContext, step.id, attempt, command.run, step.evidence);
    const { result, filterError, artifacts } = executed;
    // Evidence is judged by its preview only (its file holds it all): it can be huge.
    const stdout = step.evidence ? previewOf(executed.stdout) : executed.stdout;
    // Up to megabytes: redacted in slices, so timeouts and Ctrl-C are served meanwhile.
    const redactedStdout = await redactYielding(this.deps.redactor, stdout);
    const redactedStderr = await redactYielding(this.deps.redactor, result.stderr);
    const tail = step.evidence
      ? outputLines(redactedStdout || redactedStderr).slice(0, EVIDENCE_PREVIEW_LINES)
      : outputLines(redactedStdout || redactedStderr).slice(-15);
    const base = {
      runId,
      stepId: step.id,
      kind: 'check',
      title: this.titleOf(step),
      attempt,
      command: command.display,
      durationMs: result.durationMs,
      ...(artifacts.stdout ? { stdout: artifacts.stdout } : {}),
      ...(artifacts.stderr ? { stderr: artifacts.stderr } : {}),
      outputTail: tail,
      ...(executed.notes?.length ? { notes: executed.notes } : {}),
      ...(result.leftovers ? { leftovers: result.leftovers } : {}),
    };
    const abortReason = this.deps.interrupts.abortReason;
    const verdict = judgeCheck({
      stepId: step.id,
      title: this.titleOf(step),
      runbookId: this.runbook.id,
      program: command.program,
      ...(command.argv ? { argv: command.argv } : {}),
      display: command.display,
      outcome: result.outcome,
      stdout: redactedStdout,
      stderr: redactedStderr,
      expect: step.expect ?? [],
      diagnosis: step.native?.resource === 'diagnosis',
      evidence: Boolean(step.evidence),
      ...(filterError !== undefined ? { filterError } : {}),
      ...(executed.unchecked ? { unchecked: executed.unchecked } : {}),
      ...(executed.partial !== undefined ? { partial: executed.partial } : {}),
      ...(artifacts.stdout ? { stdoutPath: artifacts.stdout.path } : {}),
      ...(abortReason !== undefined ? { abortReason } : {}),
    });
    switch (verdict.kind) {
      case 'unchecked':
        return this.finishUnchecked(step.id, base, verdict);
      case 'stopped': {
        const { status, reason, exitCode } = verdict;
        if (status !== 'cancelled') this.failedSteps.push(step.id);
        await this.deps.emit({ ...base, type: 'step.finished', status, ...(exitCode !== undefined ? { exitCode } : {}), reason });
        return status;
      }
      case 'judged': {
        const { status, exitCode, failures, couldNot, reason, causes } = verdict;
        this.diagnosed.push(...causes);
        if (couldNot.length) this.uncheckedSteps.push(step.id);
        await this.deps.emit({ ...base, type: 'step.finished', status, exitCode, ...(reason !== undefined ? { reason } : {}) });
        for (const failure of failures) await this.raise(step.id, failure, command.display, exitCode, redactedStderr, artifacts.stdout);
        return status;
      }
      default:
        return unreachable(verdict);
    }
  }

  private async raise(
    stepId: string,
    failure: ExpectationFailure,
    command: string,
    exitCode: number,
    stderr: string,
    artifact: ArtifactRef | undefined,
  ): Promise<void> {
    const def = failure.finding;
    // Table output pads columns with runs of spaces; one space reads better inside a sentence.
    const lines = failure.lines.map((l) => l.replace(/\s+/g, ' ').trim()).map((l) => (l.length > 300 ? l.slice(0, 300) + '…' : l));
    const message = this.deps.redactor.redact(
      findingMessage(def.message, failure, lines, { command, stepId, exitCode, stderr }, this.vars.shownLookup),
    );
    const cause = def.cause ? this.runbook.causes.find((c) => c.id === def.cause) : undefined;
    const next: NextSuggestion[] = [];
    const addNext = (ref: string) => {
      // A mitigation whose precondition the evidence does not meet is not a next step.
      if (ref.startsWith('mitigation:')) {
        const m = this.runbook.mitigations.find((x) => `mitigation:${x.id}` === ref);
        if (m?.requires && !this.precondition(m.requires).ok) return;
      }
      const s = this.suggestion(ref);
      if (s && !next.some((n) => n.ref === ref)) next.push(s);
    };
    for (const ref of def.next ?? []) addNext(ref);
    if (cause?.runbook && cause.runbook !== this.runbook.id) addNext(`runbook:${cause.runbook}`);
    for (const m of cause?.mitigations ?? []) addNext(`mitigation:${m}`);
    // Steps are shown with the finding; the closing summary keeps what is left to decide.
    for (const n of next) if (!n.ref.startsWith('step:')) this.suggestions.set(n.ref, n);
    this.findings.push({ stepId, findingId: def.id, ...(cause ? { cause: cause.id } : {}) });
    await this.deps.emit({
      type: 'finding.raised',
      runId: this.request.runId,
      stepId,
      findingId: def.id,
      message,
      detail: failure.detail,
      ...(cause ? { cause: { id: cause.id, title: cause.title, ...(cause.runbook ? { runbook: cause.runbook } : {}) } } : {}),
      next,
      evidence: { lines, ...(artifact ? { artifact } : {}) },
    });
  }

  private suggestion(ref: string): NextSuggestion | undefined {
    const [kind, id] = ref.split(':');
    if (id === undefined) return undefined; // not "<kind>:<id>" (the schema rejects it): nothing to suggest
    if (kind === 'mitigation') {
      const m = this.runbook.mitigations.find((x) => x.id === id);
      return m && { ref, title: m.title, detail: this.mitigationChanges(m) ? 'changes the system: needs your explicit yes' : 'read-only' };
    }
    if (kind === 'runbook') {
      const title = this.request.runbookTitle?.(id);
      return { ref, title: title ?? id, detail: `bud-incident run ${id}` };
    }
    if (kind === 'step') {
      const s = this.runbook.steps.find((x) => x.id === id);
      return s && { ref, title: s.title };
    }
    return undefined;
  }

  /** A check that could not see the system: said as such with how to fix it; not a finding, not passed. */
  private async finishUnchecked(
    stepId: string,
    base: Omit<Extract<EngineEvent, { type: 'step.finished' }>, 'type' | 'status'>,
    why: { reason: string; fix: string },
  ): Promise<StepStatus> {
    this.uncheckedSteps.push(stepId);
    await this.deps.emit({
      ...base,
      type: 'step.finished',
      status: 'unchecked',
      reason: this.deps.redactor.redact(`could not check: ${why.reason} — fix: ${why.fix}`),
    });
    return 'unchecked';
  }

  /** Whether a mitigation's precondition holds on the evidence gathered so far (findings.ts). */
  precondition(req: RequiresDef): Precondition {
    return precondition(req, { diagnosed: this.diagnosed, findings: this.findings, lookup: this.vars.lookup });
  }

  private async finishError(
    stepId: string,
    kind: string,
    title: string,
    attempt: number,
    reason: string,
    durationMs: number,
  ): Promise<StepStatus> {
    this.failedSteps.push(stepId);
    await this.deps.emit({
      type: 'step.finished',
      runId: this.request.runId,
      stepId,
      kind,
      title,
      attempt,
      status: 'error',
      durationMs,
      reason: this.deps.redactor.redact(reason),
    });
    return 'error';
  }

  private async runManual(step: Extract<RunbookStep, { kind: 'manual' }>): Promise<StepStatus> {
    const { runId } = this.request;
    const attempt = this.nextAttempt(step.id);
    await this.deps.emit({
      type: 'step.started',
      runId,
      stepId: step.id,
      kind: 'manual',
      title: this.titleOf(step),
      attempt,
      instructions: this.shown(step.instructions),
      ...(step.copy ? { copy: this.shown(step.copy) } : {}),
    });
    const prompter = this.deps.prompter;
    const recorded = this.request.simulate?.answers?.[step.id];
    let observation: string | undefined;
    let answeredYes = false;
    if (recorded !== undefined && (!this.request.interactive || !prompter)) {
      // A drill's recorded responder: what they saw, or their yes/no to the step's question.
      if (typeof recorded === 'string') observation = recorded;
      else answeredYes = recorded;
    } else if (!this.request.interactive || !prompter) {
      await this.deps.emit({
        type: 'manual.skipped',
        runId,
        stepId: step.id,
        title: this.titleOf(step),
        reason: 'non-interactive run: nobody to confirm it; do it by hand and record it with "bud-incident note"',
      });
      return 'skipped';
    } else {
      const choice = await prompter.select<'done' | 'skip'>(
        `${this.titleOf(step)}: done?`,
        [
          { name: 'Done', value: 'done' },
          { name: 'Skip for now', value: 'skip' },
        ],
        'done',
      );
      if (choice === 'skip') {
        await this.deps.emit({
          type: 'manual.skipped',
          runId,
          stepId: step.id,
          title: this.titleOf(step),
          reason: 'skipped by the responder',
        });
        return 'skipped';
      }
      if (step.record) {
        observation = (await prompter.input('What did you observe? (recorded in the timeline; empty to leave out)')).trim() || undefined;
      }
      if (step.question && step.finding) answeredYes = await prompter.confirm(this.shown(step.question), false);
    }
    await this.deps.emit({
      type: 'manual.confirmed',
      runId,
      stepId: step.id,
      title: this.titleOf(step),
      ...(observation ? { observation: this.deps.redactor.redact(observation) } : {}),
      ...(step.question ? { question: this.shown(step.question), answer: answeredYes ? 'yes' : 'no' } : {}),
    });
    if (answeredYes && step.finding) {
      await this.raise(
        step.id,
        {
          finding: step.finding,
          lines: observation ? [observation] : [],
          values: [],
          detail: `the responder answered yes: ${this.shown(step.question ?? '')}`,
        },
        '',
        0,
        '',
        undefined,
      );
      return 'failed';
    }
    return 'passed';
  }

  private async runPrompt(step: Extract<RunbookStep, { kind: 'prompt' }>): Promise<StepStatus> {
    const { runId } = this.request;
    const def = this.runbook.inputs[step.input];
    const secret = this.vars.isSecret(step.input);
    const shown = (v: string) => (secret ? '[REDACTED]' : v);
    const given = this.vars.given(step.input);
    if (given !== undefined) {
      await this.deps.emit({
        type: 'prompt.answered',
        runId,
        stepId: step.id,
        input: step.input,
        value: shown(given),
        source: this.request.simulate && this.request.vars[step.input] === undefined ? 'scenario' : '--var',
      });
      return 'passed';
    }
    const fallback = this.vars.lookup(step.input);
    const prompter = this.deps.prompter;
    if (!this.request.interactive || !prompter) {
      if (fallback === undefined) {
        return this.finishError(
          step.id,
          'prompt',
          this.titleOf(step),
          this.nextAttempt(step.id),
          `no value for "${step.input}": pass --var ${step.input}=VALUE`,
          0,
        );
      }
      this.vars.set(step.input, fallback);
      await this.deps.emit({
        type: 'prompt.answered',
        runId,
        stepId: step.id,
        input: step.input,
        value: shown(fallback),
        source: 'default',
      });
      return 'passed';
    }
    const value = await prompter.input(step.message ?? def?.description ?? this.titleOf(step), {
      ...(fallback !== undefined ? { defaultValue: fallback } : {}),
      validate: (v) => validateInputValue(step.input, def, v),
      secret,
    });
    this.vars.set(step.input, value);
    await this.deps.emit({ type: 'prompt.answered', runId, stepId: step.id, input: step.input, value: shown(value), source: 'prompt' });
    return 'passed';
  }

  private async runMitigation(step: Extract<RunbookStep, { kind: 'mitigation' }>, signal: AbortSignal): Promise<StepStatus> {
    const { runId } = this.request;
    const m = this.runbook.mitigations.find((x) => x.id === step.mitigation);
    if (!m) throw new Error(`internal: step ${step.id} offers mitigation ${step.mitigation}, which the runbook does not define`);
    // Offered only when the evidence for its precondition is there; otherwise it is moot.
    let because: string | undefined;
    if (m.requires) {
      const gate = this.precondition(m.requires);
      if (!gate.ok) {
        this.moot.add(m.id);
        this.suggestions.delete(`mitigation:${m.id}`);
        await this.deps.emit({
          type: 'step.skipped',
          runId,
          stepId: step.id,
          title: this.titleOf(step),
          reason: `not offered: ${gate.why}`,
        });
        return 'skipped';
      }
      for (const [k, v] of Object.entries(gate.facts)) this.vars.set(`evidence.${k}`, v);
      because = gate.because;
    }
    let command: ResolvedCommand | undefined;
    if (m.run) {
      try {
        command = this.resolve(m.id, m.cluster);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        await this.deps.emit({
          type: 'mitigation.declined',
          runId,
          stepId: step.id,
          mitigationId: m.id,
          reason: `cannot prepare it: ${error.message}`,
        });
        return 'skipped';
      }
    }
    const instructions = m.instructions ? this.shown(m.instructions) : undefined;
    const effect = command ? effectOf(command.argv) : undefined;
    const changes = effect && !effect.readOnly ? effect.why : undefined;
    const changesSystem = this.mitigationChanges(m, command);
    await this.deps.emit({
      type: 'mitigation.proposed',
      runId,
      stepId: step.id,
      mitigationId: m.id,
      title: m.title,
      ...(command ? { command: command.display } : {}),
      ...(instructions ? { instructions } : {}),
      ...(because ? { because: this.deps.redactor.redact(because) } : {}),
      changesSystem,
      ...(changes ? { changes } : {}),
    });
    // Consent (consent.ts): only a typed "yes" or --allow-mitigations; a mitigation done by hand only on a typed "yes".
    const how = await this.settle(mitigationConsent({ hasCommand: command !== undefined, changesSystem }, this.consentContext));
    if (!how) {
      const { reason, detail } = mitigationRefusal(command?.display, this.consentContext);
      this.suggestions.set(`mitigation:${m.id}`, { ref: `mitigation:${m.id}`, title: m.title, detail });
      await this.deps.emit({ type: 'mitigation.declined', runId, stepId: step.id, mitigationId: m.id, reason });
      return 'skipped';
    }
    await this.deps.emit({ type: 'mitigation.approved', runId, stepId: step.id, mitigationId: m.id, how });
    this.suggestions.delete(`mitigation:${m.id}`);
    if (!command) {
      await this.deps.emit({ type: 'mitigation.finished', runId, stepId: step.id, mitigationId: m.id, status: 'passed', manual: true });
      await this.verifyMitigation(m, signal);
      return 'passed';
    }
    const attempt = this.nextAttempt(m.id);
    const { result, filterError, artifacts } = await this.runCommand(m.id, command, this.timeoutOf(m.timeout), signal, attempt);
    const o = result.outcome;
    const program = command.argv[0]?.[0] ?? '';
    let status: StepStatus = 'passed';
    let reason: string | undefined;
    let exitCode: number | undefined;
    if (o.kind === 'exited') {
      exitCode = o.exitCode;
      if (o.exitCode !== 0 || filterError) {
        status = 'failed';
        reason = filterError ?? outcomeReason(o, program, 'mitigation', { stderr: this.deps.redactor.redact(result.stderr) });
      }
    } else if (o.kind === 'cancelled') status = 'cancelled';
    else {
      status = o.kind === 'timeout' ? 'timeout' : 'error';
      reason = outcomeReason(o, program, 'mitigation');
    }
    if (status !== 'passed' && status !== 'cancelled') this.failedSteps.push(step.id);
    await this.deps.emit({
      type: 'mitigation.finished',
      runId,
      stepId: step.id,
      mitigationId: m.id,
      status,
      manual: false,
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(reason ? { reason } : {}),
      ...(artifacts.stdout ? { stdout: artifacts.stdout } : {}),
    });
    if (status === 'passed') await this.verifyMitigation(m, signal);
    return status;
  }

  /** Does this mitigation change the system (consent.ts)? */
  private mitigationChanges(m: MitigationDef, command?: ResolvedCommand): boolean {
    return mitigationChanges(m.changesSystem, command?.argv, this.request.loaded.commands.get(m.id));
  }

  /** What consent can rest on in this run: someone to ask, --allow-mitigations. */
  private get consentContext(): ConsentContext {
    return { canAsk: this.request.interactive && this.deps.prompter !== undefined, allowMitigations: this.request.allowMitigations };
  }

  /** Carries out a consent decision: asks its question when it has one. */
  private async settle<H extends ConsentHow>(decision: ConsentDecision<H>): Promise<H | 'typed-yes' | undefined> {
    if (decision.kind === 'given') return decision.how;
    const prompter = this.deps.prompter;
    if (decision.kind === 'refused' || !prompter) return undefined;
    return typedYes(await prompter.input(decision.question)) ? 'typed-yes' : undefined;
  }

  /** Runs the mitigation's verification check again, so the record shows whether it worked. */
  private async verifyMitigation(m: MitigationDef, signal: AbortSignal): Promise<void> {
    if (!m.verify) return;
    const check = this.runbook.steps.find((s): s is CheckStepDef => s.id === m.verify && s.kind === 'check');
    if (!check) return;
    const status = await this.runCheck(check, signal);
    // The verdict on the fix itself (the check's step.finished alone does not say it verified a mitigation).
    await this.deps.emit({ type: 'mitigation.verified', runId: this.request.runId, stepId: check.id, mitigationId: m.id, status });
  }
}

/**
 * What a step runner gets from the run (check-step.ts, manual-step.ts, prompt-step.ts,
 * mitigation-step.ts): the request and dependencies, the filled variables and the run's shared
 * state (findings, failed and unchecked steps, suggestions, attempts), plus the small helpers the
 * runners share (titles, attempts, timeouts, consent, error endings). The engine (run.ts) builds
 * one context per run, so every runner adds to the same state in the same event order; a runner
 * never reaches into the engine itself.
 */
import type { Prompter } from '../adapters/prompter.js';
import type { ResolvedCommand } from '../runbook/command.js';
import type { MitigationDef, RequiresDef, Runbook } from '../runbook/schema.js';
import type { ReportedCause } from '../diagnosis/report.js';
import { parseDuration } from '../duration.js';
import type { NextSuggestion, StepStatus } from './events.js';
import { precondition as preconditionOn, type Precondition } from './findings.js';
import type { Variables } from './variables.js';
import type { CaptureContext } from './capture.js';
import type { TargetingContext } from './targeting.js';
import { mitigationChanges as changesOf, typedYes, type ConsentContext, type ConsentDecision, type ConsentHow } from './consent.js';
import type { EngineDeps, RaisedFinding, RunRequest } from './request.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The run's state: what the step runners add to and the loop sums up at the end. */
export interface RunState {
  readonly findings: RaisedFinding[];
  readonly failedSteps: string[];
  readonly uncheckedSteps: string[];
  /** Causes named by diagnosis checks so far (what mitigation preconditions are checked against). */
  readonly diagnosed: ReportedCause[];
  /** Mitigations whose precondition failed: never suggested. */
  readonly moot: Set<string>;
  readonly attempts: Map<string, number>;
  readonly suggestions: Map<string, NextSuggestion>;
}

export interface StepContext {
  readonly request: RunRequest;
  readonly deps: EngineDeps;
  readonly runbook: Runbook;
  readonly vars: Variables;
  readonly state: RunState;
}

/** A step's title with its {{inputs}} filled. */
export function titleOf(ctx: StepContext, step: { title: string }): string {
  return ctx.vars.shown(step.title);
}

export function nextAttempt(ctx: StepContext, stepId: string): number {
  const n = (ctx.state.attempts.get(stepId) ?? 0) + 1;
  ctx.state.attempts.set(stepId, n);
  return n;
}

/** A step's timeout: --timeout, then the step's, the runbook's default, the config's, 30s. */
export function timeoutOf(ctx: StepContext, value: string | number | undefined): number {
  if (ctx.request.timeoutOverrideMs) return ctx.request.timeoutOverrideMs;
  return parseDuration(value ?? ctx.runbook.defaults?.timeout ?? ctx.request.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS;
}

/** What cluster targeting needs from this run (targeting.ts). */
export function targetingOf(ctx: StepContext): TargetingContext {
  return {
    lookup: ctx.vars.lookup,
    configValues: ctx.request.configValues,
    cluster: ctx.request.cluster,
    simulate: Boolean(ctx.request.simulate),
  };
}

/** What output capture needs from this run (capture.ts). */
export function captureContextOf(ctx: StepContext): CaptureContext {
  const { artifacts, redactor, emit, show } = ctx.deps;
  return { runId: ctx.request.runId, artifacts, redactor, emit, show };
}

/** What consent can rest on in this run: someone to ask, --allow-mitigations. */
export function consentContextOf(ctx: StepContext): ConsentContext {
  return { canAsk: ctx.request.interactive && ctx.deps.prompter !== undefined, allowMitigations: ctx.request.allowMitigations };
}

/** Whether a mitigation's precondition holds on the evidence gathered so far (findings.ts). */
export function preconditionOf(ctx: StepContext, req: RequiresDef): Precondition {
  return preconditionOn(req, { diagnosed: ctx.state.diagnosed, findings: ctx.state.findings, lookup: ctx.vars.lookup });
}

/** Does this mitigation change the system (consent.ts)? */
export function mitigationChanges(ctx: StepContext, m: MitigationDef, command?: ResolvedCommand): boolean {
  return changesOf(m.changesSystem, command?.argv, ctx.request.loaded.commands.get(m.id));
}

/** Carries out a consent decision: asks its question when it has one. */
export async function settle<H extends ConsentHow>(
  decision: ConsentDecision<H>,
  prompter: Prompter | undefined,
): Promise<H | 'typed-yes' | undefined> {
  if (decision.kind === 'given') return decision.how;
  if (decision.kind === 'refused' || !prompter) return undefined;
  return typedYes(await prompter.input(decision.question)) ? 'typed-yes' : undefined;
}

/** A step that could not be run (error): counted as failed, said why (redacted). */
export async function finishError(
  ctx: StepContext,
  stepId: string,
  kind: string,
  title: string,
  attempt: number,
  reason: string,
  durationMs: number,
): Promise<StepStatus> {
  ctx.state.failedSteps.push(stepId);
  await ctx.deps.emit({
    type: 'step.finished',
    runId: ctx.request.runId,
    stepId,
    kind,
    title,
    attempt,
    status: 'error',
    durationMs,
    reason: ctx.deps.redactor.redact(reason),
  });
  return 'error';
}

/**
 * The check step: resolves its command (or prepares its native read), asks consent when what it
 * runs changes the system, runs it with its output captured, then judges the outcome (judge.ts)
 * and records the verdict: passed, failed with findings raised, unchecked (could not see the
 * system, with how to fix it), or stopped (timeout, error, Ctrl-C).
 */
import { TemplateError } from '../runbook/command.js';
import type { CheckStepDef } from '../runbook/schema.js';
import { EVIDENCE_PREVIEW_LINES } from '../limits.js';
import { redactYielding } from '../secrets/redact.js';
import { unreachable } from '../errors.js';
import { outputLines } from './expect.js';
import type { EngineEvent, StepStatus } from './events.js';
import { capture, previewOf } from './capture.js';
import { prepareNative } from './native-check.js';
import { checkConsent, checkRefusal, type ExplicitHow } from './consent.js';
import { judgeCheck } from './judge.js';
import type { Executed } from './request.js';
import { raise } from './raise-finding.js';
import { execute, firstStage, replayStep, resolve } from './step-command.js';
import {
  captureContextOf,
  consentContextOf,
  finishError,
  nextAttempt,
  settle,
  targetingOf,
  timeoutOf,
  titleOf,
  type StepContext,
} from './step-context.js';

/** When a diagnosis offers several values for an input the step needs, the responder picks one (once). */
async function chooseDiagnosedInputs(ctx: StepContext, step: CheckStepDef): Promise<void> {
  const command = ctx.request.loaded.commands.get(step.id);
  const text = `${command?.source ?? ''} ${step.title}`;
  for (const [name, def] of Object.entries(ctx.runbook.inputs)) {
    if (!def.fromDiagnosis || ctx.vars.given(name) !== undefined || !new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`).test(text)) continue;
    const options = ctx.vars.fromDiagnosis(name);
    if (options.length < 2 || !ctx.request.interactive || !ctx.deps.prompter) continue;
    const choice = await ctx.deps.prompter.select(
      `The diagnosis found ${options.length} candidates for ${name} (${def.description ?? name}). Which one?`,
      options.map((o) => ({ name: o, value: o })),
      options[0],
    );
    ctx.vars.set(name, choice);
  }
}

export async function runCheck(
  ctx: StepContext,
  step: CheckStepDef,
  signal: AbortSignal,
  forced?: { attempt: number },
): Promise<StepStatus> {
  const { runId } = ctx.request;
  const attempt = forced?.attempt ?? nextAttempt(ctx, step.id);
  const timeoutMs = timeoutOf(ctx, step.timeout);
  let command: {
    display: string;
    program: string;
    argv?: string[];
    run: (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void) => Promise<Executed>;
  };
  await chooseDiagnosedInputs(ctx, step);
  let resolvedArgv: string[][] | undefined;
  const sim = ctx.request.simulate;
  try {
    if (step.native) {
      command = prepareNative(step, step.native, timeoutMs, signal, {
        targeting: targetingOf(ctx),
        now: ctx.deps.now,
        clock: ctx.deps.clock,
        ...(ctx.deps.kube ? { kube: ctx.deps.kube } : {}),
        ...(ctx.deps.probe ? { probe: ctx.deps.probe } : {}),
        ...(ctx.request.diagnosis ? { diagnosis: ctx.request.diagnosis } : {}),
        ...(sim ? { replay: (onOutput) => replayStep(ctx, sim, step.id, 'kubernetes-api', timeoutMs, signal, onOutput) } : {}),
      });
    } else {
      const resolved = resolve(ctx, step.id, step.cluster);
      resolvedArgv = resolved.argv;
      command = {
        display: resolved.display,
        ...firstStage(resolved),
        run: (onOutput) => execute(ctx, step.id, resolved, timeoutMs, signal, onOutput),
      };
    }
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    await ctx.deps.emit({ type: 'step.started', runId, stepId: step.id, kind: 'check', title: titleOf(ctx, step), attempt });
    return finishError(ctx, step.id, 'check', titleOf(ctx, step), attempt, error.message, 0);
  }
  // What the command does to the system is decided by what it runs: a check that changes it needs consent.
  const gate = checkConsent(
    {
      ...(resolvedArgv ? { argv: resolvedArgv } : {}),
      ...(step.readOnly !== undefined ? { readOnly: step.readOnly } : {}),
      simulate: Boolean(ctx.request.simulate),
      display: command.display,
    },
    consentContextOf(ctx),
  );
  let consent: { how: ExplicitHow; changes: string } | undefined;
  if (gate.needed) {
    const how = await settle(gate.decision, ctx.deps.prompter);
    if (!how) {
      ctx.state.uncheckedSteps.push(step.id);
      await ctx.deps.emit({
        type: 'step.skipped',
        runId,
        stepId: step.id,
        title: titleOf(ctx, step),
        reason: checkRefusal(gate.changes, command.display, consentContextOf(ctx)),
      });
      return 'skipped';
    }
    consent = { how, changes: gate.changes };
  }
  const declaredReadOnly = gate.needed ? undefined : gate.declaredReadOnly;
  await ctx.deps.emit({
    type: 'step.started',
    runId,
    stepId: step.id,
    kind: 'check',
    title: titleOf(ctx, step),
    command: command.display,
    attempt,
    ...(declaredReadOnly ? { declaredReadOnly } : {}),
    ...(consent ? { consent } : {}),
  });
  const executed = await capture(captureContextOf(ctx), step.id, attempt, command.run, step.evidence);
  const { result, filterError, artifacts } = executed;
  // Evidence is judged by its preview only (its file holds it all): it can be huge.
  const stdout = step.evidence ? previewOf(executed.stdout) : executed.stdout;
  // Up to megabytes: redacted in slices, so timeouts and Ctrl-C are served meanwhile.
  const redactedStdout = await redactYielding(ctx.deps.redactor, stdout);
  const redactedStderr = await redactYielding(ctx.deps.redactor, result.stderr);
  const tail = step.evidence
    ? outputLines(redactedStdout || redactedStderr).slice(0, EVIDENCE_PREVIEW_LINES)
    : outputLines(redactedStdout || redactedStderr).slice(-15);
  const base = {
    runId,
    stepId: step.id,
    kind: 'check',
    title: titleOf(ctx, step),
    attempt,
    command: command.display,
    durationMs: result.durationMs,
    ...(artifacts.stdout ? { stdout: artifacts.stdout } : {}),
    ...(artifacts.stderr ? { stderr: artifacts.stderr } : {}),
    outputTail: tail,
    ...(executed.notes?.length ? { notes: executed.notes } : {}),
    ...(result.leftovers ? { leftovers: result.leftovers } : {}),
  };
  const abortReason = ctx.deps.interrupts.abortReason;
  const verdict = judgeCheck({
    stepId: step.id,
    title: titleOf(ctx, step),
    runbookId: ctx.runbook.id,
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
      return finishUnchecked(ctx, step.id, base, verdict);
    case 'stopped': {
      const { status, reason, exitCode } = verdict;
      if (status !== 'cancelled') ctx.state.failedSteps.push(step.id);
      await ctx.deps.emit({ ...base, type: 'step.finished', status, ...(exitCode !== undefined ? { exitCode } : {}), reason });
      return status;
    }
    case 'judged': {
      const { status, exitCode, failures, couldNot, reason, causes } = verdict;
      ctx.state.diagnosed.push(...causes);
      if (couldNot.length) ctx.state.uncheckedSteps.push(step.id);
      await ctx.deps.emit({ ...base, type: 'step.finished', status, exitCode, ...(reason !== undefined ? { reason } : {}) });
      for (const failure of failures) await raise(ctx, step.id, failure, command.display, exitCode, redactedStderr, artifacts.stdout);
      return status;
    }
    default:
      return unreachable(verdict);
  }
}

/** A check that could not see the system: said as such with how to fix it; not a finding, not passed. */
async function finishUnchecked(
  ctx: StepContext,
  stepId: string,
  base: Omit<Extract<EngineEvent, { type: 'step.finished' }>, 'type' | 'status'>,
  why: { reason: string; fix: string },
): Promise<StepStatus> {
  ctx.state.uncheckedSteps.push(stepId);
  await ctx.deps.emit({
    ...base,
    type: 'step.finished',
    status: 'unchecked',
    reason: ctx.deps.redactor.redact(`could not check: ${why.reason} — fix: ${why.fix}`),
  });
  return 'unchecked';
}

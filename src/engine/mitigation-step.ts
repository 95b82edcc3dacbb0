/**
 * The mitigation step: offered only while its precondition holds on the evidence (else moot and
 * never suggested), proposed with what it changes, run only on consent (consent.ts: a typed "yes"
 * or --allow-mitigations), then verified by running its verification check again, so the record
 * shows whether the fix worked. Declined ones stay in the run's suggestions.
 */
import { TemplateError, type ResolvedCommand } from '../runbook/command.js';
import { effectOf } from '../runbook/effects.js';
import type { CheckStepDef, MitigationDef, RunbookStep } from '../runbook/schema.js';
import type { StepStatus } from './events.js';
import { mitigationConsent, mitigationRefusal } from './consent.js';
import { outcomeReason } from './judge.js';
import { runCheck } from './check-step.js';
import { resolve, runCommand } from './step-command.js';
import {
  consentContextOf,
  mitigationChanges,
  nextAttempt,
  preconditionOf,
  settle,
  timeoutOf,
  titleOf,
  type StepContext,
} from './step-context.js';

export async function runMitigation(
  ctx: StepContext,
  step: Extract<RunbookStep, { kind: 'mitigation' }>,
  signal: AbortSignal,
): Promise<StepStatus> {
  const { runId } = ctx.request;
  const m = ctx.runbook.mitigations.find((x) => x.id === step.mitigation);
  if (!m) throw new Error(`internal: step ${step.id} offers mitigation ${step.mitigation}, which the runbook does not define`);
  // Offered only when the evidence for its precondition is there; otherwise it is moot.
  let because: string | undefined;
  if (m.requires) {
    const gate = preconditionOf(ctx, m.requires);
    if (!gate.ok) {
      ctx.state.moot.add(m.id);
      ctx.state.suggestions.delete(`mitigation:${m.id}`);
      await ctx.deps.emit({
        type: 'step.skipped',
        runId,
        stepId: step.id,
        title: titleOf(ctx, step),
        reason: `not offered: ${gate.why}`,
      });
      return 'skipped';
    }
    for (const [k, v] of Object.entries(gate.facts)) ctx.vars.set(`evidence.${k}`, v);
    because = gate.because;
  }
  let command: ResolvedCommand | undefined;
  if (m.run) {
    try {
      command = resolve(ctx, m.id, m.cluster);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      await ctx.deps.emit({
        type: 'mitigation.declined',
        runId,
        stepId: step.id,
        mitigationId: m.id,
        reason: `cannot prepare it: ${error.message}`,
      });
      return 'skipped';
    }
  }
  const instructions = m.instructions ? ctx.vars.shown(m.instructions) : undefined;
  const effect = command ? effectOf(command.argv) : undefined;
  const changes = effect && !effect.readOnly ? effect.why : undefined;
  const changesSystem = mitigationChanges(ctx, m, command);
  await ctx.deps.emit({
    type: 'mitigation.proposed',
    runId,
    stepId: step.id,
    mitigationId: m.id,
    title: m.title,
    ...(command ? { command: command.display } : {}),
    ...(instructions ? { instructions } : {}),
    ...(because ? { because: ctx.deps.redactor.redact(because) } : {}),
    changesSystem,
    ...(changes ? { changes } : {}),
  });
  // Consent (consent.ts): only a typed "yes" or --allow-mitigations; a mitigation done by hand only on a typed "yes".
  const how = await settle(
    mitigationConsent({ hasCommand: command !== undefined, changesSystem }, consentContextOf(ctx)),
    ctx.deps.prompter,
  );
  if (!how) {
    const { reason, detail } = mitigationRefusal(command?.display, consentContextOf(ctx));
    ctx.state.suggestions.set(`mitigation:${m.id}`, { ref: `mitigation:${m.id}`, title: m.title, detail });
    await ctx.deps.emit({ type: 'mitigation.declined', runId, stepId: step.id, mitigationId: m.id, reason });
    return 'skipped';
  }
  await ctx.deps.emit({ type: 'mitigation.approved', runId, stepId: step.id, mitigationId: m.id, how });
  ctx.state.suggestions.delete(`mitigation:${m.id}`);
  if (!command) {
    await ctx.deps.emit({ type: 'mitigation.finished', runId, stepId: step.id, mitigationId: m.id, status: 'passed', manual: true });
    await verifyMitigation(ctx, m, signal);
    return 'passed';
  }
  const attempt = nextAttempt(ctx, m.id);
  const { result, filterError, artifacts } = await runCommand(ctx, m.id, command, timeoutOf(ctx, m.timeout), signal, attempt);
  const o = result.outcome;
  const program = command.argv[0]?.[0] ?? '';
  let status: StepStatus = 'passed';
  let reason: string | undefined;
  let exitCode: number | undefined;
  if (o.kind === 'exited') {
    exitCode = o.exitCode;
    if (o.exitCode !== 0 || filterError) {
      status = 'failed';
      reason = filterError ?? outcomeReason(o, program, 'mitigation', { stderr: ctx.deps.redactor.redact(result.stderr) });
    }
  } else if (o.kind === 'cancelled') status = 'cancelled';
  else {
    status = o.kind === 'timeout' ? 'timeout' : 'error';
    reason = outcomeReason(o, program, 'mitigation');
  }
  if (status !== 'passed' && status !== 'cancelled') ctx.state.failedSteps.push(step.id);
  await ctx.deps.emit({
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
  if (status === 'passed') await verifyMitigation(ctx, m, signal);
  return status;
}

/** Runs the mitigation's verification check again, so the record shows whether it worked. */
async function verifyMitigation(ctx: StepContext, m: MitigationDef, signal: AbortSignal): Promise<void> {
  if (!m.verify) return;
  const check = ctx.runbook.steps.find((s): s is CheckStepDef => s.id === m.verify && s.kind === 'check');
  if (!check) return;
  const status = await runCheck(ctx, check, signal);
  // The verdict on the fix itself (the check's step.finished alone does not say it verified a mitigation).
  await ctx.deps.emit({ type: 'mitigation.verified', runId: ctx.request.runId, stepId: check.id, mitigationId: m.id, status });
}

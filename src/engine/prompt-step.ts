/**
 * The prompt step: fills one input from --var or the scenario, else asks the responder (validated
 * against the input's pattern, hidden when secret), else takes its default; with nobody to ask and
 * no default it is an error naming the --var to pass. A secret's value is never recorded.
 */
import type { RunbookStep } from '../runbook/schema.js';
import { validateInputValue } from '../runbook/template.js';
import type { StepStatus } from './events.js';
import { finishError, nextAttempt, titleOf, type StepContext } from './step-context.js';

export async function runPrompt(ctx: StepContext, step: Extract<RunbookStep, { kind: 'prompt' }>): Promise<StepStatus> {
  const { runId } = ctx.request;
  const def = ctx.runbook.inputs[step.input];
  const secret = ctx.vars.isSecret(step.input);
  const shown = (v: string) => (secret ? '[REDACTED]' : v);
  const given = ctx.vars.given(step.input);
  if (given !== undefined) {
    await ctx.deps.emit({
      type: 'prompt.answered',
      runId,
      stepId: step.id,
      input: step.input,
      value: shown(given),
      source: ctx.request.simulate && ctx.request.vars[step.input] === undefined ? 'scenario' : '--var',
    });
    return 'passed';
  }
  const fallback = ctx.vars.lookup(step.input);
  const prompter = ctx.deps.prompter;
  if (!ctx.request.interactive || !prompter) {
    if (fallback === undefined) {
      return finishError(
        ctx,
        step.id,
        'prompt',
        titleOf(ctx, step),
        nextAttempt(ctx, step.id),
        `no value for "${step.input}": pass --var ${step.input}=VALUE`,
        0,
      );
    }
    ctx.vars.set(step.input, fallback);
    await ctx.deps.emit({
      type: 'prompt.answered',
      runId,
      stepId: step.id,
      input: step.input,
      value: shown(fallback),
      source: 'default',
    });
    return 'passed';
  }
  const value = await prompter.input(step.message ?? def?.description ?? titleOf(ctx, step), {
    ...(fallback !== undefined ? { defaultValue: fallback } : {}),
    validate: (v) => validateInputValue(step.input, def, v),
    secret,
  });
  ctx.vars.set(step.input, value);
  await ctx.deps.emit({ type: 'prompt.answered', runId, stepId: step.id, input: step.input, value: shown(value), source: 'prompt' });
  return 'passed';
}

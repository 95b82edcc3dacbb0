/**
 * The manual step: shows the responder what to do and asks whether it is done (and, when the
 * step asks a question with a finding, their yes or no); in a drill the scenario's recorded answer
 * stands in, and with nobody to ask it is skipped with how to record it by hand.
 */
import type { RunbookStep } from '../runbook/schema.js';
import type { StepStatus } from './events.js';
import { raise } from './raise-finding.js';
import { nextAttempt, titleOf, type StepContext } from './step-context.js';

export async function runManual(ctx: StepContext, step: Extract<RunbookStep, { kind: 'manual' }>): Promise<StepStatus> {
  const { runId } = ctx.request;
  const attempt = nextAttempt(ctx, step.id);
  await ctx.deps.emit({
    type: 'step.started',
    runId,
    stepId: step.id,
    kind: 'manual',
    title: titleOf(ctx, step),
    attempt,
    instructions: ctx.vars.shown(step.instructions),
    ...(step.copy ? { copy: ctx.vars.shown(step.copy) } : {}),
  });
  const prompter = ctx.deps.prompter;
  const recorded = ctx.request.simulate?.answers?.[step.id];
  let observation: string | undefined;
  let answeredYes = false;
  if (recorded !== undefined && (!ctx.request.interactive || !prompter)) {
    // A drill's recorded responder: what they saw, or their yes/no to the step's question.
    if (typeof recorded === 'string') observation = recorded;
    else answeredYes = recorded;
  } else if (!ctx.request.interactive || !prompter) {
    await ctx.deps.emit({
      type: 'manual.skipped',
      runId,
      stepId: step.id,
      title: titleOf(ctx, step),
      reason: 'non-interactive run: nobody to confirm it; do it by hand and record it with "bud-incident note"',
    });
    return 'skipped';
  } else {
    const choice = await prompter.select<'done' | 'skip'>(
      `${titleOf(ctx, step)}: done?`,
      [
        { name: 'Done', value: 'done' },
        { name: 'Skip for now', value: 'skip' },
      ],
      'done',
    );
    if (choice === 'skip') {
      await ctx.deps.emit({
        type: 'manual.skipped',
        runId,
        stepId: step.id,
        title: titleOf(ctx, step),
        reason: 'skipped by the responder',
      });
      return 'skipped';
    }
    if (step.record) {
      observation = (await prompter.input('What did you observe? (recorded in the timeline; empty to leave out)')).trim() || undefined;
    }
    if (step.question && step.finding) answeredYes = await prompter.confirm(ctx.vars.shown(step.question), false);
  }
  await ctx.deps.emit({
    type: 'manual.confirmed',
    runId,
    stepId: step.id,
    title: titleOf(ctx, step),
    ...(observation ? { observation: ctx.deps.redactor.redact(observation) } : {}),
    ...(step.question ? { question: ctx.vars.shown(step.question), answer: answeredYes ? 'yes' : 'no' } : {}),
  });
  if (answeredYes && step.finding) {
    await raise(
      ctx,
      step.id,
      {
        finding: step.finding,
        lines: observation ? [observation] : [],
        values: [],
        detail: `the responder answered yes: ${ctx.vars.shown(step.question ?? '')}`,
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

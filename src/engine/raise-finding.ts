/**
 * Raising a finding: its message (filled, redacted), its cause, and what to do next (a mitigation
 * whose precondition holds, the cause's runbook, a step), kept as the run's suggestions for the
 * closing summary. Used by the check runner (a failed expectation) and the manual runner (a
 * responder's yes). The message text itself is built in findings.ts (pure).
 */
import type { ExpectationFailure } from './expect.js';
import type { ArtifactRef, NextSuggestion } from './events.js';
import { findingMessage } from './findings.js';
import { mitigationChanges, preconditionOf, type StepContext } from './step-context.js';

export async function raise(
  ctx: StepContext,
  stepId: string,
  failure: ExpectationFailure,
  command: string,
  exitCode: number,
  stderr: string,
  artifact: ArtifactRef | undefined,
): Promise<void> {
  const { runbook } = ctx;
  const def = failure.finding;
  // Table output pads columns with runs of spaces; one space reads better inside a sentence.
  const lines = failure.lines.map((l) => l.replace(/\s+/g, ' ').trim()).map((l) => (l.length > 300 ? l.slice(0, 300) + '…' : l));
  const message = ctx.deps.redactor.redact(
    findingMessage(def.message, failure, lines, { command, stepId, exitCode, stderr }, ctx.vars.shownLookup),
  );
  const cause = def.cause ? runbook.causes.find((c) => c.id === def.cause) : undefined;
  const next: NextSuggestion[] = [];
  const addNext = (ref: string) => {
    // A mitigation whose precondition the evidence does not meet is not a next step.
    if (ref.startsWith('mitigation:')) {
      const m = runbook.mitigations.find((x) => `mitigation:${x.id}` === ref);
      if (m?.requires && !preconditionOf(ctx, m.requires).ok) return;
    }
    const s = suggestion(ctx, ref);
    if (s && !next.some((n) => n.ref === ref)) next.push(s);
  };
  for (const ref of def.next ?? []) addNext(ref);
  if (cause?.runbook && cause.runbook !== runbook.id) addNext(`runbook:${cause.runbook}`);
  for (const m of cause?.mitigations ?? []) addNext(`mitigation:${m}`);
  // Steps are shown with the finding; the closing summary keeps what is left to decide.
  for (const n of next) if (!n.ref.startsWith('step:')) ctx.state.suggestions.set(n.ref, n);
  ctx.state.findings.push({ stepId, findingId: def.id, ...(cause ? { cause: cause.id } : {}) });
  await ctx.deps.emit({
    type: 'finding.raised',
    runId: ctx.request.runId,
    stepId,
    findingId: def.id,
    message,
    detail: failure.detail,
    ...(cause ? { cause: { id: cause.id, title: cause.title, ...(cause.runbook ? { runbook: cause.runbook } : {}) } } : {}),
    next,
    evidence: { lines, ...(artifact ? { artifact } : {}) },
  });
}

/** What "<kind>:<id>" suggests: a mitigation (and whether it changes the system), a runbook, a step. */
function suggestion(ctx: StepContext, ref: string): NextSuggestion | undefined {
  const [kind, id] = ref.split(':');
  if (id === undefined) return undefined; // not "<kind>:<id>" (the schema rejects it): nothing to suggest
  if (kind === 'mitigation') {
    const m = ctx.runbook.mitigations.find((x) => x.id === id);
    return m && { ref, title: m.title, detail: mitigationChanges(ctx, m) ? 'changes the system: needs your explicit yes' : 'read-only' };
  }
  if (kind === 'runbook') {
    const title = ctx.request.runbookTitle?.(id);
    return { ref, title: title ?? id, detail: `bud-incident run ${id}` };
  }
  if (kind === 'step') {
    const s = ctx.runbook.steps.find((x) => x.id === id);
    return s && { ref, title: s.title };
  }
  return undefined;
}

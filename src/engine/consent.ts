/**
 * Consent: may this command (a check's or a mitigation's) run, and how was consent given? Pure
 * decisions, table-tested (test/unit/consent.test.ts); the engine asks the question a decision
 * names and records the answer.
 *
 * The rules: what a command does to the system is decided by what it runs (runbook/effects.ts), not
 * by what the runbook says (`changesSystem: false` never waives a change; `readOnly` is believed only
 * for a program the tool cannot judge). A change runs only on an explicit yes: --allow-mitigations,
 * or "yes" typed in an interactive run. --yes never reaches here as consent (it makes the run
 * non-interactive). A mitigation done by hand is done only when a person says so (a typed "yes"),
 * whatever the flags: a run that cannot ask cannot count it done.
 */
import type { ParsedCommand } from '../runbook/command.js';
import { effectOf, effectOfParsed } from '../runbook/effects.js';

/** How consent to run something was given (recorded with the step). */
export type ConsentHow = 'typed-yes' | '--allow-mitigations' | 'not-changing';

/** What the run can do about consent. */
export interface ConsentContext {
  /** Someone can be asked: an interactive run with a prompter (never with --yes or --json). */
  canAsk: boolean;
  allowMitigations: boolean;
}

/** An explicit yes: what a change needs. */
export type ExplicitHow = Exclude<ConsentHow, 'not-changing'>;

export type ConsentDecision<H extends ConsentHow = ConsentHow> =
  | { kind: 'given'; how: H }
  /** Ask this; a typed "yes" (typedYes) is consent, anything else declines. */
  | { kind: 'ask'; question: string }
  | { kind: 'refused' };

/** A check's consent: none needed when it only reads; otherwise what it changes and the decision. */
export type CheckConsent =
  { needed: false; declaredReadOnly?: string } | { needed: true; changes: string; decision: ConsentDecision<ExplicitHow> };

/** An explicit yes to a change: --allow-mitigations, or else ask when someone can answer. */
function explicitYes(ctx: ConsentContext, question: string): ConsentDecision<ExplicitHow> {
  if (ctx.allowMitigations) return { kind: 'given', how: '--allow-mitigations' };
  return ctx.canAsk ? { kind: 'ask', question } : { kind: 'refused' };
}

/** Whether an answer to a consent question is a yes: "yes" typed, in any case, nothing else. */
export function typedYes(answer: string): boolean {
  return answer.trim().toLowerCase() === 'yes';
}

/**
 * May a check run? A native check and a replayed one (a drill runs nothing) need no consent; a
 * command that only reads needs none (`declaredReadOnly`: the runbook vouched for a program the
 * tool cannot judge); one that changes the system needs an explicit yes.
 */
export function checkConsent(
  check: { argv?: string[][]; readOnly?: string; simulate: boolean; display: string },
  ctx: ConsentContext,
): CheckConsent {
  if (!check.argv || check.simulate) return { needed: false };
  const effect = effectOf(check.argv, check.readOnly);
  if (effect.readOnly) return { needed: false, ...(effect.declared ? { declaredReadOnly: effect.declared } : {}) };
  return {
    needed: true,
    changes: effect.why,
    decision: explicitYes(
      ctx,
      `This check CHANGES THE SYSTEM (${effect.why}):\n  ${check.display}\nType "yes" to run it (anything else skips it):`,
    ),
  };
}

/** Why a changing check was not run (the step's skip reason). */
export function checkRefusal(changes: string, display: string, ctx: Pick<ConsentContext, 'canAsk'>): string {
  return `not run: it changes the system (${changes}); a check runs without consent only when it is read-only. ${
    ctx.canAsk ? 'Declined by the responder' : 'It needs a typed "yes" in an interactive run, or --allow-mitigations'
  }; by hand: ${display}`;
}

/**
 * Does a mitigation change the system? By what its command runs (the filled one when there is one,
 * else the runbook's parsed one), or as the runbook says when it says so: `changesSystem: false`
 * never waives a change. A mitigation with no command changes only what the runbook says.
 */
export function mitigationChanges(declared: boolean | undefined, filled?: string[][], parsed?: ParsedCommand): boolean {
  if (declared) return true;
  if (filled) return !effectOf(filled).readOnly;
  return parsed ? !effectOfParsed(parsed).readOnly : false;
}

/** May a mitigation run (or count as done by hand)? */
export function mitigationConsent(m: { hasCommand: boolean; changesSystem: boolean }, ctx: ConsentContext): ConsentDecision {
  if (!m.hasCommand)
    return ctx.canAsk
      ? { kind: 'ask', question: `Type "yes" once you have done it by hand (anything else: not done):` }
      : { kind: 'refused' };
  if (!m.changesSystem) return { kind: 'given', how: 'not-changing' };
  return explicitYes(ctx, `This CHANGES THE SYSTEM. Type "yes" to run it (anything else declines):`);
}

/** Why a mitigation was not run (or not counted done), and what the closing summary suggests instead. */
export function mitigationRefusal(display: string | undefined, ctx: Pick<ConsentContext, 'canAsk'>): { reason: string; detail: string } {
  const asked = ctx.canAsk;
  const reason = asked
    ? display !== undefined
      ? 'declined by the responder'
      : 'not done: the responder did not confirm doing it'
    : display !== undefined
      ? 'not run: changing the system needs a typed "yes" in an interactive run, or --allow-mitigations'
      : 'not done: proposed only; a mitigation done by hand counts once a person confirms it (a typed "yes"), and this run could not ask';
  const detail =
    display !== undefined
      ? `${asked ? 'declined' : 'not run'}; to run it by hand: ${display}`
      : `${asked ? 'not done' : 'proposed'}; once done by hand, record it: bud-incident milestone mitigated`;
  return { reason, detail };
}

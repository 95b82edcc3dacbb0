/**
 * The declaration message (the policy's SEVn-declared template, filled from the incident) and the
 * banner that opens every message of a drill.
 */
import { renderTemplate } from '../runbook/template.js';
import type { Policy } from './policy.js';
import type { IncidentState } from './state.js';

/** The first line of a drill's messages: nobody who reads one pasted in a channel takes it for a real incident. */
export const DRILL_BANNER = '[DRILL — a rehearsal, not a real incident]';

/** Fills the policy's SEVn-declared message. */
export function declaredMessage(policy: Policy, state: IncidentState): string {
  // A role nobody holds yet is said so, never "@name" (a template may put "@" before it).
  const UNASSIGNED = '\u0000unassigned:';
  return renderTemplate(
    policy.templates.declared,
    (n) =>
      ({
        severity: state.severity,
        summary: state.summary ?? state.title,
        impact: state.impact ?? 'not stated yet',
        commander: state.roles.commander ?? `${UNASSIGNED}commander`,
        techLead: state.roles['tech-lead'] ?? `${UNASSIGNED}tech-lead`,
        title: state.title,
        channel: state.channel,
      })[n],
  )
    .replace(/@?\u0000unassigned:([a-z-]+)/g, (_, role: string) => `not assigned yet (bud-incident assign ${role} NAME)`)
    .trimEnd();
}

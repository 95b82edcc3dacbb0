/**
 * The order lifecycle milestones must keep (detected → declared → … → resolved), and the check a
 * backdated milestone or resolution must pass. Pure: a function of the incident's state and a time.
 */
import { MILESTONE_ORDER, type IncidentState } from './state.js';

/** The lifecycle order milestones must respect. */
export const LIFECYCLE = MILESTONE_ORDER;

/** Why `name` at `at` would break the order of the milestones a person gave, or undefined. */
export function checkMilestoneOrder(state: IncidentState, name: string, at: Date): string | undefined {
  const idx = LIFECYCLE.indexOf(name);
  if (idx < 0) return undefined;
  for (const [other, m] of Object.entries(state.milestones)) {
    const j = LIFECYCLE.indexOf(other);
    if (j < 0 || other === name || (other === 'declared' && name === 'detected')) continue;
    // Only what a person gave binds: their milestones, and detection and declaration (declare --at).
    // A derived one (a run's 'investigating') never refuses a person's milestone; it is shown no later than it.
    if (m.source === 'derived' && other !== 'detected' && other !== 'declared') continue;
    const t = new Date(m.at).getTime();
    if (j < idx && at.getTime() < t) return `${name} at ${at.toISOString()} would come before ${other} (${m.at})`;
    if (j > idx && at.getTime() > t) return `${name} at ${at.toISOString()} would come after ${other} (${m.at})`;
  }
  return undefined;
}

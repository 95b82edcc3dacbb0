/**
 * What went right and wrong, from the timeline's facts: the response time, status updates against
 * their cadence, escalations against the matrix, checklist items never done. Pure functions.
 */
import { parseDuration } from '../duration.js';
import { escalationPlan, incidentStart, responseDeadline } from '../incident/decisions.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';

export interface Deviation {
  kind: 'response' | 'update' | 'escalation' | 'checklist';
  good: boolean;
  text: string;
}

/** The grace when the policy names none (our default, like the cadences). */
const DEFAULT_GRACE = '5m';
const fmt = (d: Date) => d.toISOString().slice(11, 16);
const mins = (ms: number) => `${Math.round(ms / 60_000)}m`;

export function deviations(
  policy: Policy,
  state: IncidentState,
  checklistGaps: Array<{ checklist: string; items: string[] }>,
): Deviation[] {
  const out: Deviation[] = [];
  const start = incidentStart(state).getTime();
  const end = state.resolvedAt ? new Date(state.resolvedAt).getTime() : new Date(state.lastTs || state.openedAt).getTime();
  const sev = state.severity;

  const rd = responseDeadline(policy, state);
  if (rd.acknowledgedAt) {
    const took = rd.acknowledgedAt.getTime() - start;
    out.push(
      rd.met
        ? {
            kind: 'response',
            good: true,
            text: `Responded in ${mins(took)}, within the ${rd.responseTime} response time for ${rd.severity}`,
          }
        : {
            kind: 'response',
            good: false,
            text: `Responded after ${mins(took)}, beyond the ${rd.responseTime} response time for ${rd.severity} (deadline ${fmt(rd.deadline)} UTC)`,
          },
    );
  } else out.push({ kind: 'response', good: false, text: `No response was recorded (deadline ${fmt(rd.deadline)} UTC)` });

  const grace = parseDuration(policy.updates?.grace ?? DEFAULT_GRACE) ?? 0;
  const cadence = policy.severities[sev].updateEvery;
  const every = parseDuration(cadence ?? '') ?? undefined;
  if (every !== undefined) {
    // The cadence is ours unless the organisation made it its rule: say whose rule was missed.
    const rule = `${policy.updates?.source === 'policy' ? "the policy's" : 'our'} ${cadence} ${policy.updates?.source === 'policy' ? 'cadence' : 'default'} for ${sev}`;
    let due = start + every;
    let prev = start;
    let announced = false;
    const against = () => (announced ? `against the next update announced for ${fmt(new Date(due))} UTC` : `against ${rule}`);
    let late = 0;
    for (const u of state.updates) {
      const at = new Date(u.at).getTime();
      if (at > due + grace) {
        late++;
        out.push({
          kind: 'update',
          good: false,
          text: `No update for ${mins(at - prev)} (${fmt(new Date(prev))}–${fmt(new Date(at))} UTC) ${against()}`,
        });
      }
      prev = at;
      if (u.status.toLowerCase() === 'resolved') {
        // The all-clear is the last update: the next is due only if the incident was reopened after it.
        const reopened = state.reopenings.map((r) => Date.parse(r)).find((r) => r >= at);
        if (reopened !== undefined) prev = reopened;
        due = reopened !== undefined ? reopened + every : Infinity;
        announced = false;
      } else {
        due = u.nextUpdateAt ? new Date(u.nextUpdateAt).getTime() : at + every;
        // An update announces the cadence's time unless the responder named another (--next-update).
        announced = due !== at + every;
      }
    }
    if (state.updates.length && due + grace < end) {
      late++;
      out.push({
        kind: 'update',
        good: false,
        text: `No update for ${mins(end - prev)} after ${fmt(new Date(prev))} UTC (until ${state.resolvedAt ? 'resolution' : 'the last record'} at ${fmt(new Date(end))} UTC) ${against()}`,
      });
    }
    if (state.updates.length && late === 0)
      out.push({ kind: 'update', good: true, text: `All ${state.updates.length} status update(s) went out within ${rule}` });
    if (!state.updates.length && end - start > every)
      out.push({ kind: 'update', good: false, text: `No status update was posted in ${mins(end - start)}, against ${rule}` });
  }

  const plan = escalationPlan(policy, state, new Date(end));
  let escLate = 0;
  for (const l of plan.levels) {
    if (!l.dueAt || l.dueAt.getTime() > end) continue;
    if (!l.doneAt) {
      escLate++;
      out.push({
        kind: 'escalation',
        good: false,
        text: `${l.level} (${l.who}) was due at ${fmt(l.dueAt)} UTC (${l.why}) and was never recorded as engaged`,
      });
    } else if (l.doneAt.getTime() > l.dueAt.getTime() + grace) {
      escLate++;
      out.push({
        kind: 'escalation',
        good: false,
        text: `${l.level} (${l.who}) engaged at ${fmt(l.doneAt)} UTC, ${mins(l.doneAt.getTime() - l.dueAt.getTime())} after it was due (${l.why})`,
      });
    }
  }
  const dueCount = plan.levels.filter((l) => l.dueAt && l.dueAt.getTime() <= end).length;
  if (dueCount && !escLate)
    out.push({
      kind: 'escalation',
      good: true,
      text: `Escalations followed the matrix (${plan.levels
        .filter((l) => l.doneAt)
        .map((l) => l.level)
        .join(', ')})`,
    });

  for (const gap of checklistGaps) {
    if (gap.items.length)
      out.push({ kind: 'checklist', good: false, text: `${gap.checklist} checklist items never done: ${gap.items.join('; ')}` });
    else out.push({ kind: 'checklist', good: true, text: `${gap.checklist} checklist complete` });
  }
  return out;
}

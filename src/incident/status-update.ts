/**
 * The §3.4 status update, filled from the incident into the policy's template. Pure: the same
 * incident, findings and time give the same message. Also: the playbook's update statuses as typed
 * (normaliseStatus) and where an update is posted (whereToPost).
 *
 * What it may say is limited to what the record supports: only findings that are evidence about
 * the live system (never a drill's, never one whose check could not see the system, never one a
 * later check refuted: see findings.ts). A Resolved update is the last one: it says what was done
 * (the resolution, the mitigations that passed) and what is known (the confirmed root cause), and
 * promises no next update; follow-up action items are not current actions. A mitigation whose
 * verification check failed afterwards is "applied but did not verify", never "Done". In a drill
 * incident, the drill's own (simulated) findings are what it knows, marked [simulated].
 */
import { renderTemplate } from '../runbook/template.js';
import { isEvidence, type JudgedFinding } from './findings.js';
import type { Policy } from './policy.js';
import type { IncidentState } from './state.js';

export interface StatusUpdateRequest {
  status: string;
  impact: string;
  now: Date;
  /** When the next update is due; ignored for a Resolved update. */
  nextAt: Date;
  /** The responder's own "What We Know" / "Current Actions" text, instead of the record's. */
  findings?: string;
  actions?: string;
  /** §3.4 "[Number of users/requests]": given with this update, else the last ones recorded. */
  usersAffected?: string;
  requestsFailed?: string;
}

/** §3.4's "Number of users/requests" line: what is counted, and says so when nothing is. */
export function affectedLine(users: string | undefined, requests: string | undefined): string {
  if (!users && !requests) return '- Users/requests affected: not counted yet';
  return `- ${[users ? `Users affected: ${users}` : 'Users affected: not counted yet', requests ? `Requests failed: ${requests}` : 'Requests failed: not counted yet'].join(' · ')}`;
}

const hm = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString()).slice(11, 16);

/**
 * "What We Know": the confirmed root cause for a Resolved update, else the latest findings that stand.
 * The confirmed root cause is `resolve --root-cause` when given (notes tagged root-cause before it were
 * hypotheses, possibly abandoned), else the notes tagged root-cause.
 */
export function whatWeKnow(state: IncidentState, findings: JudgedFinding[], resolved: boolean): string {
  const confirmed = state.rootCause
    ? [`- Root cause: ${state.rootCause}`]
    : state.notes.filter((n) => n.tags.includes('root-cause')).map((n) => `- ${n.text}`);
  if (resolved) return (confirmed.length ? confirmed : ['- Root cause: not confirmed yet (it will be in the post-mortem)']).join('\n');
  const evidence = findings
    .filter(isEvidence)
    .slice(-5)
    .map((f) => `- ${f.simulated ? '[simulated] ' : ''}${f.message}`);
  return [...confirmed, ...evidence].join('\n') || '- Investigation in progress';
}

type Mitigation = IncidentState['mitigations'][number];

/**
 * Why an applied mitigation is not known to have worked: its verification check re-ran afterwards and
 * did not pass ("its check pvc failed afterwards"); undefined when it verified or has no such check.
 */
export function notVerified(m: Mitigation): string | undefined {
  if (!m.verified || m.verified.status === 'passed') return undefined;
  return `its check ${m.verified.stepId} ${m.verified.status} afterwards (${hm(m.verified.at)} UTC)`;
}

/** "Current Actions": what is being done; for a Resolved update, what was done (a fix that did not verify is not "Done"). */
export function currentActions(state: IncidentState, resolved: boolean): string {
  const mitigations = state.mitigations
    .filter((m) => m.status === 'passed')
    .map((m) => {
      const problem = notVerified(m);
      if (problem) return `- Applied but did not verify: ${m.mitigationId} at ${hm(m.at)} UTC; ${problem}`;
      return resolved ? `- Done: ${m.mitigationId} applied at ${hm(m.at)} UTC` : `- Applied: ${m.mitigationId}`;
    });
  if (resolved) return [...(state.resolution ? [`- Resolved: ${state.resolution}`] : []), ...mitigations].join('\n') || '- Resolved';
  const openActions = [...state.actions.values()].filter((a) => !a.doneAt).map((a) => `- ${a.text} (${a.owner})`);
  return [...mitigations, ...openActions].join('\n') || '- Investigating';
}

export function statusUpdateMessage(policy: Policy, state: IncidentState, findings: JudgedFinding[], req: StatusUpdateRequest): string {
  const resolved = req.status === 'Resolved';
  return renderTemplate(
    policy.templates.statusUpdate,
    (n) =>
      ({
        severity: state.severity,
        time: hm(req.now),
        status: req.status,
        impact: req.impact
          .split('\n')
          .map((l) => (l.startsWith('-') ? l : `- ${l}`))
          .join('\n'),
        affected: affectedLine(req.usersAffected ?? state.usersAffected, req.requestsFailed ?? state.requestsFailed),
        findings: req.findings ?? whatWeKnow(state, findings, resolved),
        actions: req.actions ?? currentActions(state, resolved),
        // A Resolved update is the last one: it promises no next update.
        // On another day than the update (a 24h cadence), the date too: "10:05 UTC" would read as now.
        nextUpdate: resolved
          ? 'none (resolved)'
          : `${req.nextAt.toISOString().slice(0, 10) === req.now.toISOString().slice(0, 10) ? '' : `${req.nextAt.toISOString().slice(0, 10)} `}${hm(req.nextAt)} UTC`,
        title: state.title,
      })[n],
  ).trimEnd();
}

/** The playbook's update statuses (§3.4); a typed one in any case is the same status. */
export const UPDATE_STATUSES = ['Investigating', 'Identified', 'Mitigating', 'Monitoring', 'Resolved'];

/** `resolved`, ` RESOLVED ` → `Resolved`: the all-clear is the all-clear however it is typed. */
export function normaliseStatus(status: string | undefined): string | undefined {
  if (status === undefined) return undefined;
  return UPDATE_STATUSES.find((s) => s.toLowerCase() === status.trim().toLowerCase()) ?? status.trim();
}

/**
 * Where a status update goes (§7's channels, named by the policy): the incident's own channel;
 * for a SEV2 also its thread in the general channel (§4); for a SEV1 or SEV2, whose impact
 * customers see, a customer-facing summary in the status channel and on the status page. A drill
 * posts nowhere customers read.
 */
export function whereToPost(policy: Policy, state: IncidentState): Array<{ channel: string; what: string }> {
  const ch = policy.channels;
  const out = [{ channel: state.channel, what: 'this update, as it is' }];
  if (state.severity === 'SEV2' && ch.general)
    out.push({ channel: ch.general.name, what: `the incident's thread (${ch.general.purpose.toLowerCase()})` });
  if (state.drill) return out;
  if (state.severity === 'SEV1' || state.severity === 'SEV2') {
    if (ch.status) out.push({ channel: ch.status.name, what: `a customer-facing summary, no internal details (${ch.status.audience})` });
    if (ch.statusPage) out.push({ channel: ch.statusPage.name, what: `the same summary for ${ch.statusPage.audience.toLowerCase()}` });
  }
  return out;
}

/**
 * The incident's state, derived by folding its timeline. Nothing is stored anywhere else, so the
 * state can never disagree with the record.
 *
 * Longer than 400 lines on purpose: it is one idea, the fold: the state's shape, the one exhaustive
 * switch over the event catalogue (`applyEvent`) and the milestone rules it applies as it goes.
 * Split, a reader would have to hold three files to see what one event does to the state.
 */
import { UserError } from '../errors.js';
import { TIMELINE_VERSION, type EventType } from '../timeline/catalogue.js';
import { field, oneOf, strings, text } from '../timeline/recorded.js';
import { isSeverity, SEVERITIES, type SeverityId } from './criteria.js';
import type { TimelineEvent } from '../timeline/event.js';

/** How a run ended, as run.finished records it. */
const RUN_OUTCOMES = ['passed', 'findings', 'failed', 'aborted'] as const;

export interface RunRecord {
  runId: string;
  runbook: string;
  mode: 'live' | 'simulate';
  scenario?: string;
  startedAt: string;
  finishedAt?: string;
  outcome?: (typeof RUN_OUTCOMES)[number];
  /** Steps whose work is done (cancelled ones are not: --resume runs them again). */
  done: Set<string>;
  findings: Array<{ stepId: string; findingId: string; cause?: string; message: string; seq: number; ts: string }>;
  answers: Record<string, string>;
}

export interface Dated {
  /** When it happened (may be backdated with --at). */
  at: string;
  /** When it was written to the timeline. */
  recordedAt: string;
  actor: string;
  seq: number;
}

export interface StatusUpdate extends Dated {
  status: string;
  message: string;
  nextUpdateAt?: string;
}

export interface Note extends Dated {
  text: string;
  tags: string[];
}

export interface ActionItem {
  id: string;
  text: string;
  owner: string;
  due?: string;
  createdAt: string;
  doneAt?: string;
  doneBy?: string;
}

/** A tick of a checklist item: who marked it done (or undone), when, and whether a run did. */
export interface CheckMark {
  done: boolean;
  by: string;
  at: string;
  auto: boolean;
  evidence?: string;
}

export interface IncidentState {
  id: string;
  title: string;
  severity: SeverityId;
  severityHistory: Array<Dated & { from?: SeverityId; to: SeverityId; reason?: string }>;
  /**
   * open → resolved (the incident ended); closed/discarded end an incident that was opened by
   * mistake or a finished drill (recorded, never deleted).
   */
  status: 'open' | 'resolved' | 'closed' | 'discarded';
  /** A rehearsal (`run --simulate`): its findings are never facts about a live incident. */
  drill: boolean;
  channel: string;
  openedAt: string;
  /** When the problem began, if known before the incident was opened. */
  detectedAt: string;
  /** The event catalogue version its first event names (timeline/catalogue.ts); 1 when it names none. */
  timelineVersion: number;
  /** How it was detected (§2.1: a policy detection id, e.g. alert, and an optional detail). */
  detectedBy?: { source: string; detail?: string };
  summary?: string;
  impact?: string;
  /** Every impact statement as recorded (declared, in a status update's impact field, updated), in order. */
  impactHistory: Array<Dated & { impact: string; source: 'declared' | 'status-update' | 'updated' }>;
  usersAffected?: string;
  requestsFailed?: string;
  /** A data breach or security incident (§6: L4 at once). */
  dataBreach: boolean;
  /** Data corruption or loss (§1.2 SEV1), which is not a breach: no L4 trigger of its own. */
  dataLoss: boolean;
  major: boolean;
  roles: Record<string, string>;
  roleHistory: Array<Dated & { role: string; person: string; previous?: string }>;
  runs: Map<string, RunRecord>;
  updates: StatusUpdate[];
  /** Notes tagged for the post-mortem (went-well, went-wrong, lesson, root-cause, impact); untagged notes are only counted. */
  notes: Note[];
  noteCount: number;
  /** Who opened the incident. */
  openedBy: string;
  actions: Map<string, ActionItem>;
  /**
   * Lifecycle milestones (detected, acknowledged, mitigated, resolved, ...): explicit ones win over
   * derived ones. A derived one is the earliest evidence at or after detection; when a person's
   * explicit later-phase milestone is earlier, it is shown at that time ("by then at the latest")
   * and `boundedBy` names that milestone.
   */
  milestones: Record<string, Dated & { source: 'explicit' | 'derived'; boundedBy?: string }>;
  escalations: Array<Dated & { levels: string[] }>;
  handoffs: Array<Dated & { from: string; to: string }>;
  mitigations: Array<
    Dated & {
      mitigationId: string;
      title?: string;
      status: string;
      command?: string;
      runbook?: string;
      runId?: string;
      /** Its verification check re-ran after it was applied (`mitigation.verified`): passed means the fix worked. */
      verified?: { status: string; stepId: string; at: string };
    }
  >;
  rootCause?: string;
  resolution?: string;
  /** When it was reopened after a resolution or a close (the times given). */
  reopenings: string[];
  /** When the post-mortem meeting is, as a person gave it (`postmortem schedule --on`). */
  postmortemScheduledOn?: string;
  resolvedAt?: string;
  /** When and why it was closed or discarded (`incidents close|discard --reason`). */
  ended?: { at: string; reason: string; by: string };
  /** Checklist ticks by checklist → item id (issue 5). */
  checks: Map<string, Map<string, CheckMark>>;
  events: number;
  lastSeq: number;
  lastTs: string;
  /** The hash of the last event folded (the head of the chain, for the head witness). */
  head: string;
}

/** The order lifecycle milestones must keep, judged on the times given (`milestone`, `resolve`). */
export const MILESTONE_ORDER = ['detected', 'declared', 'acknowledged', 'investigating', 'identified', 'mitigated', 'resolved'];

/** Events that move detection or a person's milestones, against which derived milestones are judged again. */
const SETTLES = new Set([
  'incident.opened',
  'milestone.recorded',
  'incident.resolved',
  'incident.reopened',
  'mitigation.finished',
  'run.started',
]);

/** Responder activity: the first at or after detection is the incident's (derived) acknowledgement. */
const ACTIVITY = new Set([
  'run.started',
  'triage.completed',
  'role.assigned',
  'status.update',
  'escalation.recorded',
  'note.added',
  'checklist.item',
]);

/**
 * The events that show a derived milestone happened, kept so that it can be judged on the times
 * given (a backdated event may come later in the record but earlier in time) and against the
 * detection time, which a person can move (`milestone detected --at`). Times at or after the
 * declaration are kept as their earliest only (detection is never after the declaration); earlier
 * ones, which only backdating produces, are all kept.
 */
class Evidence {
  private early: Array<{ t: number; dated: Dated }> = [];
  private first: { t: number; dated: Dated } | undefined;
  /** The last answer, kept while detection does not move: a fold of 100,000 notes stays one pass. */
  private cache: { from: number; best: { t: number; dated: Dated } | undefined } | undefined;
  /** `declared`: when the incident was declared (detection is never later). */
  constructor(private readonly declared: number) {}
  /** Adds one; says whether the answer may have changed (else the milestone need not be judged again). */
  add(dated: Dated): boolean {
    const t = Date.parse(dated.at);
    if (Number.isNaN(t)) return false;
    const entry = { t, dated };
    if (t < this.declared) this.early.push(entry);
    else if (!this.first || t < this.first.t) this.first = entry;
    if (!this.cache) return true;
    if (t < this.cache.from || (this.cache.best && t >= this.cache.best.t)) return false;
    this.cache.best = entry;
    return true;
  }
  /** The earliest evidence at or after `from`. */
  earliestFrom(from: number): Dated | undefined {
    if (this.cache?.from !== from) {
      let best = this.first && this.first.t >= from ? this.first : undefined;
      for (const e of this.early) if (e.t >= from && (!best || e.t < best.t)) best = e;
      this.cache = { from, best };
    }
    return this.cache.best?.dated;
  }
}

/** Derived milestone → its evidence, per folded state (kept out of the state's shape). */
const evidenceOf = new WeakMap<IncidentState, Map<string, Evidence>>();

function addEvidence(state: IncidentState, name: string, dated: Dated): boolean {
  let all = evidenceOf.get(state);
  if (!all) evidenceOf.set(state, (all = new Map<string, Evidence>()));
  let ev = all.get(name);
  if (!ev) all.set(name, (ev = new Evidence(Date.parse(state.openedAt || dated.recordedAt))));
  return ev.add(dated);
}

/** Milestones that mean a responder was at work by then (they bound the derived ones before them). */
const PEOPLE_MILESTONES = new Set(['acknowledged', 'investigating', 'identified']);

/**
 * Sets each derived milestone from its evidence: the earliest at or after detection (nothing before
 * detection acknowledges an incident), never later than a person's explicit milestone of a later
 * phase that took a responder (identified at 10:20 means investigating had begun by 10:20, whatever a
 * run stamped later; mitigated at 10:05 does not: a system can recover before anyone answers).
 */
function settleDerived(state: IncidentState): void {
  const all = evidenceOf.get(state);
  if (!all) return;
  const detected = Date.parse(state.detectedAt || state.openedAt);
  const from = Number.isNaN(detected) ? -Infinity : detected;
  for (const [name, ev] of all) {
    const current = state.milestones[name];
    if (current?.source === 'explicit') continue;
    const first = ev.earliestFrom(from);
    if (!first) {
      const { [name]: _gone, ...kept } = state.milestones;
      state.milestones = kept;
      continue;
    }
    let bound: { name: string; at: string } | undefined;
    for (const later of MILESTONE_ORDER.slice(MILESTONE_ORDER.indexOf(name) + 1)) {
      // Only a milestone that takes a responder's work bounds one: mitigated or resolved can
      // happen by themselves (a system that recovered), and say nothing of when anyone answered.
      if (!PEOPLE_MILESTONES.has(later)) continue;
      const m = state.milestones[later];
      if (m?.source === 'explicit' && Date.parse(m.at) < Date.parse(bound?.at ?? first.at)) bound = { name: later, at: m.at };
    }
    state.milestones[name] = bound ? { ...first, at: bound.at, source: 'derived', boundedBy: bound.name } : { ...first, source: 'derived' };
  }
}

const DONE_EVENTS = new Set([
  'step.skipped',
  'manual.confirmed',
  'manual.skipped',
  'prompt.answered',
  'mitigation.declined',
  'mitigation.finished',
]);

export function emptyState(id: string): IncidentState {
  return {
    id,
    title: id,
    // Set by incident.opened, the first event of every timeline; nothing is decided before it.
    severity: 'SEV4',
    severityHistory: [],
    status: 'open',
    reopenings: [],
    drill: false,
    channel: '',
    openedAt: '',
    detectedAt: '',
    timelineVersion: 1,
    impactHistory: [],
    dataBreach: false,
    dataLoss: false,
    major: false,
    roles: {},
    roleHistory: [],
    runs: new Map(),
    updates: [],
    notes: [],
    noteCount: 0,
    openedBy: '',
    actions: new Map(),
    milestones: {},
    escalations: [],
    handoffs: [],
    mitigations: [],
    checks: new Map(),
    events: 0,
    lastSeq: 0,
    lastTs: '',
    head: '',
  };
}

function milestone(state: IncidentState, name: string, dated: Dated, source: 'explicit' | 'derived'): void {
  const existing = state.milestones[name];
  if (source === 'derived' && existing) return;
  state.milestones[name] = { ...dated, source };
}

/** Applies one event to the state (mutating it): a reducer, so 100,000 events fold in one pass. */
/**
 * A recorded severity. The writers only record SEV1-SEV4; anything else was not written by this
 * tool (an edit, another program) and is refused, never read as some default severity.
 */
function severityOf(event: TimelineEvent, value: unknown): SeverityId {
  if (isSeverity(value)) return value;
  throw new UserError(
    `the timeline records severity ${JSON.stringify(value)} at event #${event.seq} (${event.type}), which is not one of ${SEVERITIES.join(', ')}: the record was not written by bud-incident; check it with bud-incident timeline verify`,
    3,
  );
}

/** A recorded detection ({ source, detail? }), or undefined when there is none. */
function detection(v: unknown): IncidentState['detectedBy'] {
  const source = field(v, 'source');
  const detail = field(v, 'detail');
  if (typeof source !== 'string') return undefined;
  return { source, ...(typeof detail === 'string' && detail ? { detail } : {}) };
}

export function applyEvent(state: IncidentState, event: TimelineEvent): IncidentState {
  const d = event.data;
  state.events++;
  state.lastSeq = event.seq;
  state.head = event.hash;
  // Generating the post-mortem must not move the "as of" time it reports.
  if (event.type !== 'postmortem.generated') state.lastTs = event.ts;
  const dated: Dated = { at: text(d.at, event.ts), recordedAt: event.ts, actor: event.actor, seq: event.seq };
  const runId = typeof d.runId === 'string' ? d.runId : undefined;
  const run = runId ? state.runs.get(runId) : undefined;
  const type = event.type as EventType;
  switch (type) {
    case 'incident.opened': {
      state.openedBy = event.actor;
      state.title = text(d.title, state.title);
      state.severity = severityOf(event, d.severity);
      state.channel = text(d.channel, '');
      state.openedAt = text(d.openedAt, event.ts);
      state.detectedAt = text(d.detectedAt, state.openedAt);
      if (typeof d.summary === 'string') state.summary = d.summary;
      if (typeof d.impact === 'string') state.impact = d.impact;
      if (typeof d.impact === 'string' && d.impact)
        state.impactHistory.push({ ...dated, at: state.openedAt, impact: d.impact, source: 'declared' });
      state.dataBreach = d.dataBreach === true;
      state.dataLoss = d.dataLoss === true;
      state.major = d.major === true;
      state.detectedBy = detection(d.detectedBy);
      state.timelineVersion = typeof d.version === 'number' ? d.version : 1;
      // A newer writer may have changed what an event means: read nothing rather than misread it.
      if (state.timelineVersion > TIMELINE_VERSION)
        throw new UserError(
          `incident ${state.id} was written by a newer bud-incident (timeline version ${state.timelineVersion}; this one reads up to ${TIMELINE_VERSION}): upgrade bud-incident to read it`,
          3,
        );
      state.drill = d.drill === true;
      state.severityHistory.push({ ...dated, at: state.openedAt, to: state.severity });
      milestone(state, 'detected', { ...dated, at: state.detectedAt }, 'derived');
      milestone(state, 'declared', { ...dated, at: state.openedAt }, 'derived');
      if (typeof d.commander === 'string' && d.commander) {
        state.roles.commander = d.commander;
        state.roleHistory.push({ ...dated, at: state.openedAt, role: 'commander', person: d.commander });
      }
      break;
    }
    case 'incident.resolved':
      state.status = 'resolved';
      state.resolvedAt = dated.at;
      if (typeof d.rootCause === 'string') state.rootCause = d.rootCause;
      if (typeof d.resolution === 'string') state.resolution = d.resolution;
      milestone(state, 'resolved', dated, 'explicit');
      break;
    case 'incident.reopened':
      state.reopenings.push(dated.at);
      state.status = 'open';
      delete state.resolvedAt;
      delete state.ended;
      delete state.milestones.resolved;
      break;
    case 'incident.closed':
    case 'incident.discarded':
      state.status = event.type === 'incident.closed' ? 'closed' : 'discarded';
      state.ended = { at: dated.at, reason: text(d.reason, ''), by: event.actor };
      break;
    case 'incident.updated':
      for (const k of ['summary', 'impact', 'usersAffected', 'requestsFailed', 'title'] as const)
        if (typeof d[k] === 'string') state[k] = d[k];
      if (typeof d.impact === 'string' && d.impact) state.impactHistory.push({ ...dated, impact: d.impact, source: 'updated' });
      if (d.dataBreach === true) state.dataBreach = true;
      if (d.dataLoss === true) state.dataLoss = true;
      if (d.major === true) state.major = true;
      break;
    case 'severity.changed':
      state.severityHistory.push({
        ...dated,
        from: state.severity,
        to: severityOf(event, d.to),
        ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
      });
      state.severity = severityOf(event, d.to);
      break;
    case 'role.assigned': {
      const role = text(d.role, '');
      const person = text(d.person, '');
      state.roleHistory.push({ ...dated, role, person, ...(state.roles[role] ? { previous: state.roles[role] } : {}) });
      state.roles[role] = person;
      break;
    }
    case 'status.update':
      state.updates.push({
        ...dated,
        status: text(d.status, ''),
        message: text(d.message, ''),
        ...(typeof d.nextUpdateAt === 'string' ? { nextUpdateAt: d.nextUpdateAt } : {}),
      });
      if (typeof d.impact === 'string' && d.impact) {
        state.impact = d.impact;
        state.impactHistory.push({ ...dated, impact: d.impact, source: 'status-update' });
      }
      if (typeof d.usersAffected === 'string' && d.usersAffected) state.usersAffected = d.usersAffected;
      if (typeof d.requestsFailed === 'string' && d.requestsFailed) state.requestsFailed = d.requestsFailed;
      break;
    case 'note.added':
      state.noteCount++;
      // A chatty scribe writes thousands of notes; only tagged ones feed decisions and the post-mortem's sections.
      if (strings(d.tags).length) state.notes.push({ ...dated, text: text(d.text, ''), tags: strings(d.tags) });
      break;
    case 'action.added':
      state.actions.set(text(d.id, ''), {
        id: text(d.id, ''),
        text: text(d.text, ''),
        owner: text(d.owner, ''),
        ...(typeof d.due === 'string' ? { due: d.due } : {}),
        createdAt: dated.at,
      });
      break;
    case 'action.done': {
      const a = state.actions.get(text(d.id, ''));
      if (a) {
        a.doneAt = dated.at;
        a.doneBy = event.actor;
      }
      break;
    }
    case 'milestone.recorded':
      milestone(state, text(d.name, ''), dated, 'explicit');
      // A person moved detection (earlier, usually): the incident's clocks run from it.
      if (d.name === 'detected') {
        state.detectedAt = dated.at;
        state.detectedBy = detection(d.by) ?? state.detectedBy;
      }
      break;
    case 'postmortem.scheduled':
      if (typeof d.on === 'string') state.postmortemScheduledOn = d.on;
      break;
    case 'escalation.recorded':
      state.escalations.push({ ...dated, levels: strings(d.levels) });
      break;
    case 'handoff.completed':
      state.handoffs.push({ ...dated, from: text(d.from, ''), to: text(d.to, '') });
      if (typeof d.to === 'string' && d.to && d.role !== undefined) state.roles[text(d.role, 'commander')] = d.to;
      break;
    case 'checklist.item':
      {
        const list = text(d.checklist, '');
        const item = text(d.item, '');
        const marks = state.checks.get(list) ?? new Map<string, CheckMark>();
        state.checks.set(list, marks);
        marks.set(item, {
          done: d.done !== false,
          by: event.actor,
          at: dated.at,
          auto: false,
          ...(typeof d.note === 'string' ? { evidence: d.note } : {}),
        });
      }
      break;
    case 'mitigation.finished':
      state.mitigations.push({
        ...dated,
        mitigationId: text(d.mitigationId, ''),
        status: text(d.status, ''),
        ...(run ? { runbook: run.runbook } : {}),
        ...(runId ? { runId } : {}),
      });
      if (d.status === 'passed') addEvidence(state, 'mitigated', dated);
      break;
    case 'mitigation.verified': {
      // The verdict on the last application of that mitigation in that run.
      const m = state.mitigations.findLast((x) => x.runId === runId && x.mitigationId === d.mitigationId);
      if (m) m.verified = { status: text(d.status, ''), stepId: text(d.stepId, ''), at: dated.at };
      break;
    }
    case 'run.started':
      // data.at (run --at) is when the responder began the runbook; its steps keep their real times.
      addEvidence(state, 'investigating', dated);
      if (runId) {
        state.runs.set(runId, {
          runId,
          runbook: String(d.runbook),
          mode: d.mode === 'simulate' ? 'simulate' : 'live',
          ...(typeof d.scenario === 'string' ? { scenario: d.scenario } : {}),
          startedAt: event.ts,
          done: new Set(),
          findings: [],
          answers: {},
        });
      }
      break;
    case 'run.resumed':
      if (run) {
        delete run.outcome;
        delete run.finishedAt;
      }
      break;
    case 'step.finished':
      if (run && d.status !== 'cancelled' && typeof d.stepId === 'string') {
        // A mitigation's verification re-runs a check; the step is done either way.
        run.done.add(d.stepId);
      }
      break;
    case 'finding.raised':
      if (run) {
        run.findings.push({
          stepId: String(d.stepId),
          findingId: String(d.findingId),
          ...(typeof field(d.cause, 'id') === 'string' ? { cause: text(field(d.cause, 'id')) } : {}),
          message: String(d.message),
          seq: event.seq,
          ts: event.ts,
        });
      }
      break;
    case 'run.finished':
      if (run) {
        // It finished; an outcome this version does not know is not read as a pass.
        run.outcome = oneOf(d.outcome, RUN_OUTCOMES) ?? 'failed';
        run.finishedAt = event.ts;
      }
      break;
    case 'run.aborted':
      if (run) {
        run.outcome = 'aborted';
        run.finishedAt = event.ts;
      }
      break;
    // Recorded, and read elsewhere (findings.ts, checklists, the post-mortem), but nothing here to fold.
    case 'classification.recorded':
    case 'postmortem.generated':
    case 'triage.completed':
    case 'run.interrupted':
    case 'group.started':
    case 'step.started':
    case 'step.process':
    case 'step.output':
    case 'step.output.truncated':
    case 'step.skipped':
    case 'evidence.preserved':
    case 'manual.confirmed':
    case 'manual.skipped':
    case 'prompt.answered':
    case 'mitigation.proposed':
    case 'mitigation.approved':
    case 'mitigation.declined':
      break;
    default: {
      // Every type of the catalogue is decided above (tsc fails here when one is added and not);
      // a type outside it was not written by this version and changes nothing.
      const _notFolded: never = type;
    }
  }
  // Any responder activity at or after detection counts as acknowledging it (for the response time).
  if ((ACTIVITY.has(event.type) && addEvidence(state, 'acknowledged', dated)) || SETTLES.has(event.type)) settleDerived(state);
  if (run && DONE_EVENTS.has(event.type) && typeof d.stepId === 'string') {
    run.done.add(d.stepId);
    if (event.type === 'prompt.answered' && typeof d.input === 'string' && typeof d.value === 'string' && d.value !== '[REDACTED]')
      run.answers[d.input] = d.value;
  }
  return state;
}

export function foldIncident(id: string, events: Iterable<TimelineEvent>): IncidentState {
  const state = emptyState(id);
  for (const e of events) applyEvent(state, e);
  return state;
}

/** The latest run of a runbook that did not finish (aborted or killed), for --resume. */
export function unfinishedRun(state: IncidentState, runbook: string): RunRecord | undefined {
  const runs = [...state.runs.values()].filter((r) => r.runbook === runbook);
  const last = runs[runs.length - 1];
  return last && (last.outcome === undefined || last.outcome === 'aborted') ? last : undefined;
}

/**
 * The incident's state, derived by folding its timeline. Nothing is stored anywhere else, so the
 * state can never disagree with the record.
 */
import type { TimelineEvent } from '../timeline/event.js';

export interface RunRecord {
  runId: string;
  runbook: string;
  mode: 'live' | 'simulate';
  scenario?: string;
  startedAt: string;
  finishedAt?: string;
  outcome?: 'passed' | 'findings' | 'failed' | 'aborted';
  /** Steps whose work is done (cancelled ones are not: --resume runs them again). */
  done: Set<string>;
  findings: Array<{ stepId: string; findingId: string; cause?: string; message: string; seq: number; ts: string }>;
  answers: Record<string, string>;
}

export interface IncidentState {
  id: string;
  title: string;
  severity: string;
  status: 'open' | 'resolved';
  channel: string;
  openedAt: string;
  runs: Map<string, RunRecord>;
  events: number;
  lastSeq: number;
}

const text = (v: unknown, fallback: string): string => (typeof v === 'string' ? v : fallback);

const DONE_EVENTS = new Set([
  'step.skipped',
  'manual.confirmed',
  'manual.skipped',
  'prompt.answered',
  'mitigation.declined',
  'mitigation.finished',
]);

export function emptyState(id: string): IncidentState {
  return { id, title: id, severity: 'SEV?', status: 'open', channel: '', openedAt: '', runs: new Map(), events: 0, lastSeq: 0 };
}

/** Applies one event to the state (mutating it): a reducer, so 100,000 events fold in one pass. */
export function applyEvent(state: IncidentState, event: TimelineEvent): IncidentState {
  const d = event.data;
  state.events++;
  state.lastSeq = event.seq;
  const runId = typeof d.runId === 'string' ? d.runId : undefined;
  const run = runId ? state.runs.get(runId) : undefined;
  switch (event.type) {
    case 'incident.opened':
      state.title = text(d.title, state.title);
      state.severity = text(d.severity, state.severity);
      state.channel = text(d.channel, '');
      state.openedAt = text(d.openedAt, event.ts);
      break;
    case 'incident.resolved':
      state.status = 'resolved';
      break;
    case 'incident.reopened':
      state.status = 'open';
      break;
    case 'severity.changed':
      state.severity = text(d.to, state.severity);
      break;
    case 'run.started':
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
          ...(d.cause && typeof d.cause === 'object' ? { cause: String((d.cause as { id: string }).id) } : {}),
          message: String(d.message),
          seq: event.seq,
          ts: event.ts,
        });
      }
      break;
    case 'run.finished':
      if (run) {
        run.outcome = d.outcome as RunRecord['outcome'];
        run.finishedAt = event.ts;
      }
      break;
    case 'run.aborted':
      if (run) {
        run.outcome = 'aborted';
        run.finishedAt = event.ts;
      }
      break;
    default:
      break;
  }
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

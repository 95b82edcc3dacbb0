/**
 * Opening an incident and finding the one to record in. `declare` and `run` open incidents through
 * the one function here, so both follow the policy's channel pattern, record openedAt/detectedAt
 * the same way and redact the title before the id, the directory and the channel derive from it.
 * A drill (`run --simulate`, `declare --drill`) is an incident of its own, marked `drill: true`.
 */
import { channelFor } from './decisions.js';
import type { Policy } from './policy.js';
import { foldIncident, unfinishedRun, type IncidentState, type RunRecord } from './state.js';
import type { IncidentHome } from './store.js';
import { UserError } from '../errors.js';
import { TIMELINE_VERSION } from '../timeline/catalogue.js';

export interface OpenIncidentRequest {
  title: string;
  severity: string;
  source: 'run' | 'declare';
  runbook?: string;
  /** When the incident started (defaults to now; `declare --at` backdates it): its openedAt and detectedAt. */
  at: Date;
  /** A rehearsal: marked in the record, never a fact about a live incident. */
  drill?: boolean;
  /** Make it the current incident (what later commands act on without --incident). */
  makeCurrent: boolean;
  extra?: Record<string, unknown>;
}

/** The redaction `openIncident` needs (the Redactor of src/secrets/redact.ts). */
export interface TitleRedactor {
  redact(text: string): string;
  redactValue<T>(value: T): T;
}

/**
 * Opens an incident. The redactor is applied to the title before anything derives from it (the id,
 * the directory, the channel name) and to everything recorded.
 */
export function openIncident(
  home: IncidentHome,
  policy: Policy,
  unredacted: OpenIncidentRequest,
  red: TitleRedactor,
): { id: string; channel: string; title: string } {
  const request = { ...unredacted, title: red.redact(unredacted.title) };
  // A drill's id says so, so a live incident of the same title is not the one that gets "-2".
  const id = home.create(request.drill && !/^drill\b/i.test(request.title) ? `drill ${request.title}` : request.title, request.at);
  const channel = channelFor(policy, request.at, id.slice(11));
  home.timeline(id).append([
    {
      type: 'incident.opened',
      data: red.redactValue({
        id,
        title: request.title,
        severity: request.severity,
        channel,
        openedAt: request.at.toISOString(),
        detectedAt: request.at.toISOString(),
        source: request.source,
        version: TIMELINE_VERSION,
        ...(request.runbook ? { runbook: request.runbook } : {}),
        ...(request.drill ? { drill: true } : {}),
        ...request.extra,
      }),
    },
  ]);
  if (request.makeCurrent) home.setCurrent(id);
  return { id, channel, title: request.title };
}

/** The title of a drill `run --simulate` opens: says it is a drill, of which runbook and scenario. */
export function drillTitle(runbookId: string, scenario: string): string {
  return `Drill: ${runbookId} / ${scenario}`;
}

/** The incident folded from its timeline; refuses a record that does not verify (see IncidentHome.events). */
export function loadIncident(home: IncidentHome, id: string): IncidentState {
  return foldIncident(id, home.events(id));
}

/** The current incident if it is still open. */
export function currentOpenIncident(home: IncidentHome): IncidentState | undefined {
  const id = home.currentId();
  if (!id) return undefined;
  const state = loadIncident(home, id);
  return state.status === 'open' ? state : undefined;
}

/**
 * The open drill with the latest interrupted simulated run of `runbook` (for `run --resume
 * --simulate` when the drill is not current). Records that do not verify are passed over: a
 * command pointed at one with --incident still reports them.
 */
export function latestInterruptedDrill(home: IncidentHome, runbook: string): { state: IncidentState; run: RunRecord } | undefined {
  let best: { state: IncidentState; run: RunRecord } | undefined;
  for (const id of home.list()) {
    let state: IncidentState;
    try {
      state = loadIncident(home, id);
    } catch (error) {
      if (error instanceof UserError && error.exitCode === 3) continue;
      throw error;
    }
    if (!state.drill || state.status !== 'open') continue;
    const run = unfinishedRun(state, runbook);
    if (run?.mode === 'simulate' && (!best || run.startedAt > best.run.startedAt)) best = { state, run };
  }
  return best;
}

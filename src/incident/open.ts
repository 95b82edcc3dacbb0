/** Opening an incident and finding the one to record in. */
import { foldIncident, type IncidentState } from './state.js';
import type { IncidentHome } from './store.js';

export interface OpenIncidentRequest {
  title: string;
  severity: string;
  source: 'run' | 'declare';
  runbook?: string;
  /** When the incident started (defaults to now; `declare --at` backdates it). */
  at: Date;
  extra?: Record<string, unknown>;
}

export function channelName(id: string): string {
  return `#incident-${id}`;
}

/**
 * Opens an incident. `redact` is applied to the title before anything derives from it (the id,
 * the directory, the channel name) and to what is recorded.
 */
export function openIncident(
  home: IncidentHome,
  unredacted: OpenIncidentRequest,
  redact: (text: string) => string,
): { id: string; channel: string } {
  const request = { ...unredacted, title: redact(unredacted.title) };
  const id = home.create(request.title, request.at);
  const channel = channelName(id);
  home.timeline(id).append([
    {
      type: 'incident.opened',
      data: {
        id,
        title: request.title,
        severity: request.severity,
        channel,
        openedAt: request.at.toISOString(),
        source: request.source,
        ...(request.runbook ? { runbook: request.runbook } : {}),
        ...request.extra,
      },
    },
  ]);
  home.setCurrent(id);
  return { id, channel };
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

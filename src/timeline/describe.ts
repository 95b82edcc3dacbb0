/** One-line, human descriptions of timeline events, for `timeline` and the post-mortem. */
import type { TimelineEvent } from './event.js';

export function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function describeEvent(e: TimelineEvent): string {
  const d = e.data;
  switch (e.type) {
    case 'incident.opened':
      return `${d.drill === true ? 'Drill' : 'Incident'} opened: ${str(d.title)} (${str(d.severity)}), channel ${str(d.channel)}`;
    case 'incident.closed':
      return `Incident closed without resolution: ${str(d.reason)}`;
    case 'incident.discarded':
      return `Incident discarded (opened by mistake): ${str(d.reason)}`;
    case 'run.started':
      return `Runbook ${str(d.runbook)} started${d.mode === 'simulate' ? ` (simulation: ${str(d.scenario)})` : ''}`;
    case 'run.resumed':
      return `Runbook ${str(d.runbook)} resumed`;
    case 'step.started':
      return `${str(d.title)} started${d.command ? `: ${str(d.command)}` : ''}`;
    case 'step.process':
      return `${str(d.stepId)}: started pid ${str(d.pid)} (group ${str(d.pgid)}): ${str(d.command)}`;
    case 'step.finished':
      return `${str(d.title)}: ${str(d.status)}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'step.skipped':
      return `${str(d.title)}: skipped (${str(d.reason)})`;
    case 'finding.raised':
      return `Finding: ${str(d.message)}`;
    case 'manual.confirmed':
      return `${str(d.title)}: confirmed${d.observation ? ` — ${str(d.observation)}` : ''}`;
    case 'manual.skipped':
      return `${str(d.title)}: not confirmed (${str(d.reason)})`;
    case 'prompt.answered':
      return `${str(d.input)} = ${str(d.value)} (${str(d.source)})`;
    case 'mitigation.proposed':
      return `Mitigation proposed: ${str(d.title)}${d.command ? ` — ${str(d.command)}` : ''}`;
    case 'mitigation.approved':
      return `Mitigation ${str(d.mitigationId)} approved (${str(d.how)})`;
    case 'mitigation.declined':
      return `Mitigation ${str(d.mitigationId)} not run: ${str(d.reason)}`;
    case 'mitigation.finished':
      return `Mitigation ${str(d.mitigationId)}: ${str(d.status)}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'run.interrupted':
      return `Run interrupted (${(d.stepIds as string[] | undefined)?.join(', ') ?? ''}): ${str(d.choice)}`;
    case 'run.finished':
      return `Runbook ${str(d.runbook)} finished: ${str(d.outcome)}, ${str(d.findings)} finding(s)`;
    case 'run.aborted':
      return `Runbook ${str(d.runbook)} aborted: ${str(d.reason)}`;
    case 'timeline.torn_line_set_aside':
      return `An incomplete timeline line (${str(d.bytes)} bytes) was moved to ${str(d.movedTo)}`;
    default: {
      const text = d.text ?? d.message ?? d.title;
      return text !== undefined ? `${e.type}: ${str(text)}` : e.type;
    }
  }
}

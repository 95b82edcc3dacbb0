/**
 * `declare`: opens an incident (channel, initial message, response deadline, escalation plan) and
 * prints what to do next.
 */
import { UserError } from '../errors.js';
import { escalationPlan, responseDeadline } from '../incident/decisions.js';
import { loadIncident, openIncident } from '../incident/open.js';
import { declaredMessage, DRILL_BANNER } from '../incident/declared.js';
import { home, redactor, writeJson, type Context } from './context.js';
import {
  oneLineProblem,
  parseAt,
  parseDetection,
  parseSeverityArg,
  policyOf,
  prompterFor,
  requireOneLine,
  requirePerson,
} from './incident-common.js';
import { type SeverityId } from '../incident/criteria.js';
import { checklists } from './docs.js';
import { recordLine } from '../timeline/event.js';
import { declaredView } from '../render/declare.js';

/** The commands to go on with: the checklists that exist for the severity, else status and update. */
function nextCommands(ctx: Context, sev: SeverityId): string {
  const forSeverity = [...checklists(ctx).values()]
    .filter((cl) => cl.severities?.includes(sev))
    .map((cl) => `bud-incident checklist ${cl.id}`);
  return [
    'bud-incident assign commander NAME',
    'bud-incident triage',
    ...(forSeverity.length ? forSeverity : ['bud-incident status', 'bud-incident update']),
  ].join(' · ');
}

export interface DeclareOptions {
  title?: string;
  severity?: string;
  commander?: string;
  at?: string;
  summary?: string;
  impact?: string;
  dataBreach?: boolean;
  dataLoss?: boolean;
  major?: boolean;
  /** How it was detected (§2.1): a policy detection id, optionally "id: detail". */
  detectedBy?: string;
  drill?: boolean;
  makeCurrent?: boolean;
  json?: boolean;
}

export async function declareCommand(ctx: Context, opts: DeclareOptions): Promise<number> {
  const policy = policyOf(ctx);
  const now = ctx.clock.now();
  const prompter = prompterFor(ctx);
  let title = opts.title;
  let severity = opts.severity;
  requireOneLine('--title', title);
  requireOneLine('--summary', opts.summary);
  requirePerson('--commander', opts.commander);
  let detectedBy = opts.detectedBy !== undefined ? parseDetection(policy, '--detected-by', opts.detectedBy) : undefined;
  // Without --title or --severity, declare asks for them, and then how it was detected.
  if (!title || !severity) {
    if (!prompter)
      throw new UserError(
        `declare needs ${[!title ? '--title T' : '', !severity ? '--severity SEVn' : ''].filter(Boolean).join(' and ')} when it cannot ask (no terminal)`,
      );
    if (!title)
      title = await prompter.input('Incident title (brief description):', {
        validate: (v) => (v.trim() ? (oneLineProblem('the title', v) ?? true) : 'a title is needed'),
      });
    if (!severity) {
      severity = await prompter.select(
        'Severity:',
        (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((s) => ({
          name: `${s} — ${policy.severities[s].definition} (respond within ${policy.severities[s].responseTime})`,
          value: s,
        })),
      );
    }
    if (!detectedBy) {
      const source = await prompter.select(
        'How was it detected?',
        [
          ...Object.entries(policy.detection).map(([value, name]) => ({ name, value })),
          { name: 'Not sure yet (record it later: bud-incident milestone detected --by ...)', value: '' },
        ],
        Object.keys(policy.detection)[0],
      );
      if (source) detectedBy = { source };
    }
  }
  const sev = parseSeverityArg(severity);
  const at = opts.at !== undefined ? parseAt(opts.at, now) : now;
  const h = home(ctx);
  const opened = openIncident(
    h,
    policy,
    {
      title,
      severity: sev,
      source: 'declare',
      at,
      drill: Boolean(opts.drill),
      // A declared incident is what the responders act on; a declared drill only when asked.
      makeCurrent: !opts.drill || Boolean(opts.makeCurrent),
      extra: {
        ...(opts.commander ? { commander: opts.commander } : {}),
        ...(opts.summary ? { summary: opts.summary } : {}),
        ...(opts.impact ? { impact: opts.impact } : {}),
        ...(opts.dataBreach ? { dataBreach: true } : {}),
        ...(opts.dataLoss ? { dataLoss: true } : {}),
        ...(opts.major ? { major: true } : {}),
        ...(detectedBy ? { detectedBy } : {}),
      },
    },
    redactor(ctx),
  );
  const { id, channel } = opened;
  title = opened.title;
  const state = loadIncident(h, id);
  const deadline = responseDeadline(policy, state);
  const plan = escalationPlan(policy, state, now);
  // The head witness: anyone holding this message can later check the record still contains it.
  const message = `${state.drill ? `${DRILL_BANNER}\n` : ''}${declaredMessage(policy, state)}\n\n${recordLine(state.events, state.head)}`;
  const isCurrent = h.currentId() === id;
  if (opts.json) {
    writeJson(ctx, {
      id,
      title,
      severity: sev,
      drill: state.drill,
      current: isCurrent,
      channel,
      openedAt: state.openedAt,
      detectedBy: state.detectedBy ?? null,
      responseDeadline: deadline.deadline.toISOString(),
      examples: policy.severities[sev].examples,
      criteria: policy.severities[sev].criteria.map((k) => (typeof k === 'string' ? k : k.text)),
      message,
      escalation: plan.timed.map((l) => ({ level: l.level, who: l.who, contact: l.contact, at: l.dueAt.toISOString(), why: l.why })),
    });
    return 0;
  }
  const lines = declaredView(
    ctx.term.color,
    policy,
    { id, title, severity: sev, state, channel, isCurrent, deadline: deadline.deadline, message, next: nextCommands(ctx, sev) },
    now,
  );
  ctx.term.out.write(lines.join('\n') + '\n');
  return 0;
}

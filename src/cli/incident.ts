/**
 * The incident commands: declare, classify, status, update, note, assign, severity, escalate,
 * action, milestone, handoff, resolve, incidents. Every one appends its events to the timeline;
 * every state they show is folded from it.
 */
import { draft, type EventData, type EventType } from '../timeline/catalogue.js';
import { InquirerPrompter, type Prompter } from '../adapters/prompter.js';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import {
  classify,
  escalationPlan,
  incidentStart,
  postmortemRequirement,
  responseDeadline,
  type ClassificationAnswers,
} from '../incident/decisions.js';
import { findingLine, isEvidence } from '../incident/findings.js';
import { loadIncident, openIncident } from '../incident/open.js';
import { normaliseStatus, statusUpdateMessage, UPDATE_STATUSES, whereToPost } from '../incident/status-update.js';
import { declaredMessage, DRILL_BANNER } from '../incident/declared.js';
import { statusOf } from '../incident/status-of.js';
import { checkMilestoneOrder, LIFECYCLE } from '../incident/milestone-order.js';
import { handoffSummary } from '../incident/handoff.js';
import { foldIncident, type IncidentState } from '../incident/state.js';
import { slugify } from '../incident/store.js';
import { suggest } from '../suggest.js';
import { home, redactor, writeJson, type Context } from './context.js';
import {
  detectionText,
  elapsed,
  hhmm,
  incidentOf,
  incidentWithFindings,
  oneLineProblem,
  parseAt,
  parseDetection,
  parseDue,
  parseSeverityArg,
  policyOf,
  relative,
  requireNotEnded,
  requireOneLine,
  requireOpen,
  requirePerson,
  whenDone,
} from './incident-common.js';
import { SEVERITIES, type SeverityId } from '../incident/criteria.js';
import type { Policy } from '../incident/policy.js';
import { checklists } from './docs.js';
import { recordLine } from '../timeline/event.js';
import { ChainError } from '../timeline/store.js';
import { happenedAt } from '../timeline/describe.js';

const ROLE_ALIASES: Record<string, string> = {
  ic: 'commander',
  'incident-commander': 'commander',
  communications: 'comms',
  'comms-lead': 'comms',
  techlead: 'tech-lead',
  tl: 'tech-lead',
};

function prompterFor(ctx: Context): Prompter | undefined {
  return ctx.stdinIsTTY && ctx.term.out.isTTY ? new InquirerPrompter() : undefined;
}

/** Appends one event of the catalogue (timeline/catalogue.ts): its data is checked against its type. */
function append<K extends EventType>(ctx: Context, id: string, type: K, data: EventData[K]) {
  const red = redactor(ctx);
  return home(ctx)
    .timeline(id)
    .append([draft(type, red.redactValue(data))])[0]!;
}

/** Says an incident is a drill, and how to act on it when it is not current. */
export function drillNote(ctx: Context, id: string, isCurrent: boolean): string {
  const c = ctx.term.color;
  return `${c.magenta.bold('DRILL')} ${
    isCurrent
      ? 'a rehearsal, and the current incident'
      : `a rehearsal, not the current incident: act on it with --incident ${id}; end it with "bud-incident incidents close ${id} --reason TEXT"`
  }`;
}

function escalationLines(ctx: Context, policy: Policy, state: IncidentState, now: Date): string[] {
  const plan = escalationPlan(policy, state, now);
  return plan.levels
    .filter((l) => l.dueAt)
    .map((l) => {
      const when =
        l.dueAt!.getTime() <= now.getTime() ? ctx.term.color.red('due now') : `at ${hhmm(l.dueAt!)} UTC (${relative(l.dueAt!, now)})`;
      const done = l.doneAt ? ctx.term.color.green(` ✔ escalated ${hhmm(l.doneAt)}`) : '';
      return `  ${l.level.padEnd(9)} ${l.who} (${l.contact}) — ${when}${ctx.term.color.dim(` [${l.why}]`)}${done}`;
    });
}

/** What the policy says a severity looks like (§1.1 examples, §1.2 criteria), to check the choice against. */
function severityLines(ctx: Context, policy: Policy, sev: SeverityId): string[] {
  const level = policy.severities[sev];
  const c = ctx.term.color;
  return [
    ...(level.examples.length ? [`  ${c.dim(`${sev} examples:`)} ${level.examples.join(', ')}`] : []),
    ...(level.criteria.length
      ? [`  ${c.dim(`${sev} criteria (any one):`)}`, ...level.criteria.map((k) => `    - ${typeof k === 'string' ? k : k.text}`)]
      : []),
  ];
}

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
  const interactive = Boolean(prompter && (!title || !severity));
  if ((!title || !severity) && !prompter) {
    throw new UserError(
      `declare needs ${[!title ? '--title T' : '', !severity ? '--severity SEVn' : ''].filter(Boolean).join(' and ')} when it cannot ask (no terminal)`,
    );
  }
  if (!title)
    title = await prompter!.input('Incident title (brief description):', {
      validate: (v) => (v.trim() ? (oneLineProblem('the title', v) ?? true) : 'a title is needed'),
    });
  if (!severity) {
    severity = await prompter!.select(
      'Severity:',
      (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((s) => ({
        name: `${s} — ${policy.severities[s].definition} (respond within ${policy.severities[s].responseTime})`,
        value: s,
      })),
    );
  }
  if (!detectedBy && interactive) {
    const source = await prompter!.select(
      'How was it detected?',
      [
        ...Object.entries(policy.detection).map(([value, name]) => ({ name, value })),
        { name: 'Not sure yet (record it later: bud-incident milestone detected --by ...)', value: '' },
      ],
      Object.keys(policy.detection)[0],
    );
    if (source) detectedBy = { source };
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
      escalation: plan.levels
        .filter((l) => l.dueAt)
        .map((l) => ({ level: l.level, who: l.who, contact: l.contact, at: l.dueAt!.toISOString(), why: l.why })),
    });
    return 0;
  }
  const c = ctx.term.color;
  const o = [
    `${c.bold(state.drill ? 'Drill declared:' : 'Incident declared:')} ${id} — ${title} (${c.red.bold(sev)}: ${policy.severities[sev].definition})`,
    ...(state.drill ? [`  ${drillNote(ctx, id, isCurrent)}`] : []),
    `  channel: ${c.bold(channel)}   (create it and invite the responders)`,
    `  detected: ${state.detectedBy ? detectionText(policy, state.detectedBy) : c.yellow(`how is not recorded — bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')}`)}`,
    `  respond by: ${c.bold(`${hhmm(deadline.deadline)} UTC`)} (${policy.severities[sev].responseTime} response time, ${relative(deadline.deadline, now)})`,
    '',
    c.bold('Initial message (post it in the channel):'),
    ...message.split('\n').map((l) => `  ${l}`),
    '',
    c.bold('Escalation plan:'),
    ...escalationLines(ctx, policy, state, now),
    '',
    c.bold(`Is it ${sev}? What the policy says:`),
    ...severityLines(ctx, policy, sev),
    '',
    c.dim(`Next: ${nextCommands(ctx, sev)}`),
  ];
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}

export interface ClassifyOptions {
  platformDown?: boolean;
  inferenceFailing?: string;
  informational?: boolean;
  dataBreach?: boolean;
  dataLoss?: boolean;
  users?: string;
  singleFeature?: boolean;
  majorFeatureDown?: boolean;
  performance?: string;
  workaround?: boolean;
  cosmetic?: boolean;
  apply?: boolean;
  at?: string;
  json?: boolean;
}

export async function classifyCommand(ctx: Context, opts: ClassifyOptions): Promise<number> {
  const policy = policyOf(ctx);
  const anyFlag = [
    opts.platformDown,
    opts.inferenceFailing,
    opts.informational,
    opts.dataBreach,
    opts.dataLoss,
    opts.users,
    opts.singleFeature,
    opts.majorFeatureDown,
    opts.performance,
    opts.workaround,
    opts.cosmetic,
  ].some((v) => v !== undefined);
  const prompter = anyFlag ? undefined : prompterFor(ctx);
  let answers: ClassificationAnswers;
  if (prompter) {
    answers = {
      platformDown: await prompter.confirm('Is the platform completely unavailable?', false),
      inferenceFailingPct: Number(
        await prompter.input('What share of inference requests is failing (0-100%)?', {
          defaultValue: '0',
          validate: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 100 ? true : 'a number from 0 to 100'),
        }),
      ),
      securityIncident: await prompter.confirm('Is there a data breach or security incident?', false),
      dataLoss: await prompter.confirm('Is there data corruption or loss?', false),
      users: await prompter.select<ClassificationAnswers['users']>('Which users are affected?', [
        { name: 'All users', value: 'all' },
        { name: 'A subset of users', value: 'subset' },
        { name: 'A single user', value: 'single' },
        { name: 'None that we know of', value: 'none' },
      ]),
      singleFeature: await prompter.confirm('Is a single endpoint or feature impacted?', false),
      majorFeatureDown: await prompter.confirm('Is a major feature unavailable (auth, deployments)?', false),
      performance: await prompter.select<ClassificationAnswers['performance']>('Performance?', [
        { name: 'Normal', value: 'none' },
        { name: 'Slightly degraded', value: 'slight' },
        { name: 'Significantly degraded', value: 'significant' },
      ]),
      workaround: await prompter.confirm('Is a workaround available?', false),
      cosmetic: await prompter.confirm('Is it only cosmetic (a UI glitch)?', false),
      informational: await prompter.confirm('Is it only documentation or informational?', false),
    };
  } else {
    const pct = Number(opts.inferenceFailing ?? 0);
    if (!Number.isFinite(pct) || pct < 0 || pct > 100)
      throw new UserError(`--inference-failing "${opts.inferenceFailing}": a percentage from 0 to 100`);
    const users = opts.users ?? 'none';
    if (!['all', 'subset', 'single', 'none'].includes(users)) throw new UserError(`--users "${users}": use all, subset, single or none`);
    const performance = opts.performance ?? 'none';
    if (!['significant', 'slight', 'none'].includes(performance))
      throw new UserError(`--performance "${performance}": use significant, slight or none`);
    answers = {
      platformDown: Boolean(opts.platformDown),
      inferenceFailingPct: pct,
      securityIncident: Boolean(opts.dataBreach),
      dataLoss: Boolean(opts.dataLoss),
      users: users as ClassificationAnswers['users'],
      singleFeature: Boolean(opts.singleFeature),
      majorFeatureDown: Boolean(opts.majorFeatureDown),
      performance: performance as ClassificationAnswers['performance'],
      workaround: Boolean(opts.workaround),
      cosmetic: Boolean(opts.cosmetic),
      informational: Boolean(opts.informational),
    };
  }
  const result = classify(policy, answers);
  // Criteria written as plain text in the policy, above the recommendation: the responder decides them.
  const unasked = SEVERITIES.slice(0, SEVERITIES.indexOf(result.severity)).flatMap((severity) =>
    policy.severities[severity].criteria.flatMap((k) => (typeof k === 'string' ? [{ severity, text: k }] : [])),
  );
  const level = policy.severities[result.severity];
  let applied: string | undefined;
  if (opts.at !== undefined && !opts.apply) throw new UserError('--at dates what --apply records: give it with --apply');
  if (opts.apply) {
    const { id, state } = incidentOf(ctx);
    requireOpen(state, 'classify --apply');
    const lastSev = state.severityHistory.at(-1);
    const at = whenDone(state, opts.at, ctx.clock.now(), {
      after: [lastSev && { what: `the ${lastSev.from ? 'last severity change' : 'severity it was declared with'}`, at: lastSev.at }],
    });
    const dated = opts.at !== undefined ? { at: at.toISOString() } : {};
    if (state.severity !== result.severity)
      append(ctx, id, 'severity.changed', {
        from: state.severity,
        to: result.severity,
        reason: `classification: ${result.reasons.join('; ')}`,
        ...dated,
      });
    // Two facts: a breach engages L4 at once (§6); data loss is SEV1 (§1.2) and no more.
    const facts = {
      ...(answers.securityIncident && !state.dataBreach ? { dataBreach: true } : {}),
      ...(answers.dataLoss && !state.dataLoss ? { dataLoss: true } : {}),
    };
    if (Object.keys(facts).length) append(ctx, id, 'incident.updated', { ...facts, ...dated });
    append(ctx, id, 'classification.recorded', { answers, severity: result.severity, reasons: result.reasons, ...dated });
    applied = id;
  }
  if (opts.json) {
    writeJson(ctx, {
      severity: result.severity,
      reasons: result.reasons,
      responseTime: level.responseTime,
      definition: level.definition,
      examples: level.examples,
      criteria: level.criteria.map((k) => (typeof k === 'string' ? k : k.text)),
      notAsked: unasked,
      answers,
      ...(applied ? { appliedTo: applied } : {}),
    });
    return 0;
  }
  const c = ctx.term.color;
  ctx.term.out.write(
    [
      `${c.bold('Recommended severity:')} ${c.red.bold(result.severity)} — ${level.definition} (respond within ${level.responseTime})`,
      ...result.reasons.map((r) => `  because: ${r}`),
      ...severityLines(ctx, policy, result.severity),
      ...(unasked.length
        ? [
            c.yellow('Not asked (the policy gives these no question; judge them yourself):'),
            ...unasked.map((u) => `  ${u.severity}: ${u.text}`),
          ]
        : []),
      applied
        ? c.green(`Applied to incident ${applied}.`)
        : c.dim('Apply it to the current incident with --apply, or: bud-incident severity ' + result.severity + ' --reason "..."'),
    ].join('\n') + '\n',
  );
  return 0;
}

export async function statusCommand(
  ctx: Context,
  opts: { json?: boolean },
  checklistProgress?: (state: IncidentState) => Array<{ name: string; done: number; total: number }>,
): Promise<number> {
  const policy = policyOf(ctx);
  const { state, findings: judged } = incidentWithFindings(ctx);
  const now = ctx.clock.now();
  const s = statusOf(policy, state, now, judged);
  const checklists = checklistProgress?.(state) ?? [];
  if (opts.json) {
    writeJson(ctx, { ...s, checklists, record: { events: state.events, head: state.head } });
    return 0;
  }
  const c = ctx.term.color;
  const o = [
    `${c.bold(`${s.id}`)} — ${s.title}`,
    ...(s.drill ? [`  ${drillNote(ctx, s.id, home(ctx).currentId() === s.id)}`] : []),
    ...(s.ended
      ? [`  ${c.yellow.bold(s.status.toUpperCase())} ${hhmm(new Date(s.ended.at))} UTC by ${s.ended.by}: ${s.ended.reason}`]
      : []),
    `  ${c.red.bold(s.severity)} · ${s.status === 'resolved' ? c.green('resolved') : s.status} · phase: ${s.phaseNamed.title} · ${elapsed(incidentStart(state), state.resolvedAt ? new Date(state.resolvedAt) : now)} since ${hhmm(incidentStart(state))} UTC · ${s.channel}`,
    ...(s.phaseNamed.does.length ? [c.dim(`    this phase: ${s.phaseNamed.does.join(' · ')}`)] : []),
    `  response: ${
      s.response.acknowledgedAt
        ? `acknowledged ${hhmm(new Date(s.response.acknowledgedAt))} (deadline ${hhmm(new Date(s.response.deadline))}, ${s.response.responseTime} for ${s.response.severity}) ${s.response.met ? c.green('met') : c.red('missed')}`
        : s.response.overdue
          ? c.red(
              `NOT acknowledged — deadline ${hhmm(new Date(s.response.deadline))} UTC passed ${relative(new Date(s.response.deadline), now)}`,
            )
          : `not acknowledged yet — deadline ${hhmm(new Date(s.response.deadline))} UTC (${relative(new Date(s.response.deadline), now)})`
    }`,
    `  detected: ${hhmm(new Date(s.detectedAt))} UTC${s.detectedBy ? ` by ${detectionText(policy, s.detectedBy)}` : c.dim(` (how is not recorded: bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')})`)}`,
    '  roles:',
    ...s.roleDuties.map(
      (r) => `    ${r.title}: ${r.person ?? c.yellow(`nobody (bud-incident assign ${r.role} NAME)`)} ${c.dim(`— ${r.responsibility}`)}`,
    ),
  ];
  const evidence = judged.filter(isEvidence);
  if (evidence.length) {
    o.push(`  findings (${evidence.length}${s.drill ? ', simulated in this drill' : ''}):`);
    for (const f of evidence.slice(-5)) o.push(`    • ${findingLine(f)}`);
  }
  const setAside = judged.filter((f) => !isEvidence(f));
  if (setAside.length) {
    o.push(c.dim(`  set aside, not facts about the system (${setAside.length}):`));
    for (const f of setAside.slice(-5)) o.push(c.dim(`    • ${findingLine(f)}`));
  }
  if (s.nextUpdate)
    o.push(
      `  next status update: ${s.nextUpdate.overdue ? c.red(`OVERDUE since ${hhmm(new Date(s.nextUpdate.dueAt))} UTC`) : `due ${hhmm(new Date(s.nextUpdate.dueAt))} UTC (${relative(new Date(s.nextUpdate.dueAt), now)})`} — bud-incident update`,
    );
  if (s.status === 'open') {
    const dueNotDone = s.escalation.due.filter((l) => !l.done);
    o.push(
      `  escalation due now: ${s.escalation.due.length ? s.escalation.due.map((l) => `${l.level} ${l.who}${l.done ? c.green(' ✔') : c.red(' (not yet)')}`).join(', ') : 'none'}`,
    );
    if (s.escalation.next)
      o.push(
        `  next escalation: ${s.escalation.next.level} ${s.escalation.next.who} at ${hhmm(new Date(s.escalation.next.at))} UTC (${relative(new Date(s.escalation.next.at), now)})`,
      );
    if (dueNotDone.length) o.push(c.red(`  → escalate now: bud-incident escalate`));
  }
  for (const cl of checklists) o.push(`  checklist ${cl.name}: ${cl.done}/${cl.total} done`);
  o.push(`  actions: ${s.actions.open} open of ${s.actions.total}`);
  o.push(c.dim(`  ${recordLine(state.events, state.head).replace('Record', 'record')}`));
  o.push(
    `  post-mortem: ${s.postmortem.requirement}${s.postmortem.requirement === 'not required' ? '' : s.postmortem.dueAt ? `, due ${s.postmortem.dueAt.slice(0, 16).replace('T', ' ')} UTC` : s.postmortem.within ? `, within ${s.postmortem.within} of resolution` : ''}`,
  );
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}

export interface UpdateOptions {
  status?: string;
  impact?: string;
  nextUpdate?: string;
  findings?: string;
  actions?: string;
  /** §3.4 "Number of users/requests": how many users are affected, requests failed (kept for later updates and the post-mortem). */
  usersAffected?: string;
  requestsFailed?: string;
  /** When it was posted, if earlier (ISO 8601). */
  at?: string;
  json?: boolean;
}

export async function updateCommand(ctx: Context, given: UpdateOptions): Promise<number> {
  const opts = { ...given, status: normaliseStatus(given.status) };
  const policy = policyOf(ctx);
  const { id, state, findings } = incidentWithFindings(ctx);
  requireNotEnded(state, 'a status update');
  // A resolved incident still takes its all-clear (the Resolved update, with the resolution and the
  // confirmed root cause in it); anything else needs it reopened.
  const resolved = state.status === 'resolved';
  if (resolved && opts.status !== undefined && opts.status !== 'Resolved')
    throw new UserError(
      `incident ${id} is resolved: only its all-clear may still be sent (bud-incident update --status Resolved --impact "..."); ` +
        `a "${opts.status}" update needs it reopened first: bud-incident resolve --reopen --incident ${id}`,
    );
  const now = ctx.clock.now();
  const last = state.updates.at(-1);
  const at = whenDone(state, opts.at, now, { after: [last && { what: 'the last status update', at: last.at }] });
  let status = opts.status ?? (resolved ? 'Resolved' : undefined);
  const prompter = status && opts.impact ? undefined : prompterFor(ctx);
  requireOneLine('--status', status);
  let impact = opts.impact;
  if ((!status || !impact) && !prompter)
    throw new UserError(
      `update needs ${[!status ? '--status S' : '', !impact ? '--impact T' : ''].filter(Boolean).join(' and ')} when it cannot ask (no terminal)`,
    );
  if (!status)
    status = await prompter!.select(
      'Status:',
      UPDATE_STATUSES.map((v) => ({ name: v, value: v })),
      state.milestones.mitigated ? 'Monitoring' : 'Investigating',
    );
  requireOneLine('--users-affected', opts.usersAffected);
  requireOneLine('--requests-failed', opts.requestsFailed);
  let usersAffected = opts.usersAffected?.trim() || undefined;
  let requestsFailed = opts.requestsFailed?.trim() || undefined;
  if (!impact) {
    impact = await prompter!.input('Current impact (who/what is affected):', {
      defaultValue: state.impact ?? '',
      validate: (v) => (v.trim() ? true : 'describe the impact'),
    });
    // §3.4's "Number of users/requests", asked with the impact: blank keeps the last count (or "not counted yet").
    usersAffected ??=
      (await prompter!.input('Number of users affected (blank: not counted yet):', { defaultValue: state.usersAffected ?? '' })).trim() ||
      undefined;
    requestsFailed ??=
      (await prompter!.input('Number of requests failed (blank: not counted yet):', { defaultValue: state.requestsFailed ?? '' })).trim() ||
      undefined;
  }
  const nextMs = opts.nextUpdate
    ? parseDuration(opts.nextUpdate)
    : parseDuration(
        policy.severities[(state.severity as 'SEV1') in policy.severities ? (state.severity as 'SEV1') : 'SEV2'].updateEvery ?? '30m',
      );
  if (nextMs === undefined || nextMs <= 0)
    throw new UserError(`--next-update "${opts.nextUpdate}": expected a duration after now, such as 30m or 1h`);
  const nextAt = new Date(at.getTime() + nextMs);
  const resolvedUpdate = status === 'Resolved';
  // Only findings that are evidence about the live system may be said (not a drill's, not refuted, not could-not-check).
  const body = statusUpdateMessage(policy, state, findings, {
    status,
    impact,
    // The message's Time line is when it was sent (update --at backdates it).
    now: at,
    nextAt,
    ...(opts.findings !== undefined ? { findings: opts.findings } : {}),
    ...(opts.actions !== undefined ? { actions: opts.actions } : {}),
    ...(usersAffected ? { usersAffected } : {}),
    ...(requestsFailed ? { requestsFailed } : {}),
  });
  // A message pasted from a rehearsal must never read as a real incident's.
  const message = state.drill ? `${DRILL_BANNER}\n${body}` : body;
  // On a terminal, the responder gets the whole message in their editor before it is recorded.
  let finalMessage = message;
  if (prompter && (await prompter.confirm('Edit the message before it is recorded?', false))) {
    finalMessage = (await prompter.edit('Status update (save and close the editor to record it)', message)).trimEnd() || message;
  }
  // The head witness, after any edit: anyone holding the posted message can check the record still contains it.
  finalMessage = `${finalMessage}\n\n${recordLine(state.events, state.head)}`;
  const event = append(ctx, id, 'status.update', {
    status,
    impact,
    ...(usersAffected ? { usersAffected } : {}),
    ...(requestsFailed ? { requestsFailed } : {}),
    message: finalMessage,
    ...(resolvedUpdate ? {} : { nextUpdateAt: nextAt.toISOString() }),
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const recorded = String((event.data as { message: string }).message);
  const postTo = whereToPost(policy, state);
  if (opts.json)
    writeJson(ctx, {
      incident: id,
      status,
      nextUpdateAt: resolvedUpdate ? null : nextAt.toISOString(),
      message: recorded,
      seq: event.seq,
      postTo,
    });
  else
    ctx.term.out.write(
      `${recorded}\n\n${ctx.term.color.dim(`Recorded in the timeline (#${event.seq}); ${resolvedUpdate ? 'no further update is due.' : `next update due ${hhmm(nextAt)} UTC.`}`)}\n` +
        `${ctx.term.color.bold('Post it in:')}\n${postTo.map((p) => `  ${p.channel} — ${p.what}`).join('\n')}\n`,
    );
  return 0;
}

export function noteCommand(ctx: Context, text: string, opts: { at?: string; tag: string[] }): number {
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a note');
  if (!text.trim()) throw new UserError('note: the text is empty');
  const now = ctx.clock.now();
  const tags = opts.tag ?? [];
  const allowed = ['went-well', 'went-wrong', 'lesson', 'root-cause', 'impact'];
  for (const t of tags) if (!allowed.includes(t)) throw new UserError(`--tag "${t}": use ${allowed.join(', ')}${suggest(t, allowed)}`);
  const at = opts.at !== undefined ? whenDone(state, opts.at, now) : undefined;
  const e = append(ctx, id, 'note.added', { text, ...(at ? { at: at.toISOString() } : {}), ...(tags.length ? { tags } : {}) });
  ctx.term.out.write(`noted in ${id} (#${e.seq}${at ? `, at ${at.toISOString()}` : ''})\n`);
  return 0;
}

export function assignCommand(ctx: Context, roleArg: string, person: string, opts: { at?: string; json?: boolean }): number {
  const policy = policyOf(ctx);
  const role = ROLE_ALIASES[roleArg] ?? roleArg;
  if (!policy.roles[role])
    throw new UserError(
      `unknown role "${roleArg}"${suggest(roleArg, Object.keys(policy.roles))}: use ${Object.keys(policy.roles).join(', ')}`,
    );
  requirePerson('the person', person);
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'assigning a role');
  const previous = state.roles[role];
  const lastOfRole = state.roleHistory.filter((r) => r.role === role).at(-1);
  const at = whenDone(state, opts.at, ctx.clock.now(), {
    after: [lastOfRole && { what: `the last ${role} assignment`, at: lastOfRole.at }],
  });
  if (previous === person) {
    ctx.term.out.write(`${person} is already ${policy.roles[role].title}\n`);
    return 0;
  }
  const e = append(ctx, id, 'role.assigned', {
    role,
    person,
    ...(previous ? { previous } : {}),
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const when = opts.at !== undefined ? at : new Date(e.ts);
  if (opts.json)
    writeJson(ctx, {
      incident: id,
      role,
      person,
      previous: previous ?? null,
      at: when.toISOString(),
      responsibility: policy.roles[role].responsibility,
    });
  else
    ctx.term.out.write(
      `${policy.roles[role].title}: ${person}${previous ? ` (handed over from ${previous})` : ''} at ${hhmm(when)} UTC\n` +
        `  responsible for: ${policy.roles[role].responsibility}\n`,
    );
  return 0;
}

export function severityCommand(ctx: Context, sevArg: string, opts: { reason?: string; at?: string; json?: boolean }): number {
  const policy = policyOf(ctx);
  const sev = parseSeverityArg(sevArg);
  if (!opts.reason?.trim()) throw new UserError('severity: --reason is required (why the severity changes)');
  requireOneLine('--reason', opts.reason);
  const { id, state } = incidentOf(ctx);
  requireOpen(state, 'a severity change');
  if (state.severity === sev) throw new UserError(`incident ${id} is already ${sev}`);
  const now = ctx.clock.now();
  const lastSev = state.severityHistory.at(-1);
  const at = whenDone(state, opts.at, now, {
    after: [lastSev && { what: `the ${lastSev.from ? 'last severity change' : 'severity it was declared with'}`, at: lastSev.at }],
  });
  append(ctx, id, 'severity.changed', {
    from: state.severity,
    to: sev,
    reason: opts.reason,
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const updated = loadIncident(home(ctx), id);
  const deadline = responseDeadline(policy, updated);
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      from: state.severity,
      to: sev,
      responseDeadline: deadline.deadline.toISOString(),
      escalation: statusOf(policy, updated, now, []).escalation,
    });
    return 0;
  }
  ctx.term.out.write(
    [
      `${id}: ${state.severity} → ${ctx.term.color.red.bold(sev)} (${opts.reason})`,
      `  respond by ${hhmm(deadline.deadline)} UTC (${relative(deadline.deadline, now)})`,
      ctx.term.color.bold('  escalation now:'),
      ...escalationLines(ctx, policy, updated, now),
    ].join('\n') + '\n',
  );
  return 0;
}

export function escalateCommand(
  ctx: Context,
  opts: { json?: boolean; dryRun?: boolean; major?: boolean; dataBreach?: boolean; at?: string },
): number {
  const policy = policyOf(ctx);
  const found = incidentOf(ctx);
  const id = found.id;
  let state = found.state;
  requireOpen(state, 'escalation');
  const lastEsc = state.escalations.at(-1);
  // With --at, what was due is judged at that time, and that is when it is recorded as done.
  const now = whenDone(state, opts.at, ctx.clock.now(), { after: [lastEsc && { what: 'the last escalation', at: lastEsc.at }] });
  if ((opts.major && !state.major) || (opts.dataBreach && !state.dataBreach)) {
    append(ctx, id, 'incident.updated', { ...(opts.major ? { major: true } : {}), ...(opts.dataBreach ? { dataBreach: true } : {}) });
    state = loadIncident(home(ctx), id);
  }
  const plan = escalationPlan(policy, state, now);
  const toRecord = plan.due.filter((l) => !l.doneAt).map((l) => l.level);
  if (toRecord.length && !opts.dryRun)
    append(ctx, id, 'escalation.recorded', {
      levels: toRecord,
      severity: state.severity,
      ...(opts.at !== undefined ? { at: now.toISOString() } : {}),
    });
  const view = (l: (typeof plan.levels)[number]) => ({
    level: l.level,
    who: l.who,
    contact: l.contact,
    dueAt: l.dueAt?.toISOString() ?? null,
    why: l.why ?? null,
    alreadyEscalatedAt: l.doneAt?.toISOString() ?? null,
  });
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      severity: state.severity,
      due: plan.due.map(view),
      recorded: opts.dryRun ? [] : toRecord,
      next: plan.next
        ? { level: plan.next.level, who: plan.next.who, contact: plan.next.contact, at: plan.next.dueAt!.toISOString() }
        : null,
    });
    return 0;
  }
  const c = ctx.term.color;
  const asOf = opts.at !== undefined ? `, as of ${hhmm(now)} UTC` : '';
  const o = [
    ...(state.drill ? [c.yellow(DRILL_BANNER)] : []),
    c.bold(`Escalation for ${id} (${state.severity}, ${elapsed(incidentStart(state), now)} in${asOf}):`),
  ];
  for (const l of plan.due)
    o.push(
      `  ${c.red('engage now')} ${l.level} ${l.who} via ${l.contact} ${c.dim(`[${l.why}]`)}${l.doneAt ? c.green(` — already escalated ${hhmm(l.doneAt)} UTC`) : ''}`,
    );
  if (!plan.due.length) o.push('  nobody is due yet');
  if (plan.next)
    o.push(`  next: ${plan.next.level} ${plan.next.who} at ${hhmm(plan.next.dueAt!)} UTC (${relative(plan.next.dueAt!, now)})`);
  o.push(
    toRecord.length
      ? opts.dryRun
        ? c.dim('  (dry run: not recorded)')
        : c.dim(`  recorded: ${toRecord.join(', ')} escalated at ${hhmm(now)} UTC`)
      : '',
  );
  ctx.term.out.write(o.filter(Boolean).join('\n') + '\n');
  return 0;
}

export function actionAdd(ctx: Context, text: string, opts: { owner?: string; due?: string; at?: string; json?: boolean }): number {
  if (!opts.owner) throw new UserError('action add: --owner is required');
  requireOneLine('the action', text);
  requireOneLine('--owner', opts.owner);
  const due = opts.due !== undefined ? parseDue(opts.due) : undefined;
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'an action item');
  const at = opts.at !== undefined ? whenDone(state, opts.at, ctx.clock.now()) : undefined;
  const n = state.actions.size + 1;
  const actionId = `A${n}`;
  append(ctx, id, 'action.added', {
    id: actionId,
    text,
    owner: opts.owner,
    ...(due ? { due } : {}),
    ...(at ? { at: at.toISOString() } : {}),
  });
  if (opts.json) writeJson(ctx, { incident: id, id: actionId, text, owner: opts.owner, due: due ?? null });
  else ctx.term.out.write(`${actionId}: ${text} (owner ${opts.owner}${due ? `, due ${due}` : ''})\n`);
  return 0;
}

export function actionList(ctx: Context, opts: { json?: boolean }): number {
  const { state } = incidentOf(ctx);
  const actions = [...state.actions.values()];
  if (opts.json) {
    writeJson(
      ctx,
      actions.map((a) => ({ ...a, state: a.doneAt ? 'done' : 'open' })),
    );
    return 0;
  }
  if (!actions.length) ctx.term.out.write('no action items (add one: bud-incident action add "TEXT" --owner NAME --due DATE)\n');
  for (const a of actions)
    ctx.term.out.write(
      `${a.doneAt ? ctx.term.color.green('✔') : '○'} ${a.id}  ${a.text}  ${ctx.term.color.dim(`owner ${a.owner}${a.due ? `, due ${a.due}` : ''}${a.doneAt ? `, done ${a.doneAt.slice(0, 16)}` : ''}`)}\n`,
    );
  return 0;
}

export function actionDone(ctx: Context, actionId: string, opts: { at?: string } = {}): number {
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'an action item');
  const a = state.actions.get(actionId.toUpperCase());
  if (!a) throw new UserError(`no action "${actionId}" in ${id}${suggest(actionId.toUpperCase(), [...state.actions.keys()])}`);
  if (a.doneAt) throw new UserError(`${a.id} is already done (${a.doneAt})`);
  const at =
    opts.at !== undefined
      ? whenDone(state, opts.at, ctx.clock.now(), { after: [{ what: `${a.id} was added`, at: a.createdAt }] })
      : undefined;
  append(ctx, id, 'action.done', { id: a.id, ...(at ? { at: at.toISOString() } : {}) });
  ctx.term.out.write(`${a.id} done: ${a.text}\n`);
  return 0;
}

export function milestoneCommand(ctx: Context, name: string, opts: { at?: string; by?: string; json?: boolean }): number {
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a milestone');
  const now = ctx.clock.now();
  if (opts.by !== undefined && name !== 'detected')
    throw new UserError(`--by says how the incident was detected: it goes with "milestone detected", not "${name}"`);
  const by = opts.by !== undefined ? parseDetection(policyOf(ctx), '--by', opts.by) : undefined;
  // Lifecycle milestones are judged against detection by their order (below); 'detected' moves it.
  // "detected --by alert" without --at says how, and keeps when.
  const at =
    by && opts.at === undefined ? new Date(state.detectedAt) : whenDone(state, opts.at, now, { detection: !LIFECYCLE.includes(name) });
  const known = [...LIFECYCLE, 'escalated', 'communicated', 'monitoring'];
  if (!known.includes(name)) throw new UserError(`unknown milestone "${name}"${suggest(name, known)}: use ${known.join(', ')}`);
  if (name === 'resolved')
    throw new UserError('use "bud-incident resolve" to mark the incident resolved (it records root cause and resolution)');
  const problem = checkMilestoneOrder(state, name, at);
  if (problem) throw new UserError(`refused: ${problem}; milestones must be in order (${LIFECYCLE.join(' → ')})`);
  if (name === 'detected' && at.getTime() > new Date(state.openedAt).getTime())
    throw new UserError(`refused: detected at ${at.toISOString()} would come after the incident was declared (${state.openedAt})`);
  append(ctx, id, 'milestone.recorded', { name, at: at.toISOString(), ...(by ? { by } : {}) });
  if (opts.json) writeJson(ctx, { incident: id, name, at: at.toISOString(), ...(by ? { by } : {}) });
  else ctx.term.out.write(`${id}: ${name} at ${at.toISOString()}${by ? ` (${detectionText(policyOf(ctx), by)})` : ''}\n`);
  return 0;
}

export function resolveCommand(
  ctx: Context,
  opts: {
    rootCause?: string;
    resolution?: string;
    at?: string;
    reopen?: boolean;
    json?: boolean;
    usersAffected?: string;
    requestsFailed?: string;
  },
): number {
  const policy = policyOf(ctx);
  const { id, state } = incidentOf(ctx);
  const now = ctx.clock.now();
  if (opts.reopen) {
    // A closed incident may go on (a duplicate that was not one); a discarded one was opened by mistake and stays so.
    if (state.status === 'discarded')
      throw new UserError(
        `incident ${id} was discarded (opened by mistake) and cannot be reopened: declare a new one (bud-incident declare)`,
      );
    if (state.status !== 'resolved' && state.status !== 'closed') throw new UserError(`incident ${id} is not resolved or closed`);
    const reopenedAt = whenDone(state, opts.at, now, {
      after: [state.resolvedAt ? { what: 'its resolution', at: state.resolvedAt } : undefined],
    });
    append(ctx, id, 'incident.reopened', { from: state.status, ...(opts.at !== undefined ? { at: reopenedAt.toISOString() } : {}) });
    ctx.term.out.write(`${id} reopened${opts.at !== undefined ? ` at ${reopenedAt.toISOString()}` : ''}\n`);
    return 0;
  }
  requireOpen(state, 'resolve');
  if (!opts.rootCause?.trim() || !opts.resolution?.trim())
    throw new UserError('resolve needs --root-cause T and --resolution T (what broke, and how it was fixed)');
  const at = whenDone(state, opts.at, now);
  const order = checkMilestoneOrder(state, 'resolved', at);
  if (order) throw new UserError(`refused: ${order}; milestones must be in order (${LIFECYCLE.join(' → ')}): give a later --at`);
  const pm = postmortemRequirement(policy, state.severity, at);
  // The impact figures the post-mortem asks for, when the responder has them.
  if (opts.usersAffected || opts.requestsFailed) {
    append(ctx, id, 'incident.updated', {
      ...(opts.usersAffected ? { usersAffected: opts.usersAffected } : {}),
      ...(opts.requestsFailed ? { requestsFailed: opts.requestsFailed } : {}),
    });
  }
  append(ctx, id, 'incident.resolved', {
    rootCause: opts.rootCause,
    resolution: opts.resolution,
    at: at.toISOString(),
    postmortemRequired: pm.required,
    postmortemDue: pm.dueAt?.toISOString() ?? null,
  });
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      resolvedAt: at.toISOString(),
      postmortem: { required: pm.required, requirement: pm.requirement, dueAt: pm.dueAt?.toISOString() ?? null },
    });
    return 0;
  }
  ctx.term.out.write(
    [
      `${ctx.term.color.green.bold('Resolved:')} ${id} at ${at.toISOString()} (${elapsed(incidentStart(state), at)} after it started)`,
      `  root cause: ${opts.rootCause}`,
      `  resolution: ${opts.resolution}`,
      `  post-mortem: ${pm.required ? ctx.term.color.bold(`required, due ${pm.dueAt?.toISOString().slice(0, 16).replace('T', ' ')} UTC`) : `${pm.requirement}${pm.requirement === 'optional' && pm.dueAt ? ` (within ${pm.within})` : ''}`} — bud-incident postmortem generate`,
    ].join('\n') + '\n',
  );
  return 0;
}

export function incidentsList(ctx: Context, opts: { json?: boolean }): number {
  const h = home(ctx);
  const current = h.currentId();
  const rows = h.list().map((id) => {
    let s: IncidentState;
    try {
      s = loadIncident(h, id);
    } catch (error) {
      // One broken record must not hide the others: list it as such (the readers refuse it).
      if (!(error instanceof UserError) || error.exitCode !== 3) throw error;
      if (!(error instanceof ChainError))
        return {
          id,
          title: `refused: ${error.message}`,
          severity: '?',
          status: 'broken',
          drill: null,
          openedAt: '',
          current: id === current,
        };
      return {
        id,
        title: `record does not verify (line ${error.line}): bud-incident timeline verify --incident ${id}`,
        severity: '?',
        status: 'broken',
        drill: null,
        openedAt: '',
        current: id === current,
      };
    }
    return { id, title: s.title, severity: s.severity, status: s.status, drill: s.drill, openedAt: s.openedAt, current: id === current };
  });
  if (opts.json) {
    writeJson(ctx, rows);
    return 0;
  }
  if (!rows.length) ctx.term.out.write('no incidents yet (bud-incident declare, or bud-incident run <runbook>)\n');
  // Columns as wide as the longest id (a drill's ids are long), so DRILL and the times line up.
  const idWidth = Math.max(0, ...rows.map((r) => r.id.length));
  for (const r of rows)
    ctx.term.out.write(
      `${r.current ? '*' : ' '} ${r.id.padEnd(idWidth)}  ${r.severity.padEnd(4)}  ${r.status.padEnd(9)} ${r.drill ? 'DRILL ' : '      '}${r.openedAt.slice(0, 16).replace('T', ' ')}  ${r.title}\n`,
    );
  return 0;
}

export function incidentsSwitch(ctx: Context, id: string): number {
  const h = home(ctx);
  const resolved = h.resolve(id);
  h.setCurrent(resolved);
  ctx.term.out.write(`current incident: ${resolved}\n`);
  return 0;
}

/**
 * `incidents close|discard [ID] --reason TEXT`: ends an incident that will not be resolved (close: a
 * finished drill, a duplicate; discard: opened by mistake). Recorded as an event, never deleted; the
 * incident stops being current, and recording commands refuse it from then on.
 */
export function incidentsEnd(
  ctx: Context,
  how: 'close' | 'discard',
  explicit: string | undefined,
  opts: { reason?: string; json?: boolean },
): number {
  if (!opts.reason?.trim())
    throw new UserError(
      `incidents ${how}: --reason is required (${how === 'close' ? 'why it ends without resolution, e.g. "drill finished" or "duplicate of ID"' : 'what the mistake was'})`,
    );
  requireOneLine('--reason', opts.reason);
  const h = home(ctx);
  const id = h.resolve(explicit ?? ctx.global.incident);
  const state = loadIncident(h, id);
  const status = how === 'close' ? 'closed' : 'discarded';
  if (state.status === status) throw new UserError(`incident ${id} is already ${status} (${state.ended?.reason ?? ''})`);
  if (state.status === 'discarded') throw new UserError(`incident ${id} was discarded (opened by mistake); it stays so`);
  // A resolved incident ended with a resolution: it is not closed without one (discarding it, if it was opened by mistake, is allowed).
  if (how === 'close' && state.status === 'resolved')
    throw new UserError(
      `incident ${id} is resolved: it already ended, with a resolution. Use "incidents discard" if it was opened by mistake`,
    );
  const now = ctx.clock.now();
  const e = append(ctx, id, `incident.${status}`, { reason: opts.reason, at: now.toISOString(), previousStatus: state.status });
  const wasCurrent = h.currentId() === id;
  if (wasCurrent) h.clearCurrent(id);
  if (opts.json)
    writeJson(ctx, { incident: id, status, reason: opts.reason, at: now.toISOString(), drill: state.drill, seq: e.seq, wasCurrent });
  else
    ctx.term.out.write(
      `${id}${state.drill ? ' (drill)' : ''} ${status} at ${hhmm(now)} UTC: ${opts.reason} (#${e.seq})` +
        (wasCurrent ? '\n  no current incident now: bud-incident incidents switch ID, or declare one' : '') +
        '\n',
    );
  return 0;
}

export { slugify };

export async function handoffCommand(
  ctx: Context,
  opts: { to?: string; from?: string; at?: string; json?: boolean },
  afterSummary?: (id: string) => Promise<void>,
): Promise<number> {
  requirePerson('--to', opts.to);
  requirePerson('--from', opts.from);
  const policy = policyOf(ctx);
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a handoff');
  const lastHandoff = state.handoffs.at(-1);
  const now = whenDone(state, opts.at, ctx.clock.now(), { after: [lastHandoff && { what: 'the last handoff', at: lastHandoff.at }] });
  // With --at, the summary is as of that time: only what had happened by then (recorded before or after).
  const all = [...home(ctx).events(id)];
  const events =
    opts.at === undefined ? all : all.filter((e) => e.type === 'incident.opened' || Date.parse(happenedAt(e)) <= now.getTime());
  const then = opts.at === undefined ? state : foldIncident(id, events);
  const lines = handoffSummary(policy, then, now, events);
  const from = opts.from ?? then.roles.commander ?? events.at(-1)?.actor ?? 'unknown';
  const to = opts.to;
  const e = append(ctx, id, 'handoff.completed', {
    from,
    to: to ?? '',
    summary: lines.join('\n'),
    ...(opts.at !== undefined ? { at: now.toISOString() } : {}),
  });
  if (opts.json) writeJson(ctx, { incident: id, from, to: to ?? null, summary: lines, seq: e.seq });
  else {
    ctx.term.out.write(
      lines.join('\n') + '\n\n' + ctx.term.color.dim(`Recorded (#${e.seq}). The handoff checklist: bud-incident checklist handoff`) + '\n',
    );
    await afterSummary?.(id);
  }
  return 0;
}

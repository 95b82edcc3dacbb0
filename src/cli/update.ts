/**
 * `update`: builds the §3.4 status update from the policy's template, records it and says where to post it.
 */
import { text } from '../timeline/recorded.js';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { normaliseStatus, statusUpdateMessage, UPDATE_STATUSES, whereToPost } from '../incident/status-update.js';
import { DRILL_BANNER } from '../incident/declared.js';
import { writeJson, type Context } from './context.js';
import { append, incidentWithFindings, policyOf, prompterFor, requireNotEnded, requireOneLine, whenDone } from './incident-common.js';
import type { Prompter } from '../adapters/prompter.js';
import { recordLine } from '../timeline/event.js';
import { updateView } from '../render/update.js';

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
  // Without --status or --impact, update asks (and the §3.4 counts with the impact).
  const ask = (): Prompter => {
    if (prompter) return prompter;
    throw new UserError(
      `update needs ${[!status ? '--status S' : '', !impact ? '--impact T' : ''].filter(Boolean).join(' and ')} when it cannot ask (no terminal)`,
    );
  };
  if (!status || !impact) ask();
  if (!status)
    status = await ask().select(
      'Status:',
      UPDATE_STATUSES.map((v) => ({ name: v, value: v })),
      state.milestones.mitigated ? 'Monitoring' : 'Investigating',
    );
  requireOneLine('--users-affected', opts.usersAffected);
  requireOneLine('--requests-failed', opts.requestsFailed);
  let usersAffected = opts.usersAffected?.trim() || undefined;
  let requestsFailed = opts.requestsFailed?.trim() || undefined;
  if (!impact) {
    impact = await ask().input('Current impact (who/what is affected):', {
      defaultValue: state.impact ?? '',
      validate: (v) => (v.trim() ? true : 'describe the impact'),
    });
    // §3.4's "Number of users/requests", asked with the impact: blank keeps the last count (or "not counted yet").
    usersAffected ??=
      (await ask().input('Number of users affected (blank: not counted yet):', { defaultValue: state.usersAffected ?? '' })).trim() ||
      undefined;
    requestsFailed ??=
      (await ask().input('Number of requests failed (blank: not counted yet):', { defaultValue: state.requestsFailed ?? '' })).trim() ||
      undefined;
  }
  const nextMs = opts.nextUpdate ? parseDuration(opts.nextUpdate) : parseDuration(policy.severities[state.severity].updateEvery ?? '30m');
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
  // Offline in team mode, the events not yet shared are re-chained when they are: the witness changes.
  const unshared = ctx.team?.lineFor(id).pending ?? 0;
  if (unshared > 0)
    ctx.term.err.write(
      `${ctx.term.errColor.yellow('warning:')} ${unshared} event${unshared === 1 ? '' : 's'} of this record ${unshared === 1 ? 'is' : 'are'} not yet shared with ${ctx.team?.location.display ?? 'the team store'}: the head witness in this message is this laptop's and changes when ${unshared === 1 ? 'it is' : 'they are'} shared (timeline verify --head would then not find it). Post the message once a command has reached the store, or run update again then\n`,
    );
  const event = append(ctx, id, 'status.update', {
    status,
    impact,
    ...(usersAffected ? { usersAffected } : {}),
    ...(requestsFailed ? { requestsFailed } : {}),
    message: finalMessage,
    ...(resolvedUpdate ? {} : { nextUpdateAt: nextAt.toISOString() }),
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const recorded = text(event.data.message);
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
      updateView(ctx.term.color, { message: recorded, seq: event.seq, nextAt: resolvedUpdate ? undefined : nextAt, postTo }).join('\n') +
        '\n',
    );
  return 0;
}

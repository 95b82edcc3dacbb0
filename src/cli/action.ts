/**
 * `action add|list|done`: the incident's action items with owner and due date.
 */
import { UserError } from '../errors.js';
import { suggest } from '../suggest.js';
import { writeJson, type Context } from './context.js';
import { actionListView } from '../render/action-list.js';
import { append, incidentOf, parseDue, requireNotEnded, requireOneLine, whenDone } from './incident-common.js';

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
  ctx.term.out.write(actionListView(ctx.term.color, actions).join('\n') + '\n');
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

/**
 * `note`: the scribe's timeline entry, with optional post-mortem tags.
 */
import { UserError } from '../errors.js';
import { suggest } from '../suggest.js';
import { type Context } from './context.js';
import { append, incidentOf, requireNotEnded, whenDone } from './incident-common.js';

export function noteCommand(ctx: Context, text: string, opts: { at?: string; tag: string[] }): number {
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a note');
  if (!text.trim()) throw new UserError('note: the text is empty');
  const now = ctx.clock.now();
  const tags = opts.tag; // a repeatable option: commander starts it at []
  const allowed = ['went-well', 'went-wrong', 'lesson', 'root-cause', 'impact'];
  for (const t of tags) if (!allowed.includes(t)) throw new UserError(`--tag "${t}": use ${allowed.join(', ')}${suggest(t, allowed)}`);
  const at = opts.at !== undefined ? whenDone(state, opts.at, now) : undefined;
  const e = append(ctx, id, 'note.added', { text, ...(at ? { at: at.toISOString() } : {}), ...(tags.length ? { tags } : {}) });
  ctx.term.out.write(`noted in ${id} (#${e.seq}${at ? `, at ${at.toISOString()}` : ''})\n`);
  return 0;
}

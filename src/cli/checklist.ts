/** `bud-incident checklist <name>`: work through a checklist for the current incident. */
import { InquirerPrompter } from '../adapters/prompter.js';
import { UserError } from '../errors.js';
import { checklistState, type ItemState } from '../incident/checklist-state.js';
import type { Checklist } from '../incident/checklist.js';
import { checklists } from './docs.js';
import type { IncidentState } from '../incident/state.js';
import { suggest } from '../suggest.js';
import { home, writeJson, type Context } from './context.js';
import { incidentOf, requireNotEnded } from './incident-common.js';

export { checklists } from './docs.js';

function find(ctx: Context, name: string): Checklist {
  const all = checklists(ctx);
  const c = all.get(name.toLowerCase());
  if (!c)
    throw new UserError(`unknown checklist "${name}"${suggest(name, [...all.keys()])}. Checklists: ${[...all.keys()].sort().join(', ')}`);
  return c;
}

function stateOf(ctx: Context, c: Checklist): { id: string; items: ItemState[] } {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  return { id, items: checklistState(c, h.events(id)) };
}

/** Finds an item by id, 1-based number or a unique piece of its text. */
function resolveItem(c: Checklist, ref: string): string {
  const byId = c.items.find((i) => i.id === ref);
  if (byId) return byId.id;
  const byNumber = /^\d+$/.test(ref) ? c.items[Number(ref) - 1] : undefined;
  if (byNumber) return byNumber.id;
  const byText = c.items.filter((i) => i.text.toLowerCase().includes(ref.toLowerCase()));
  const [only] = byText;
  if (byText.length === 1 && only) return only.id;
  throw new UserError(
    `no single item "${ref}" in checklist ${c.id}${suggest(
      ref,
      c.items.map((i) => i.id),
    )}. Items: ${c.items.map((i, n) => `${n + 1}. ${i.id}`).join(', ')}`,
  );
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** What proved a done item: "proved by #12 status.update (…) 2026-11-28 04:40 UTC" or "ticked by alice at …". */
export function proofText(item: ItemState): string {
  const p = item.proof;
  if (!item.done || !p) return '';
  if (p.kind === 'hand') return `ticked by ${p.by} at ${when(p.at)} (#${p.seq})`;
  return `proved by ${p.events.map((e) => `#${e.seq} ${e.type} at ${when(e.at ?? e.ts)} by ${e.actor} (${e.what})`).join(' + ')}`;
}

/** How to record an open item: its proving command, else a hand tick. */
export function recordText(item: ItemState): string {
  const [first, ...rest] = item.record ?? [];
  if (!first) return '';
  const unticked = item.by && item.at ? `unticked by ${item.by} at ${when(item.at)}; ` : '';
  return unticked + (rest.length ? `record it: ${first}; or tick it by hand: ${rest.join('; ')}` : `by hand: ${first}`);
}

export interface ChecklistOptions {
  json?: boolean;
  check?: string[];
  uncheck?: string[];
  /** When the ticked items were done, if earlier (judged as every --at is). */
  at?: string;
}

export async function checklistCommand(ctx: Context, name: string, opts: ChecklistOptions): Promise<number> {
  const c = find(ctx, name);
  const initial = stateOf(ctx, c);
  const id = initial.id;
  if (opts.check?.length || opts.uncheck?.length || (!opts.json && ctx.stdinIsTTY && ctx.term.out.isTTY))
    requireNotEnded(incidentOf(ctx).state, 'ticking a checklist');
  let items = initial.items;
  const store = home(ctx).timeline(id);
  const changes = [...(opts.check ?? []).map((r) => [r, true] as const), ...(opts.uncheck ?? []).map((r) => [r, false] as const)];
  if (opts.at !== undefined && !changes.length) throw new UserError('--at dates a tick: give it with --check or --uncheck');
  // Resolved before anything is written: a typo in the third item records none of them.
  const resolved = changes.map(([ref, done]) => [resolveItem(c, ref), done] as const);
  let at: string | undefined;
  if (opts.at !== undefined) {
    const [{ loadIncident }, { whenDone }] = await Promise.all([import('../incident/open.js'), import('./incident-common.js')]);
    // A tick is dated after the last tick or untick of the same item, like every history.
    const byHand = (item: string) => {
      const i = items.find((x) => x.id === item);
      return i && i.by && i.at && (i.proof?.kind === 'hand' || !i.done)
        ? { what: `the last tick or untick of ${item}`, at: i.at }
        : undefined;
    };
    at = whenDone(loadIncident(home(ctx), id), opts.at, ctx.clock.now(), { after: resolved.map(([item]) => byHand(item)) }).toISOString();
  }
  const record = (item: string, done: boolean) =>
    store.append([{ type: 'checklist.item', data: { checklist: c.id, item, done, ...(at ? { at } : {}) } }]);
  for (const [item, done] of resolved) record(item, done);
  if (changes.length) ({ items } = stateOf(ctx, c));

  const interactive = !opts.json && !changes.length && ctx.stdinIsTTY && ctx.term.out.isTTY;
  if (interactive) {
    const prompter = new InquirerPrompter();
    const chosen = await prompter.checkbox<string>(
      `${c.title} for ${id} (space ticks, enter saves)`,
      items.map((i) => ({ name: `${i.text}${i.done ? `  — ${proofText(i)}` : ''}`, value: i.id, checked: i.done })),
    );
    for (const i of items) {
      const now = chosen.includes(i.id);
      if (now !== i.done) record(i.id, now);
    }
    ({ items } = stateOf(ctx, c));
  }
  const done = items.filter((i) => i.done).length;
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      checklist: c.id,
      title: c.title,
      done,
      total: items.length,
      items: items.map((i) => ({
        id: i.id,
        text: i.text,
        done: i.done,
        by: i.by ?? null,
        at: i.at ?? null,
        auto: i.auto,
        evidence: i.evidence ?? null,
        proof: i.proof ?? null,
        record: i.record ?? null,
      })),
    });
    return 0;
  }
  const col = ctx.term.color;
  const o = [`${col.bold(c.title)} ${col.dim(`(${c.playbook ?? c.id})`)} — ${id}: ${done}/${items.length} done`];
  items.forEach((i, n) => {
    o.push(`  ${i.done ? col.green('[x]') : '[ ]'} ${String(n + 1).padStart(2)}. ${i.text}`);
    o.push(col.dim(`         ${i.done ? proofText(i) : recordText(i)}`));
  });
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}

/** For `status`: progress of the checklists that apply to the incident's severity (and handoff once handed off). */
export function checklistProgress(ctx: Context): (state: IncidentState) => Array<{ name: string; done: number; total: number }> {
  return (state) => {
    const h = home(ctx);
    const events = [...h.events(state.id)];
    return [...checklists(ctx).values()]
      .filter((c) => c.severities?.includes(state.severity) || (c.id === 'handoff' && state.handoffs.length > 0))
      .map((c) => {
        const items = checklistState(c, events);
        return { name: c.id, done: items.filter((i) => i.done).length, total: items.length };
      });
  };
}

/** After a handoff summary: the handoff checklist, interactive on a terminal, listed otherwise. */
export function offerChecklist(ctx: Context, name: string): (id: string) => Promise<void> {
  return async () => {
    await checklistCommand(ctx, name, {});
  };
}

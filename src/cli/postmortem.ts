/** `bud-incident postmortem generate`: the post-mortem document from the timeline. */
import { strings } from '../timeline/recorded.js';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ChecklistTracker } from '../incident/checklist-state.js';
import { applyEvent, emptyState } from '../incident/state.js';
import { FindingLedger } from '../incident/findings.js';
import { describeOptions, generatePostmortem, isSignificant, timelineRow, type TimelineRow } from '../postmortem/generate.js';
import { readEvents, TimelineWriteError } from '../timeline/store.js';
import { checklists } from './checklist.js';
import { home, redactor, type Context } from './context.js';
import { neutralise } from '../render/terminal.js';
import { policyOf, requireNotEnded, requireOneLine } from './incident-common.js';

export interface PostmortemOptions {
  output?: string;
  format?: string;
  author?: string;
}

export function postmortemGenerate(ctx: Context, opts: PostmortemOptions): number {
  const format = opts.format ?? 'md';
  if (format !== 'md' && format !== 'json') throw new UserError(`--format "${format}": use md or json`);
  requireOneLine('--author', opts.author);
  const policy = policyOf(ctx);
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  const store = h.timeline(id);
  // A record that does not verify is refused (exit 3) unless --ignore-chain, which warns here and in the document.
  const chain = h.checkChain(id);
  // One pass: fold every event, follow every checklist, and keep only the table rows the document
  // shows. No event object outlives its line, so memory does not grow with what is omitted.
  const state = emptyState(id);
  const rows: TimelineRow[] = [];
  const trackers = [...checklists(ctx).values()].map((c) => new ChecklistTracker(c));
  const ledger = new FindingLedger();
  const describe = describeOptions(policy);
  for (const e of readEvents(store.path)) {
    applyEvent(state, e);
    ledger.add(e);
    if (isSignificant(e)) rows.push(timelineRow(e, describe));
    for (const t of trackers) t.add(e);
  }
  if (state.events === 0) throw new UserError(`incident ${id} has no events`);
  const gaps = trackers
    .filter((t) => t.checklist.severities?.includes(state.severity) || (t.checklist.id === 'handoff' && state.handoffs.length > 0))
    .map((t) => ({
      checklist: t.checklist.id,
      items: t
        .items()
        .filter((i) => !i.done)
        .map((i) => i.text),
    }));
  const pm = generatePostmortem({
    policy,
    state,
    rows,
    findings: ledger.list(),
    checklistGaps: gaps,
    ...(opts.author ? { author: opts.author } : {}),
  });
  const red = redactor(ctx);
  // The markdown is for people (cat, a wiki paste): escape sequences from notes and output are shown escaped.
  let text = format === 'json' ? JSON.stringify(red.redactValue(pm.data), null, 2) + '\n' : neutralise(red.redact(pm.markdown));
  if (!chain.ok && format === 'md')
    text = `> **Warning:** the timeline does not verify from line ${chain.error.line} (${chain.error.reason}); this document may rest on altered records.\n\n${text}`;
  const target = opts.output === '-' ? undefined : opts.output ? resolve(ctx.cwd, opts.output) : join(store.dir, `postmortem.${format}`);
  if (!target) {
    ctx.term.out.write(text);
    return 0;
  }
  requireNotEnded(state, 'recording a post-mortem (-o - prints one without recording)');
  try {
    writeFileSync(target, text, { mode: 0o600 });
  } catch (error) {
    throw new TimelineWriteError(target, error);
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  store.append([{ type: 'postmortem.generated', data: { path: target, format, sha256, draft: true } }]);
  const missing = strings(pm.data.missing).length
    ? ` — draft, missing: ${strings(pm.data.missing).join('; ')}`
    : ' — draft, ready for review';
  ctx.term.out.write(`${target}${missing}\n`);
  return 0;
}

/** `bud-incident timeline [--json] [--format table|md|json]` and `timeline verify`. */
import { UserError } from '../errors.js';
import { describeEvent } from '../timeline/describe.js';
import { readEvents, verifyTimeline } from '../timeline/store.js';
import { home, type Context } from './context.js';

export function showTimeline(ctx: Context, opts: { json?: boolean; format?: string; all?: boolean }): number {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  const path = h.timeline(id).path;
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (!['json', 'md', 'markdown', 'table'].includes(format)) throw new UserError(`--format "${format}": use table, md or json`);
  // Step starts and live details are noise for humans; --all shows every event.
  const hidden = new Set(opts.all || format === 'json' ? [] : ['step.started', 'step.process']);
  const out = ctx.term.out;
  if (format === 'json') {
    for (const e of readEvents(path)) out.write(JSON.stringify(e) + '\n');
    return 0;
  }
  if (format === 'md' || format === 'markdown') {
    out.write(`# Timeline: ${id}\n\n| # | Time (UTC) | Actor | Event |\n|---|---|---|---|\n`);
    for (const e of readEvents(path)) {
      if (hidden.has(e.type)) continue;
      out.write(
        `| ${e.seq} | ${e.ts.slice(0, 19).replace('T', ' ')} | ${e.actor} | ${describeEvent(e).replace(/\|/g, '\\|').replace(/\n/g, ' ')} |\n`,
      );
    }
    return 0;
  }
  const c = ctx.term.color;
  out.write(c.bold(`Timeline of ${id}`) + c.dim(`  (${path})`) + '\n');
  for (const e of readEvents(path)) {
    if (hidden.has(e.type)) continue;
    const text = describeEvent(e);
    const painted =
      e.type === 'finding.raised'
        ? c.red(text)
        : e.type.startsWith('mitigation')
          ? c.yellow(text)
          : e.type.startsWith('incident')
            ? c.bold(text)
            : text;
    out.write(`${c.dim(String(e.seq).padStart(4))}  ${e.ts.slice(11, 19)}  ${c.dim(e.actor.padEnd(10).slice(0, 10))}  ${painted}\n`);
  }
  return 0;
}

export function verifyTimelineCommand(ctx: Context, opts: { json?: boolean }): number {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  const path = h.timeline(id).path;
  const result = verifyTimeline(path);
  if (opts.json) {
    ctx.term.out.write(JSON.stringify({ incident: id, path, ...result }, null, 2) + '\n');
    return result.ok ? 0 : 1;
  }
  const c = ctx.term.color;
  if (result.ok) {
    ctx.term.out.write(`${c.green('✔')} ${path}: ${result.events} events, every line whole, hash chain intact\n`);
    if (result.torn)
      ctx.term.out.write(
        c.yellow(
          `  note: line ${result.torn.line} is an incomplete write (${result.torn.bytes} bytes), not part of the chain; the next write moves it aside to timeline.torn.jsonl\n`,
        ),
      );
    return 0;
  }
  ctx.term.out.write(
    `${c.red('✖')} ${path}:${result.firstBad!.line}: ${result.firstBad!.reason}\n  the ${result.events} event(s) before line ${result.firstBad!.line} verify; from this line on the record cannot be trusted\n`,
  );
  return 1;
}

/**
 * `bud-incident timeline [--json] [--format table|md|json]` and `timeline verify [--head HASH]`.
 * The view refuses a record that does not verify (unless --ignore-chain); verify checks the chain,
 * that it opens this incident, every artifact's hash, and a head witness given to it.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import { checkArtifacts } from '../timeline/artifacts.js';
import { describeEvent, happenedEarlier } from '../timeline/describe.js';
import { parseWitness, readEvents, verifyTimeline } from '../timeline/store.js';
import { eventId, type TimelineEvent } from '../timeline/event.js';
import { home, type Context } from './context.js';

/** " (happened 2026-01-01 10:08 UTC, recorded later)" for an event recorded after the fact; the time column is when it was written. */
function happened(e: Parameters<typeof happenedEarlier>[0]): string {
  const at = happenedEarlier(e);
  return at ? ` (happened ${at.slice(0, 16).replace('T', ' ')} UTC, recorded later)` : '';
}

export interface TimelineOptions {
  json?: boolean;
  format?: string;
  all?: boolean;
  /** Keep printing the events that land (teammates' too, in team mode) until Ctrl-C. */
  follow?: boolean;
}

export async function showTimeline(ctx: Context, opts: TimelineOptions): Promise<number> {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  const path = h.timeline(id).path;
  const format = opts.json ? 'json' : (opts.format ?? 'table');
  if (!['json', 'md', 'markdown', 'table'].includes(format)) throw new UserError(`--format "${format}": use table, md or json`);
  // Step starts and live details are noise for humans; --all shows every event.
  const hidden = new Set(opts.all || format === 'json' ? [] : ['step.started', 'step.process']);
  h.checkChain(id);
  const out = ctx.term.out;
  // A drill says so in the header (its first event, incident.opened, carries the flag).
  let drill = false;
  for (const e of readEvents(path)) {
    drill = e.type === 'incident.opened' && e.data.drill === true;
    break;
  }
  const c = ctx.term.color;
  if (format === 'md' || format === 'markdown')
    out.write(
      `# Timeline: ${id}${drill ? ' (DRILL: a rehearsal, not a live incident)' : ''}\n\n| # | Time (UTC) | Actor | Event |\n|---|---|---|---|\n`,
    );
  else if (format === 'table')
    out.write(
      c.bold(`Timeline of ${id}`) +
        (drill ? ` ${c.magenta.bold('DRILL')} (a rehearsal, not a live incident)` : '') +
        c.dim(`  (${path})`) +
        '\n',
    );
  // Each event once, by its id (in team mode an event not yet shared may be renumbered when it is).
  const printed = new Set<string>();
  const printNew = () => {
    for (const e of readEvents(path)) {
      const key = eventId(e);
      if (printed.has(key)) continue;
      printed.add(key);
      if (!hidden.has(e.type)) out.write(eventRow(c, format, e));
    }
  };
  printNew();
  if (!opts.follow) return 0;
  const { watchIncident } = await import('./live.js');
  return watchIncident(ctx, id, printNew);
}

/** One event as a row of the chosen format. */
function eventRow(c: Context['term']['color'], format: string, e: TimelineEvent): string {
  if (format === 'json') return JSON.stringify(e) + '\n';
  if (format === 'md' || format === 'markdown')
    return `| ${e.seq} | ${e.ts.slice(0, 19).replace('T', ' ')} | ${e.actor} | ${describeEvent(e).replace(/\|/g, '\\|').replace(/\n/g, ' ')}${happened(e)} |\n`;
  const text = describeEvent(e);
  const painted =
    e.type === 'finding.raised'
      ? c.red(text)
      : e.type.startsWith('mitigation')
        ? c.yellow(text)
        : e.type.startsWith('incident')
          ? c.bold(text)
          : text;
  return `${c.dim(String(e.seq).padStart(4))}  ${e.ts.slice(11, 19)}  ${c.dim(e.actor.padEnd(10).slice(0, 10))}  ${painted}${c.dim(happened(e))}\n`;
}

/**
 * `timeline verify`: this laptop's record; in team mode also the team store's record of the incident,
 * read straight from the database and checked event by event, and whether the copy is level with it.
 */
export async function verifyTimelineCommand(ctx: Context, opts: { json?: boolean; head?: string; file?: string }): Promise<number> {
  const server = opts.file === undefined && ctx.team?.store ? await serverCheck(ctx, home(ctx).resolve(ctx.global.incident)) : undefined;
  const local = verifyLocal(ctx, opts, server);
  return server && !server.ok ? 1 : local;
}

interface ServerCheck {
  ok: boolean;
  store: string;
  events?: number;
  head?: string;
  problem?: string;
}

async function serverCheck(ctx: Context, id: string): Promise<ServerCheck | undefined> {
  const store = ctx.team?.store;
  if (!store) return undefined;
  const { verifyServer } = await import('./store.js');
  try {
    const r = await verifyServer(store, id);
    return { ok: true, store: store.location.display, events: r.events, head: r.head };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // Not shared yet (created offline): not a broken record.
    if (error.exitCode === 2) return { ok: true, store: store.location.display, problem: 'not on the team store yet' };
    return { ok: false, store: store.location.display, problem: error.message };
  }
}

function verifyLocal(ctx: Context, opts: { json?: boolean; head?: string; file?: string }, server: ServerCheck | undefined): number {
  // --file: a timeline outside the state directory (an export of the team store): the chain only,
  // and the incident it opens; its artifacts are not beside it.
  const h = opts.file === undefined ? home(ctx) : undefined;
  const id = h ? h.resolve(ctx.global.incident) : openedId(opts.file ?? '');
  const store = h?.timeline(id);
  const path = store?.path ?? opts.file ?? '';
  const witness = opts.head === undefined ? undefined : parseWitness(opts.head);
  if (opts.head !== undefined && !witness)
    throw new UserError(
      `--head "${opts.head}": expected a sha256 hash or a prefix of at least 12 hex digits (as in "Record: … head sha256:…")`,
    );
  const result = verifyTimeline(path, { incidentId: id, ...(witness ? { witness } : {}) });
  // Every artifact any readable line references, also past a broken line (it is evidence either way).
  const artifacts = store ? checkArtifacts(store.dir, readEvents(path)) : { checked: 0, problems: [] };
  const witnessOk = !result.witness || result.witness.seq !== undefined;
  const ok = result.ok && artifacts.problems.length === 0 && witnessOk;
  if (opts.json) {
    ctx.term.out.write(
      JSON.stringify({ incident: id, path, ...result, ok, chainOk: result.ok, artifacts, ...(server ? { server } : {}) }, null, 2) + '\n',
    );
    return ok ? 0 : 1;
  }
  const c = ctx.term.color;
  const out = ctx.term.out;
  if (result.ok) {
    out.write(
      `${c.green('✔')} ${path}: ${result.events} events, every line whole, hash chain intact, opens incident ${id}; head sha256:${result.head}\n`,
    );
    if (result.torn)
      out.write(
        c.yellow(
          `  note: line ${result.torn.line} is an incomplete write (${result.torn.bytes} bytes), not part of the chain; the next write moves it aside to timeline.torn.jsonl\n`,
        ),
      );
  } else {
    // A chain that does not verify names its first bad line.
    const bad = result.firstBad;
    out.write(
      `${c.red('✖')} ${path}:${bad.line}: ${bad.reason}\n  the ${result.events} event(s) before line ${bad.line} verify; from this line on the record cannot be trusted\n`,
    );
  }
  if (artifacts.problems.length === 0) {
    if (artifacts.checked) out.write(`${c.green('✔')} ${artifacts.checked} artifact(s) match the hashes recorded in the timeline\n`);
  } else
    for (const p of artifacts.problems)
      out.write(`${c.red('✖')} ${store?.dir ?? '.'}/${p.path}: ${p.problem} (recorded by event #${p.seq})\n`);
  if (server) {
    if (!server.ok) out.write(`${c.red('✖')} team store ${server.store}: ${server.problem ?? 'does not verify'}\n`);
    else if (server.events === undefined) out.write(`${c.yellow('•')} team store ${server.store}: ${server.problem ?? ''}\n`);
    else
      out.write(
        `${c.green('✔')} team store ${server.store}: ${server.events} events, hash chain intact, head sha256:${server.head ?? ''}${
          server.head === result.head ? '; this copy is level with it' : `; this copy has ${result.events} (it syncs with each command)`
        }\n`,
      );
  }
  if (result.witness) {
    if (result.witness.seq !== undefined)
      out.write(`${c.green('✔')} sha256:${result.witness.hash} is event #${result.witness.seq} of this chain\n`);
    else
      out.write(
        `${c.red('✖')} sha256:${result.witness.hash} is not an event of this ${result.ok ? '' : 'verified part of the '}chain: the record was cut short before it, or rewritten since it was quoted\n`,
      );
  }
  return ok ? 0 : 1;
}

/** The incident a timeline file opens (its first event's id), to check the file against; refuses a file that is not one. */
function openedId(file: string): string {
  if (!existsSync(file)) throw new UserError(`--file ${file}: no such file`, 2);
  for (const e of readEvents(file)) {
    const id = e.type === 'incident.opened' ? e.data.id : undefined;
    if (typeof id === 'string') return id;
    break;
  }
  throw new UserError(`--file ${file}: its first line is not the opening of an incident (incident.opened)`, 2);
}

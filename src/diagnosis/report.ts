/**
 * A diagnosis as text, and back. The text is what a `native: { resource: diagnosis }` check
 * prints, what its artifact keeps and what a drill replays; the engine reads its causes back
 * from it, so a recorded report and a live one are judged the same way.
 *
 *   ROOT <cause> <subject>: <title>
 *     evidence: <line>
 *     explains: <pod>, <pod>
 *     fact: <name>=<value>
 *     runbook: <id> [--var k=v]
 *   CAUSE <cause> <subject> (explained by <cause> <subject>): <title>
 *   UNEXPLAINED <pod line>
 *   UNCHECKED <what>: <reason> — fix: <what to do>
 *   HEALTHY <what was looked at>
 */
import type { Cause, CauseId, Diagnosis, Unchecked } from './analyze.js';

/** A cause as read back from a report. */
export interface ReportedCause {
  id: string;
  subject: string;
  title: string;
  root: boolean;
  explainedBy?: string;
  evidence: string[];
  facts: Record<string, string>;
  runbook?: string;
}

export interface ParsedReport {
  causes: ReportedCause[];
  unchecked: Unchecked[];
  unexplained: string[];
  /** True when the text had at least one report line (a diagnosis, not some other output). */
  isReport: boolean;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();

export function renderReport(d: Diagnosis): string {
  const out: string[] = [];
  for (const c of d.causes) {
    out.push(
      c.explainedBy
        ? `CAUSE ${c.id} ${c.subject} (explained by ${c.explainedBy}): ${oneLine(c.title)}`
        : `ROOT ${c.id} ${c.subject}: ${oneLine(c.title)}`,
    );
    for (const e of c.evidence.slice(0, 12)) out.push(`  evidence: ${oneLine(e)}`);
    if (c.explains.length)
      out.push(`  explains: ${c.explains.slice(0, 12).join(', ')}${c.explains.length > 12 ? `, … ${c.explains.length - 12} more` : ''}`);
    for (const [k, v] of Object.entries(c.facts)) out.push(`  fact: ${k}=${oneLine(v)}`);
    out.push(`  runbook: ${runbookCommand(c)}`);
  }
  for (const u of d.unexplained.slice(0, 20)) out.push(`UNEXPLAINED ${oneLine(u)}`);
  for (const u of d.unchecked) out.push(`UNCHECKED ${oneLine(u.what)}: ${oneLine(u.reason)} — fix: ${oneLine(u.fix)}`);
  if (d.causes.length === 0 && d.unexplained.length === 0)
    out.push(
      `HEALTHY ${d.unchecked.length ? 'nothing wrong in what could be checked' : 'nothing wrong found'}: ${d.looked.join(', ') || 'nothing could be read'}`,
    );
  return out.join('\n') + '\n';
}

export function runbookCommand(c: Pick<Cause, 'runbook' | 'vars'>): string {
  const vars = Object.entries(c.vars ?? {})
    .map(([k, v]) => ` --var ${k}=${v}`)
    .join('');
  return `${c.runbook}${vars}`;
}

/** Reads a report back. Lines it does not know are ignored, so a report can be read from a longer output. */
export function parseReport(text: string): ParsedReport {
  const causes: ReportedCause[] = [];
  const unchecked: Unchecked[] = [];
  const unexplained: string[] = [];
  let isReport = false;
  let current: ReportedCause | undefined;
  for (const line of text.split('\n')) {
    // Each pattern's groups always match when it does: `= ''` only tells the compiler so.
    let m = /^ROOT ([a-z0-9-]+) (\S+): (.*)$/.exec(line);
    if (m) {
      const [, id = '', subject = '', title = ''] = m;
      current = { id, subject, title, root: true, evidence: [], facts: {} };
      causes.push(current);
      isReport = true;
      continue;
    }
    m = /^CAUSE ([a-z0-9-]+) (\S+) \(explained by ([a-z0-9-]+ \S+)\): (.*)$/.exec(line);
    if (m) {
      const [, id = '', subject = '', explainedBy = '', title = ''] = m;
      current = { id, subject, title, root: false, explainedBy, evidence: [], facts: {} };
      causes.push(current);
      isReport = true;
      continue;
    }
    m = /^ {2}(evidence|explains|fact|runbook): (.*)$/.exec(line);
    if (m && current) {
      const [, kind, value = ''] = m;
      if (kind === 'evidence') current.evidence.push(value);
      else if (kind === 'fact') {
        const eq = value.indexOf('=');
        if (eq > 0) current.facts[value.slice(0, eq)] = value.slice(eq + 1);
      } else if (kind === 'runbook') current.runbook = value;
      continue;
    }
    current = undefined;
    m = /^UNCHECKED (.*?): (.*) — fix: (.*)$/.exec(line);
    if (m) {
      const [, what = '', reason = '', fix = ''] = m;
      unchecked.push({ what, reason, fix });
      isReport = true;
      continue;
    }
    m = /^UNEXPLAINED (.*)$/.exec(line);
    if (m) {
      unexplained.push(m[1] ?? '');
      isReport = true;
      continue;
    }
    if (/^HEALTHY /.test(line)) isReport = true;
  }
  return { causes, unchecked, unexplained, isReport };
}

/** The causes of a report that are among `ids` (roots only, unless `explained` is set). */
export function causesAmong(report: ParsedReport, ids: readonly string[], explained = false): ReportedCause[] {
  return report.causes.filter((c) => ids.includes(c.id) && (explained || c.root));
}

export type { CauseId };

/**
 * Findings and the evidence mitigations wait on: the words of a finding's message (its
 * {{lines}}, {{count}}, {{reason}}… filled from what the check showed), and whether a mitigation's
 * precondition holds on what the run found so far (a cause a diagnosis named, or a finding raised).
 * Pure: the engine records the finding and what is suggested next.
 */
import type { RequiresDef } from '../runbook/schema.js';
import { renderTemplate } from '../runbook/template.js';
import type { ReportedCause } from '../diagnosis/report.js';
import { outputLines, type ExpectationFailure } from './expect.js';
import type { RaisedFinding } from './request.js';

/** What a precondition is judged on. */
export interface Evidence {
  diagnosed: readonly ReportedCause[];
  findings: readonly RaisedFinding[];
  lookup: (name: string) => string | undefined;
}

/** A precondition that holds (the facts it proved and why), or why it does not. */
export type Precondition = { ok: true; facts: Record<string, string>; because: string } | { ok: false; why: string };

/**
 * A finding's message with its placeholders filled: what the check showed ({{lines}} with runs of
 * spaces made one, {{count}}, {{value}}, {{reason}}…), the command and step, else the run's values.
 */
export function findingMessage(
  message: string,
  failure: ExpectationFailure,
  lines: readonly string[],
  ran: { command: string; stepId: string; exitCode: number; stderr: string },
  shownLookup: (name: string) => string,
): string {
  const { command, stepId, exitCode, stderr } = ran;
  return renderTemplate(message, (name) => {
    switch (name) {
      case 'lines':
        return lines.slice(0, 10).join('; ') + (lines.length > 10 ? `; … (${lines.length - 10} more)` : '');
      case 'count':
        return String(failure.count ?? failure.lines.length);
      case 'exitCode':
        return String(exitCode);
      case 'value':
        return failure.values.join(', ');
      case 'command':
        return command;
      case 'step':
        return stepId;
      case 'stderr':
        return outputLines(stderr)[0] ?? '';
      case 'reason':
        return failure.detail;
      default:
        return shownLookup(name);
    }
  });
}

/**
 * Whether a mitigation's precondition holds on the evidence gathered so far, and the facts it
 * proved. `cause` and `finding` are alternatives: either kind of evidence is enough.
 */
export function precondition(req: RequiresDef, ev: Evidence): Precondition {
  const why: string[] = [];
  if (req.cause) {
    const subject = req.subject ? renderTemplate(req.subject, ev.lookup) : undefined;
    const roots = ev.diagnosed.filter((c) => c.root || req.explained);
    const wanted: readonly string[] = req.cause; // a cause id list, read as strings to compare with any id
    const match = roots.find(
      (c) => wanted.includes(c.id) && (!subject || c.subject === subject) && (req.facts ?? []).every((f) => c.facts[f] !== undefined),
    );
    if (match) {
      const facts: Record<string, string> = {};
      for (const f of req.facts ?? []) {
        const value = match.facts[f];
        if (value !== undefined) facts[f] = value; // every one is (checked above)
      }
      return { ok: true, facts, because: `${match.id} ${match.subject}: ${match.title}` };
    }
    const named = roots.map((c) => `${c.id} ${c.subject}`);
    const near = roots.find((c) => wanted.includes(c.id));
    const missingFacts = near ? (req.facts ?? []).filter((f) => near.facts[f] === undefined) : [];
    why.push(
      `needs the diagnosis to name ${req.cause.join(' or ')}${subject ? ` for ${subject}` : ''}` +
        (near && missingFacts.length ? ` with ${missingFacts.join(', ')} shown (not shown for ${near.subject})` : '') +
        `; ${ev.diagnosed.length || named.length ? `it named ${named.length ? named.join(', ') : 'no root cause'}` : 'no diagnosis was made in this run'}`,
    );
  }
  const wantedFindings = req.finding;
  if (wantedFindings) {
    const hit = ev.findings.find((f) => wantedFindings.includes(f.findingId));
    if (hit) return { ok: true, facts: {}, because: `finding ${hit.findingId}` };
    why.push(`needs the finding ${wantedFindings.join(' or ')}, which this run did not raise`);
  }
  return { ok: false, why: why.join(', or ') };
}

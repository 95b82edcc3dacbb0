/**
 * Which of the runbooks' findings still stand, judged from the record. A finding is what a check
 * saw at one moment; it is not a cause until the responders confirm one (`resolve --root-cause`,
 * a note tagged root-cause). Some findings are not even evidence:
 *
 * - `drill`: raised by a `--simulate` run: a rehearsal's replayed output, not this system;
 * - `unchecked`: raised by a step that did not finish as a problem (could not check, error,
 *   timeout): the check never saw the system;
 * - `refuted`: the same check (same runbook and step, running the same command: the resolved command
 *   line, or a native check's display, as `step.started`/`step.finished` record it) passed later with
 *   no mitigation in between: the problem it named was not there when looked at again. A check of
 *   another target (`--var service=search` after `--var service=checkout`) refutes nothing.
 *
 * A finding whose check passed after a mitigation is `fixed` (it was real, and the fix cleared it);
 * any other finding `stands`. A mitigation is one that passed in any live run (applied by the tool or
 * done by hand) or a person's `milestone mitigated`, judged by when it happened (`data.at`): between
 * the finding and the passing re-check. A milestone recorded later (`--at`) turns a refuted finding
 * it falls before into a fixed one.
 *
 * A drill incident (`incident.opened` with `drill: true`) is judged against itself: its simulated
 * runs are what it rehearses, so their findings are judged like live ones (stand, fixed, refuted,
 * unchecked by the drill's own later checks) and carry `simulated: true`, to be shown as such.
 *
 * Streaming (one event at a time), so the post-mortem can judge a 100,000-event timeline in the same pass that folds it.
 */
import { field, text as str } from '../timeline/recorded.js';
import type { TimelineEvent } from '../timeline/event.js';

export type FindingVerdict = 'stands' | 'fixed' | 'refuted' | 'unchecked' | 'drill';

export interface JudgedFinding {
  seq: number;
  /** When it was raised (UTC ISO). */
  at: string;
  runId: string;
  runbook: string;
  stepId: string;
  findingId: string;
  message: string;
  cause?: string;
  verdict: FindingVerdict;
  /** Raised by a `--simulate` run of a drill incident: the drill's own (rehearsed) finding, not the live system's. */
  simulated?: boolean;
  /** Why it is not a standing finding, in words (the re-check that passed, the mitigation that fixed it...). */
  why?: string;
}

/** Findings that are evidence about the live system: what the runbooks found, not rehearsals or blind checks. */
export const isEvidence = (f: JudgedFinding): boolean => f.verdict === 'stands' || f.verdict === 'fixed';

/** What a finding that is not evidence is, in words (status, handoff). */
export const SET_ASIDE_LABEL: Record<Exclude<FindingVerdict, 'stands' | 'fixed'>, string> = {
  refuted: 'refuted',
  unchecked: 'could not check',
  drill: 'from a drill',
};

/**
 * One line for a finding as `status` and `handoff` show it: evidence as it is (`[simulated]` for a
 * drill's own, "fixed: …" when a fix cleared it); anything else labelled with why it is set aside.
 */
export function findingLine(f: JudgedFinding, max = 160): string {
  const message = f.message.slice(0, max);
  if (f.verdict === 'stands' || f.verdict === 'fixed')
    return `${f.simulated ? '[simulated] ' : ''}${message}${f.verdict === 'fixed' ? ` (fixed: ${f.why})` : ''}`;
  return `${SET_ASIDE_LABEL[f.verdict]}: ${f.simulated ? '[simulated] ' : ''}${message} — ${f.why}`;
}

const hm = (iso: string) => iso.slice(11, 16);

/** A point of the record: when it happened, and its place in the timeline for ties. */
interface Moment {
  at: string;
  seq: number;
}
/** `a` happened before `b` (by the times given; the order recorded breaks a tie). */
const before = (a: Moment, b: Moment): boolean => {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  return ta < tb || (ta === tb && a.seq < b.seq);
};

/** A mitigation: one that passed in a live run, or a person's `milestone mitigated`. */
interface Mitigation extends Moment {
  /** In words: "mitigation grow-volume", "milestone mitigated (alice)". */
  what: string;
}

const fixedWhy = (m: Mitigation, passedAt: string) => `cleared after ${m.what} (${hm(m.at)} UTC): the check passed at ${hm(passedAt)} UTC`;

export class FindingLedger {
  /** The incident is a drill: its simulated runs are judged as its own (see the top of this file). */
  private drillIncident = false;
  /**
   * `simulated`: a `--simulate` run; `foreign`: a simulated run in a live incident, whose findings are
   * set aside as `drill` and whose checks and mitigations settle nothing.
   */
  private readonly runs = new Map<string, { runbook: string; foreign: boolean; simulated: boolean }>();
  /** The last status of each step, by run and step id: a finding belongs to the step that just finished. */
  private readonly lastStatus = new Map<string, string>();
  /** The command the step last ran, by run and step id (`step.started`, `step.finished`): what was checked. */
  private readonly lastCommand = new Map<string, string>();
  private readonly mitigations: Mitigation[] = [];
  private readonly findings: JudgedFinding[] = [];
  /** Live findings that still stand, by runbook, step and command: a later pass of that check settles them (each once). */
  private readonly standing = new Map<string, JudgedFinding[]>();
  /** Refuted findings with the pass that refuted them: a mitigation recorded later, dated in between, makes them fixed. */
  private refuted: Array<{ finding: JudgedFinding; pass: Moment }> = [];

  /** Which check: the runbook, the step and the command it ran (empty when the record does not say). */
  private checkKey(runbook: string, runId: string, stepId: string): string {
    return `${runbook}\u0000${stepId}\u0000${this.lastCommand.get(`${runId}\u0000${stepId}`) ?? ''}`;
  }

  private mitigated(m: Mitigation): void {
    this.mitigations.push(m);
    // A refutation that this mitigation came between: the finding was fixed, not wrong.
    this.refuted = this.refuted.filter(({ finding, pass }) => {
      if (!before(finding, m) || !before(m, pass)) return true;
      finding.verdict = 'fixed';
      finding.why = fixedWhy(m, pass.at);
      return false;
    });
  }

  add(e: TimelineEvent): void {
    const d = e.data;
    const runId = str(d.runId);
    const at = typeof d.at === 'string' ? d.at : e.ts;
    switch (e.type) {
      case 'incident.opened':
        this.drillIncident = d.drill === true;
        break;
      case 'run.started':
        // In a drill incident a simulated run is not foreign to the record: it is judged like a live one.
        this.runs.set(runId, {
          runbook: str(d.runbook),
          foreign: d.mode === 'simulate' && !this.drillIncident,
          simulated: d.mode === 'simulate',
        });
        break;
      case 'step.started':
        if (typeof d.command === 'string') this.lastCommand.set(`${runId}\u0000${str(d.stepId)}`, d.command);
        else this.lastCommand.delete(`${runId}\u0000${str(d.stepId)}`);
        break;
      case 'step.finished': {
        const status = str(d.status);
        this.lastStatus.set(`${runId}\u0000${str(d.stepId)}`, status);
        if (typeof d.command === 'string') this.lastCommand.set(`${runId}\u0000${str(d.stepId)}`, d.command);
        const run = this.runs.get(runId);
        if (status !== 'passed' || !run || run.foreign) break;
        // A live check passed: the standing findings the same check had raised before are fixed or refuted.
        const key = this.checkKey(run.runbook, runId, str(d.stepId));
        const pass = { at, seq: e.seq };
        for (const f of this.standing.get(key) ?? []) {
          const fix = this.mitigations.find((m) => before(f, m) && before(m, pass));
          if (fix) {
            f.verdict = 'fixed';
            f.why = fixedWhy(fix, at);
          } else {
            f.verdict = 'refuted';
            f.why = `not there when the same check ran again at ${hm(at)} UTC (it passed, no mitigation in between)`;
            this.refuted.push({ finding: f, pass });
          }
        }
        this.standing.delete(key);
        break;
      }
      case 'mitigation.finished':
        if (d.status === 'passed' && !this.runs.get(runId)?.foreign)
          this.mitigated({ at, seq: e.seq, what: `mitigation ${str(d.mitigationId)}${d.manual === true ? ' (done by hand)' : ''}` });
        break;
      case 'milestone.recorded':
        if (d.name === 'mitigated') this.mitigated({ at, seq: e.seq, what: `milestone mitigated (${e.actor})` });
        break;
      case 'finding.raised': {
        const run = this.runs.get(runId);
        const stepStatus = this.lastStatus.get(`${runId}\u0000${str(d.stepId)}`);
        const cause = str(field(d.cause, 'id'));
        const f: JudgedFinding = {
          seq: e.seq,
          at: e.ts,
          runId,
          runbook: run?.runbook ?? '',
          stepId: str(d.stepId),
          findingId: str(d.findingId),
          message: str(d.message),
          ...(cause ? { cause } : {}),
          verdict: 'stands',
          ...(run?.simulated ? { simulated: true } : {}),
        };
        if (run?.foreign) {
          f.verdict = 'drill';
          f.why = 'from a drill (--simulate): replayed output, not this system';
        } else if (stepStatus !== undefined && stepStatus !== 'failed') {
          f.verdict = 'unchecked';
          f.why = `its check did not see the system (${stepStatus})`;
        } else {
          const key = this.checkKey(f.runbook, runId, f.stepId);
          const list = this.standing.get(key);
          if (list) list.push(f);
          else this.standing.set(key, [f]);
        }
        this.findings.push(f);
        break;
      }
      default:
        break;
    }
  }

  /** Every finding in the order raised, with its verdict as of the last event added. */
  list(): JudgedFinding[] {
    return this.findings;
  }
}

/** Judges the findings of a whole timeline. */
export function judgeFindings(events: Iterable<TimelineEvent>): JudgedFinding[] {
  const ledger = new FindingLedger();
  for (const e of events) ledger.add(e);
  return ledger.list();
}

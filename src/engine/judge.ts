/**
 * Judging: what a check's outcome means, as a pure function from what ran and what it printed
 * (already redacted) to a verdict. The engine records the verdict and raises its findings; nothing
 * here emits, prompts or reads the clock, so every rule is table-tested (test/unit/judge.test.ts).
 *
 * The order of the rules is the meaning: a check that could not see the system (the API refused,
 * the tool is missing, it printed nothing to judge) is never a finding and never passed; a failed
 * exit no expectation speaks for is a finding of its own; a diagnosis leaves no root cause unspoken;
 * nothing found in part of the output is not "healthy".
 *
 * `outcomeReason` is the one wording of a process that did not do its part, for a check, a
 * mitigation and a later pipeline stage (each says it a little differently, on purpose).
 */
import type { ProcessOutcome } from '../adapters/shell.js';
import { unreachable } from '../errors.js';
import type { ExpectationDef } from '../runbook/schema.js';
import { parseReport, type ReportedCause } from '../diagnosis/report.js';
import type { Unchecked } from '../diagnosis/analyze.js';
import { evaluateExpectation, explainFailure, outputLines, type ExpectationFailure } from './expect.js';
import { classifyCommandFailure } from './unchecked.js';
import type { StepStatus } from './events.js';

/** Programs whose failures the could-not-check classifier knows. */
const KNOWN_TOOLS = new Set(['kubectl', 'curl', 'dapr', 'helm', 'oc', 'psql', 'pg_isready']);

/** The program a native check "runs" (no process: the API client). */
export const NATIVE_PROGRAM = 'kubernetes-api';

/**
 * Why a process did not do its part, or undefined when it did (or when its step's own outcome
 * says it: a later stage's timeout or cancellation, a stage stopped by SIGPIPE as a shell allows).
 * A check says what was stopped; a mitigation says it briefly; a stage names itself in the pipeline.
 */
export function outcomeReason(
  outcome: ProcessOutcome,
  program: string,
  role: 'check' | 'mitigation' | 'stage',
  opts: { stderr?: string; abortReason?: string } = {},
): string | undefined {
  const stage = role === 'stage';
  const who = stage ? `${program} (in the pipeline)` : program;
  switch (outcome.kind) {
    case 'exited': {
      if (outcome.exitCode === 0) return undefined;
      const why = explainFailure(program, outcome.exitCode, opts.stderr ?? '');
      return stage ? `${who} ${why}` : why;
    }
    case 'not-found':
      return stage
        ? `${program} is not installed (not found on PATH); it is needed by this step's pipeline`
        : `${outcome.program} is not installed (not found on PATH)`;
    case 'signal':
      if (stage && outcome.signal === 'SIGPIPE') return undefined;
      return role === 'mitigation' ? `killed by ${outcome.signal}` : `${who} was killed by ${outcome.signal}`;
    case 'spawn-error':
      return stage ? `${who}: ${outcome.message}` : outcome.message;
    case 'timeout':
      if (stage) return undefined;
      return `timed out after ${outcome.timeoutMs / 1000}s${role === 'check' ? '; the command and everything it started were killed' : ''}`;
    case 'cancelled':
      return role === 'check'
        ? `cancelled ${opts.abortReason ? `(${opts.abortReason})` : 'by the responder (Ctrl-C)'}; the command and its children were stopped`
        : undefined;
    default:
      return unreachable(outcome);
  }
}

/** What a check ran and what came of it: the judge's whole input. Output is already redacted. */
export interface CheckRun {
  stepId: string;
  /** The step's title with its inputs filled (a failed exit's finding quotes it). */
  title: string;
  runbookId: string;
  /** The program that ran (`kubernetes-api` for a native check), its words, and the command as shown. */
  program: string;
  argv?: string[];
  display: string;
  outcome: ProcessOutcome;
  stdout: string;
  stderr: string;
  expect: readonly ExpectationDef[];
  /** The check is a native diagnosis: its output is a report whose causes are judged. */
  diagnosis: boolean;
  evidence: boolean;
  /** A later pipeline stage failed (pipeline.ts). */
  filterError?: string;
  /** The check could not see the system (a native read was refused): never a finding. */
  unchecked?: { reason: string; fix: string };
  /** Only part of the output was judged, and why (pipeline.ts). */
  partial?: string;
  /** Where the whole output is kept, for the fix of a partial judgement. */
  stdoutPath?: string;
  /** Why the run is stopping, when it is (a cancelled check says so). */
  abortReason?: string;
}

export type Verdict =
  /** The command did not finish its work: cancelled, timed out, or broke (no findings). */
  | { kind: 'stopped'; status: 'cancelled' | 'timeout' | 'error'; reason: string; exitCode?: number }
  /** The check could not see the system: how to fix the check. */
  | { kind: 'unchecked'; reason: string; fix: string }
  /** Judged: the findings to raise, what could not be checked, and the causes a diagnosis named. */
  | {
      kind: 'judged';
      status: Extract<StepStatus, 'passed' | 'failed' | 'unchecked'>;
      exitCode: number;
      failures: ExpectationFailure[];
      couldNot: Unchecked[];
      reason?: string;
      causes: ReportedCause[];
    };

/** kubectl's own log lines (klog: "E1201 16:02:11.123456 4821 file.go:104] …") are not the program's output. */
const KLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]\n]+\].*(?:\n|$)/gm;

/** The verdict on a check that ran (or was replayed). */
export function judgeCheck(c: CheckRun): Verdict {
  const { outcome, program, stdout, stderr } = c;
  if (c.unchecked) return { kind: 'unchecked', ...c.unchecked };
  if (outcome.kind === 'not-found')
    return {
      kind: 'unchecked',
      reason: outcomeReason(outcome, program, 'check') ?? '',
      fix: `install ${outcome.program} on this machine, or do this step by hand: ${c.display}`,
    };
  if (outcome.kind !== 'exited') {
    const reason = outcomeReason(outcome, program, 'check', c.abortReason === undefined ? {} : { abortReason: c.abortReason }) ?? '';
    return {
      kind: 'stopped',
      status: outcome.kind === 'cancelled' ? 'cancelled' : outcome.kind === 'timeout' ? 'timeout' : 'error',
      reason,
    };
  }
  const { exitCode } = outcome;
  if (c.filterError) return { kind: 'stopped', status: 'error', exitCode, reason: c.filterError };
  const expectations = c.expect;
  if (exitCode !== 0 && program !== NATIVE_PROGRAM) {
    // Did the command see the system (a problem, judged below) or not (could not check)?
    const verdict = classifyCommandFailure({ program, argv: c.argv ?? [program], exitCode, stderr, stdout });
    if (verdict.kind === 'unchecked') return { kind: 'unchecked', reason: verdict.reason, fix: verdict.fix };
    // The API server answered that it is broken: the command never reached what it was to check.
    // Only an expectation about the command's own exit speaks to that (the control plane's state).
    if (verdict.kind === 'problem' && verdict.class === 'server-error' && !expectations.some((e) => e.exitCode !== undefined))
      return {
        kind: 'unchecked',
        reason: verdict.reason,
        fix: 'the Kubernetes control plane itself is failing: bud-incident run platform-outage',
      };
    // A tool we know the failure modes of, failing in a way we do not recognise, says nothing
    // about the system. Any other program's exit code is the check's own verdict (as a
    // monitoring plugin's exit 2 means critical), judged below.
    if (verdict.kind === 'unknown' && KNOWN_TOOLS.has(program.split('/').pop() ?? program))
      return {
        kind: 'unchecked',
        reason: `${program} failed (exit ${exitCode}): ${verdict.reason}`,
        fix: `run it by hand to see why: ${c.display}`,
      };
  }
  // Nothing printed is nothing to judge: an expectation that some line must appear cannot be
  // answered by empty output (a lost stream, a wrapper that swallowed it), so the check could not look.
  const ownOutput = program === 'kubectl' ? stderr.replace(KLOG, '') : stderr;
  const empty = (e: { stream?: 'stdout' | 'stderr' | 'both' }) =>
    (e.stream === 'stderr' ? ownOutput : e.stream === 'both' ? stdout + ownOutput : stdout).trim() === '';
  if (exitCode === 0 && expectations.some((e) => (e.matches !== undefined || e.json !== undefined) && empty(e)))
    return {
      kind: 'unchecked',
      reason: `${program} exited 0 but printed nothing to judge${stderr.trim() ? ` (stderr: ${outputLines(stderr)[0]})` : ''}`,
      fix: `run it by hand to see what it prints: ${c.display}`,
    };
  const report = c.diagnosis ? parseReport(stdout) : undefined;
  const output = { exitCode, stdout, stderr };
  const failures: ExpectationFailure[] = [];
  // Every stated expectation is judged. A failing exit code that no expectation speaks for is a
  // finding of its own, so an empty listing from a failed command never passes silently.
  const exitFailed = expectations.some((e) => e.exitCode !== undefined && e.exitCode !== exitCode);
  const serverError =
    exitCode !== 0 && program !== NATIVE_PROGRAM && /Error from server|etcdserver|InternalError|ServiceUnavailable/.test(stderr);
  for (const e of expectations) {
    // An API server error says nothing about what the command was to look at.
    if (serverError && e.exitCode === undefined) continue;
    // When the command itself failed its stated exit code, judging its (empty) stdout would only add noise.
    if (exitFailed && e.exitCode === undefined && (e.stream ?? 'stdout') === 'stdout') continue;
    const f = evaluateExpectation(e, output);
    if (f) failures.push(f);
  }
  if (exitCode !== 0 && failures.length === 0 && !expectations.some((e) => e.exitCode !== undefined)) {
    failures.push({
      finding: { id: `${c.stepId}-failed`, message: `${c.title}: {{reason}}` },
      lines: outputLines(stderr || stdout).slice(-5),
      values: [],
      detail: explainFailure(program, exitCode, stderr),
    });
  }
  if (report) {
    // No root cause leaves a diagnosis unspoken: one no expectation speaks for is a finding of
    // its own that points at its runbook; failing pods with no cause found are one too.
    const covered = new Set<string>(expectations.flatMap((e) => (e.cause ? e.cause : [])));
    for (const cause of report.causes.filter((x) => x.root && !covered.has(x.id))) {
      const runbook = cause.runbook?.split(' ')[0];
      failures.push({
        finding: {
          id: `${c.stepId}-${cause.id}`,
          message: `{{reason}}`,
          ...(runbook && runbook !== c.runbookId ? { next: [`runbook:${runbook}`] } : {}),
        },
        lines: [`${cause.id} ${cause.subject}: ${cause.title}`, ...cause.evidence.slice(0, 6)],
        values: [cause.subject],
        detail: `${cause.title}${runbook ? ` (runbook: ${cause.runbook})` : ''}`,
      });
    }
    if (report.unexplained.length)
      failures.push({
        finding: { id: `${c.stepId}-unexplained`, message: 'Failing, and no cause was found: {{lines}}' },
        lines: report.unexplained.slice(0, 10),
        values: [],
        detail: `${report.unexplained.length} failing pod(s) that no cause explains`,
      });
  }
  const couldNot = report?.unchecked ?? [];
  // Nothing found in the first part of the output says nothing about the rest: not healthy, not checked.
  // (Evidence is judged by its preview by design: its file holds it all.)
  if (c.partial && !c.evidence && !failures.length && expectations.some((e) => e.exitCode === undefined))
    couldNot.push({
      what: 'all of the output',
      reason: c.partial,
      fix: `narrow the command (a filter that keeps only what matters), or read the rest of the output by hand${c.stdoutPath ? ` (${c.stdoutPath})` : ''}`,
    });
  const status = failures.length ? 'failed' : couldNot.length ? 'unchecked' : 'passed';
  const reasons = [...failures.map((f) => f.detail), ...couldNot.map((u) => `could not check ${u.what}: ${u.reason} (fix: ${u.fix})`)];
  return {
    kind: 'judged',
    status,
    exitCode,
    failures,
    couldNot,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    causes: report?.causes ?? [],
  };
}

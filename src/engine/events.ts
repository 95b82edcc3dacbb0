/**
 * What the engine reports as it runs a runbook. Renderers draw these; the recorder appends the
 * recorded ones to the timeline (everything except live output and progress, which are only shown).
 */

/** `unchecked`: the check could not see the system (no access, unreachable, not running): neither a problem nor passed. */
export type StepStatus = 'passed' | 'failed' | 'unchecked' | 'error' | 'timeout' | 'cancelled' | 'skipped';

export interface ArtifactRef {
  /** Path relative to the incident directory. */
  path: string;
  sha256: string;
  bytes: number;
  /** True when the output was longer than the cap and only its start was kept. */
  truncated: boolean;
  /** Bytes the command actually produced (may exceed `bytes` when truncated). */
  totalBytes: number;
  /** Set when the output was not valid UTF-8: where, and how it is shown (the artifact keeps the raw bytes). */
  encoding?: string;
}

export interface NextSuggestion {
  ref: string;
  title: string;
  /** For a mitigation: does it change the system? For a runbook: the command to run it. */
  detail?: string;
}

export type EngineEvent =
  | {
      type: 'run.started';
      runId: string;
      runbook: string;
      title: string;
      file: string;
      /** Where a runbook that is not the shipped one comes from, and what it replaces. */
      origin?: string;
      mode: 'live' | 'simulate';
      scenario?: string;
      vars: Record<string, string>;
      steps: number;
    }
  | { type: 'run.resumed'; runId: string; runbook: string; done: string[] }
  | { type: 'group.started'; runId: string; stepIds: string[] }
  | {
      type: 'step.started';
      runId: string;
      stepId: string;
      kind: string;
      title: string;
      command?: string;
      attempt: number;
      /** The runbook's reason for running a program not known to be read-only (its readOnly declaration). */
      declaredReadOnly?: string;
      /** A check whose command changes the system ran only with this consent; `changes` says why it changes it. */
      consent?: { how: 'typed-yes' | '--allow-mitigations'; changes: string };
      /** A manual step's instructions and text to copy, filled in (a value not known yet is a stand-in). */
      instructions?: string;
      copy?: string;
    }
  | { type: 'step.output'; runId: string; stepId: string; stream: 'stdout' | 'stderr'; text: string }
  /** The stream's output went past the output cap: nothing more of it is printed (the total is here). */
  | { type: 'step.output.truncated'; runId: string; stepId: string; stream: 'stdout' | 'stderr'; shownBytes: number; totalBytes: number }
  | {
      /** A command of the step started: recorded so that `--resume` after a kill -9 can tell whether it still runs. */
      type: 'step.process';
      runId: string;
      stepId: string;
      pid: number;
      pgid: number;
      /** Clock ticks after boot (/proc/<pid>/stat), with bootId: a reused pid is not this process. */
      startTime?: number;
      bootId?: string;
      /** The program (its arguments are not recorded: they may hold a secret read from the environment). */
      command: string;
    }
  | {
      type: 'step.finished';
      runId: string;
      stepId: string;
      kind: string;
      title: string;
      status: StepStatus;
      attempt: number;
      exitCode?: number;
      durationMs: number;
      reason?: string;
      command?: string;
      stdout?: ArtifactRef;
      stderr?: ArtifactRef;
      /** The last lines of output, redacted, for renderers (full output is in the artifact). */
      outputTail?: string[];
      /** What was dropped to stay bounded: a filter's limit (sort), the judged output's limit. */
      notes?: string[];
      /** Processes the command left running when it ended (a background child, a setsid daemon): ended by us. */
      leftovers?: Array<{ pid: number; command: string }>;
    }
  | { type: 'step.skipped'; runId: string; stepId: string; title: string; reason: string }
  /** An evidence step's output, kept byte for byte (not redacted, not capped) at `path`, with its hash. */
  | { type: 'evidence.preserved'; runId: string; stepId: string; path: string; sha256: string; bytes: number }
  | {
      type: 'finding.raised';
      runId: string;
      stepId: string;
      findingId: string;
      message: string;
      detail: string;
      cause?: { id: string; title: string; runbook?: string };
      next: NextSuggestion[];
      evidence: { lines: string[]; artifact?: ArtifactRef };
    }
  | {
      type: 'manual.confirmed';
      runId: string;
      stepId: string;
      title: string;
      observation?: string;
      question?: string;
      answer?: 'yes' | 'no';
    }
  | { type: 'manual.skipped'; runId: string; stepId: string; title: string; reason: string }
  | {
      type: 'prompt.answered';
      runId: string;
      stepId: string;
      input: string;
      value: string;
      source: 'prompt' | '--var' | 'default' | 'scenario';
    }
  | {
      type: 'mitigation.proposed';
      runId: string;
      stepId: string;
      mitigationId: string;
      title: string;
      command?: string;
      instructions?: string;
      /** The evidence that made it worth offering (its precondition). */
      because?: string;
      changesSystem: boolean;
      /** What about the command changes the system (decided by what it runs, whatever the runbook says). */
      changes?: string;
    }
  | { type: 'mitigation.declined'; runId: string; stepId: string; mitigationId: string; reason: string }
  | {
      type: 'mitigation.approved';
      runId: string;
      stepId: string;
      mitigationId: string;
      how: 'typed-yes' | '--allow-mitigations' | 'not-changing';
    }
  | {
      type: 'mitigation.finished';
      runId: string;
      stepId: string;
      mitigationId: string;
      status: StepStatus;
      exitCode?: number;
      reason?: string;
      manual: boolean;
      stdout?: ArtifactRef;
    }
  | {
      /** A passed mitigation's verification check, run again after it: did the fix work? */
      type: 'mitigation.verified';
      runId: string;
      stepId: string;
      mitigationId: string;
      status: StepStatus;
    }
  | { type: 'run.interrupted'; runId: string; stepIds: string[]; choice: 'skip' | 'retry' | 'abort' }
  | {
      type: 'run.finished';
      runId: string;
      runbook: string;
      outcome: 'passed' | 'findings' | 'failed';
      findings: number;
      failedSteps: string[];
      /** Checks that could not see the system. */
      uncheckedSteps?: string[];
      durationMs: number;
      suggestions: NextSuggestion[];
    }
  | { type: 'run.aborted'; runId: string; runbook: string; reason: string; pendingSteps: string[] };

export type EngineEventType = EngineEvent['type'];

/** Events that are drawn but not recorded: live output and progress. */
export const DISPLAY_ONLY: ReadonlySet<EngineEventType> = new Set(['step.output', 'step.output.truncated', 'group.started']);

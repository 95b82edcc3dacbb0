/**
 * What a reading of a failed command is: could not check (with a fix for the check), a problem
 * (evidence about the system), or unknown; and the failure as the shell adapter captured it.
 * Part of the reading of failed commands (../unchecked.ts).
 */
/** A command that exited non-zero, as the shell adapter captured it. */
export interface CommandFailure {
  program: string;
  /** The command line; may or may not start with `program` itself. */
  argv: string[];
  exitCode: number;
  stderr: string;
  stdout: string;
}

/** Why a check could not see the system (each has a fix the responder can apply to the check). */
export type UncheckedClass =
  | 'unreachable'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'not-running'
  | 'tls-trust'
  | 'bad-url'
  | 'kubeconfig'
  | 'tool'
  | 'timeout'
  | 'usage';

/** What kind of evidence about the system a failed command is. */
export type ProblemClass = 'server-error' | 'remote-exit' | 'tls-expired' | 'http-error' | 'dns';

/** The reading of one failed command: could not check (with a fix), a problem (evidence), or unknown. */
export type FailureVerdict =
  | { kind: 'unchecked'; reason: string; fix: string; class: UncheckedClass }
  | { kind: 'problem'; reason: string; class: ProblemClass }
  | { kind: 'unknown'; reason: string };

export const unchecked = (cls: UncheckedClass, reason: string, fix: string): FailureVerdict => ({
  kind: 'unchecked',
  class: cls,
  reason,
  fix,
});
export const problem = (cls: ProblemClass, reason: string): FailureVerdict => ({ kind: 'problem', class: cls, reason });

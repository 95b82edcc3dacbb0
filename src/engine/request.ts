/**
 * What a run is given and what it gives back: the request (runbook, values, cluster lookup, replay),
 * the engine's dependencies (shell, prompter, event sinks, clock, API readers), the artifact sink,
 * and the summary. Types only (and the empty result), so every engine module can share them
 * without importing the step loop.
 */
import type { Clock } from '../adapters/clock.js';
import type { Shell, ProcessResult } from '../adapters/shell.js';
import type { Prompter } from '../adapters/prompter.js';
import type { KubeReader } from '../adapters/kube.js';
import type { Prober } from '../adapters/probe.js';
import type { LoadedRunbook } from '../runbook/load.js';
import type { RecordedOutputDef } from '../runbook/schema.js';
import type { Redactor } from '../secrets/redact.js';
import type { DiagnosisSettings, NamespaceRoles } from '../diagnosis/snapshot.js';
import type { ArtifactRef, EngineEvent } from './events.js';
import type { Interrupts } from './interrupts.js';
import type { ClusterTarget } from './targeting.js';

export type { ClusterTarget } from './targeting.js';

/** A result with no output: a step that could not run, or was cancelled. */
export function emptyResult(outcome: ProcessResult['outcome'], durationMs = 0): ProcessResult {
  return { outcome, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, truncated: false, durationMs };
}

/** What running (or replaying) a check produced, before judging it. */
export interface Executed {
  result: ProcessResult;
  stdout: string;
  filterError?: string;
  /** The check could not see the system (why, and how to fix the check): never a finding. */
  unchecked?: { reason: string; fix: string };
  /** What was dropped to stay bounded (pipeline.ts). */
  notes?: string[];
  /** Only part of the output was judged (pipeline.ts): nothing found in it is not "healthy". */
  partial?: string;
}

/** Where step output goes: an artifact file per stream, redacted as it is written. */
export interface ArtifactSink {
  /** `evidence`: the stream is kept byte for byte (no redaction, no cap) where only the user can read it. */
  open(runId: string, stepId: string, stream: 'stdout' | 'stderr', attempt: number, opts?: { evidence?: boolean }): ArtifactWriter;
}
export interface ArtifactWriter {
  write(chunk: string): void;
  /** Finishes the file; returns undefined when nothing was written. */
  close(totalBytes: number): ArtifactRef | undefined;
}

export interface RaisedFinding {
  stepId: string;
  findingId: string;
  cause?: string;
}

/** What an interrupted run had done, for --resume. */
export interface ResumeState {
  done: ReadonlySet<string>;
  findings: RaisedFinding[];
  answers: Record<string, string>;
}

export interface RunRequest {
  loaded: LoadedRunbook;
  runId: string;
  /** Values from --var (and, when simulating, the scenario's vars). */
  vars: Record<string, string>;
  /** `config.*` template values. */
  configValues: Record<string, string>;
  /** Resolves a step's cluster name to a kubeconfig/context; undefined when unknown. */
  cluster: (name: string) => ClusterTarget | undefined;
  /** Replays recorded outputs instead of running commands. */
  simulate?: {
    scenario: string;
    outputs: Record<string, RecordedOutputDef>;
    honourLatency: boolean;
    answers?: Record<string, string | boolean>;
  };
  interactive: boolean;
  allowMitigations: boolean;
  defaultTimeoutMs?: number;
  /** --timeout: applies to every command, over what the runbook says. */
  timeoutOverrideMs?: number;
  resume?: ResumeState;
  /** Where the runbook comes from when it is not the shipped one (recorded in run.started). */
  origin?: string;
  /** Titles of other runbooks, for "next" suggestions. */
  runbookTitle?: (id: string) => string | undefined;
  /** What a native diagnosis check needs to know: the namespaces' roles, thresholds, optional probes. */
  diagnosis?: {
    roles: NamespaceRoles;
    settings: DiagnosisSettings;
    workloadCluster?: string;
    keycloakUrl?: string;
    api?: { url: string; token: string };
  };
}

export interface EngineDeps {
  shell: Shell;
  prompter?: Prompter;
  /** Recorded and drawn; awaited, so a recorded event is on disk before the next step starts. */
  emit: (event: EngineEvent) => Promise<void>;
  /** Drawn only (live output, progress). */
  show: (event: EngineEvent) => void;
  artifacts: ArtifactSink;
  redactor: Redactor;
  interrupts: Interrupts;
  env: NodeJS.ProcessEnv;
  /** A monotonic timer (ms) for step durations. */
  now: () => number;
  /** The wall clock, for ages of Kubernetes objects ("since …, 65s ago"): injected like everywhere else (adapters/clock.ts). */
  clock: Clock;
  /** The Kubernetes API reader for native checks. */
  kube?: KubeReader;
  /** TLS and clock probes for native checks. */
  probe?: Prober;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One step of a plan: the command a run would execute, or why it could not be prepared. */
export type PlannedCommand = { display: string; argv?: string[][] } | { refused: string };

export interface RunSummary {
  outcome: 'passed' | 'findings' | 'failed' | 'aborted';
  findings: number;
  failedSteps: string[];
  /** Checks that could not see the system (not findings, not passed). */
  uncheckedSteps: string[];
  /** 0 all passed, 1 findings or failed steps, 130 aborted. */
  exitCode: number;
}

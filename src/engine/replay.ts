/**
 * Replay: a drill (`--simulate`) hands each step the output a scenario recorded for it, as a
 * command would give it: after its latency (when honoured), in pieces a busy later stage can hold
 * back, or as the timeout / missing program / cancellation the scenario says.
 */
import type { ProcessResult } from '../adapters/shell.js';
import { parseDuration } from '../duration.js';
import type { RecordedOutputDef } from '../runbook/schema.js';
import type { OnOutput } from './pipeline.js';

/** What replaying needs from the run. */
export interface ReplayContext {
  now: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Waits out each output's recorded latency (a drill in real time); tests skip it. */
  honourLatency: boolean;
}

/** Characters of a replayed output handed on at a time (a drill's output arrives as a command's would). */
const REPLAY_CHUNK = 64 * 1024;

export const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Replays one recorded output. */
export async function replay(
  recorded: RecordedOutputDef,
  program: string,
  timeoutMs: number,
  signal: AbortSignal,
  onOutput: OnOutput,
  ctx: ReplayContext,
): Promise<ProcessResult> {
  const start = ctx.now();
  const latency = parseDuration(recorded.latency ?? 0) ?? 0;
  const sleep = ctx.sleep ?? abortableSleep;
  const outcome = recorded.outcome ?? 'exited';
  const wait = outcome === 'timeout' ? timeoutMs : latency;
  if (ctx.honourLatency && wait > 0) await sleep(wait, signal);
  const stdout = recorded.stdout ?? '';
  const stderr = recorded.stderr ?? '';
  const base = {
    stdoutBytes: Buffer.byteLength(stdout),
    stderrBytes: Buffer.byteLength(stderr),
    truncated: false,
    durationMs: Math.round(ctx.now() - start) || latency,
  };
  if (signal.aborted) return { outcome: { kind: 'cancelled' }, stdout: '', stderr: '', ...base };
  if (outcome === 'timeout') return { outcome: { kind: 'timeout', timeoutMs }, stdout: '', stderr: '', ...base };
  if (outcome === 'not-found') return { outcome: { kind: 'not-found', program }, stdout: '', stderr: '', ...base };
  // In pieces, as a command prints it: a later stage that is busy holds the rest (backpressure).
  for (let at = 0; at < stdout.length;) {
    let end = Math.min(stdout.length, at + REPLAY_CHUNK);
    if (/[\uD800-\uDBFF]/.test(stdout.charAt(end - 1))) end++; // not half a character
    await onOutput('stdout', stdout.slice(at, end));
    at = end;
  }
  if (stderr) await onOutput('stderr', stderr);
  return { outcome: { kind: 'exited', exitCode: recorded.exitCode ?? 0 }, stdout, stderr, ...base };
}

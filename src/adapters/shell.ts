/**
 * The one place that starts processes. Every command runs through execa with no shell, in its own
 * process group, so that a timeout or a Ctrl-C kills the command *and everything it started*
 * (`kubectl exec` helpers, `sh -c` children). Output is captured up to a cap in memory while the
 * full stream is handed to `onOutput` (which writes the artifact). Failures are values, not
 * exceptions: a missing program, a timeout and a cancellation are outcomes the engine reports.
 * When a command ends, whatever it left running (a background child, a daemon that called setsid
 * and left the group) is found by its environment tag (proctree.ts), ended and reported.
 * A pipeline stage gets the previous stage's output as a stream on its standard input, and a
 * reader of a command's output may hold it (backpressure): nothing between two stages is buffered
 * beyond a pipe's worth, whatever the size.
 */
import type { Readable } from 'node:stream';
import { bootId, endProcesses, findProcesses, processInfo, TAG_VARIABLE } from './proctree.js';
import { OutputDecoder, shownText } from './output-text.js';
import { CAPTURE_LIMIT } from '../limits.js';
import { errorCode } from '../errors.js';
import { stringField } from '../guards.js';

export type ProcessOutcome =
  | { kind: 'exited'; exitCode: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'cancelled' }
  | { kind: 'not-found'; program: string }
  | { kind: 'spawn-error'; message: string };

export interface ProcessRequest {
  argv: string[];
  timeoutMs: number;
  /** Aborting cancels the command (Ctrl-C on the step). */
  signal?: AbortSignal;
  /**
   * The command's standard input (a pipeline's previous stage, as it prints it). Read as the
   * command reads it; once the command stops reading (it exited: `head`, jq on bad input) the
   * rest is read and dropped, so the writer is never held forever and never sees EPIPE.
   */
  stdin?: Readable;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Characters of each stream kept in memory; the rest is counted and passed to onOutput only. */
  captureLimit?: number;
  /**
   * Every chunk as it arrives, bytes that are not UTF-8 escaped (output-text.ts: shownText, encodeOutput).
   * A returned promise holds the reading of that stream until it settles (the next pipeline stage is
   * busy); a timeout or cancellation lets go of it.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void | Promise<void>;
  /** Set in the command's environment (proctree.ts): what it leaves running is found by it. */
  tag?: string;
  /** Told once the process exists, with what identifies it (to record before it can outlive us). */
  onSpawn?: (process: SpawnedProcess) => void;
}

/** A started command: its pid and group, and its start time (ticks after boot) so a reused pid is not it. */
export interface SpawnedProcess {
  pid: number;
  pgid: number;
  startTime?: number;
  bootId?: string;
  command: string;
}

export interface ProcessResult {
  outcome: ProcessOutcome;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  /** True when a stream was longer than the capture limit and `stdout`/`stderr` hold only its start. */
  truncated: boolean;
  durationMs: number;
  /** Processes the command left running when it ended (ended by us: SIGTERM, then SIGKILL). */
  leftovers?: Array<{ pid: number; command: string }>;
  /** Byte offset of the first byte of a stream that is not UTF-8 (shown as U+FFFD in stdout/stderr). */
  invalidUtf8?: { stdout?: number; stderr?: number };
}

export interface Shell {
  run(request: ProcessRequest): Promise<ProcessResult>;
}

/** How long a command gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1500;
/** How long to wait for output pipes after the main process exits (background children may hold them). */
const DRAIN_MS = 1000;
export const DEFAULT_CAPTURE_LIMIT = CAPTURE_LIMIT;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** The real shell: execa, one process group per command. */
export class ExecaShell implements Shell {
  constructor(private readonly now: () => number = () => performance.now()) {}

  async run(request: ProcessRequest): Promise<ProcessResult> {
    const { execa } = await import('execa');
    const start = this.now();
    const limit = request.captureLimit ?? DEFAULT_CAPTURE_LIMIT;
    const captured: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
    const bytes = { stdout: 0, stderr: 0 };
    let truncated = false;
    const [program, ...args] = request.argv;
    if (!program)
      return {
        outcome: { kind: 'spawn-error', message: 'empty command' },
        stdout: '',
        stderr: '',
        stdoutBytes: 0,
        stderrBytes: 0,
        truncated: false,
        durationMs: 0,
      };

    const child = execa(program, args, {
      reject: false,
      buffer: false,
      stdin: request.stdin ? 'pipe' : 'ignore',
      detached: true, // own process group: we kill the whole tree, and the terminal's Ctrl-C reaches us, not it
      cleanup: true,
      env: { ...(request.env ?? process.env), FORCE_COLOR: undefined, ...(request.tag ? { [TAG_VARIABLE]: request.tag } : {}) },
      extendEnv: false,
      cwd: request.cwd,
      encoding: 'buffer',
      stripFinalNewline: false,
      windowsHide: true,
    });

    if (child.pid) {
      const info = processInfo(child.pid);
      request.onSpawn?.({
        pid: child.pid,
        pgid: child.pid,
        ...(info ? { startTime: info.startTime } : {}),
        ...(bootId() ? { bootId: bootId() } : {}),
        command: program, // the program only: its arguments may hold a secret from $ENV
      });
    }

    let stopReason: 'timeout' | 'cancelled' | undefined;
    // Readings held by the reader of the output (backpressure), let go of when the command is stopped.
    const held = new Set<'stdout' | 'stderr'>();
    const stop = (reason: 'timeout' | 'cancelled') => {
      if (stopReason) return;
      stopReason = reason;
      for (const stream of held) child[stream]?.resume();
      held.clear();
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timeout'), request.timeoutMs);
    const onAbort = () => stop('cancelled');
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const decoders = { stdout: new OutputDecoder(), stderr: new OutputDecoder() };
    const kept = { stdout: 0, stderr: 0 };
    const take = (stream: 'stdout' | 'stderr', text: string): void | Promise<void> => {
      if (!text) return;
      if (kept[stream] < limit) {
        const part = text.length <= limit - kept[stream] ? text : text.slice(0, limit - kept[stream]);
        captured[stream].push(shownText(part));
        kept[stream] += part.length;
        if (part.length < text.length) truncated = true;
      } else truncated = true;
      return request.onOutput?.(stream, text);
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      source?.on('data', (chunk: Buffer) => {
        bytes[stream] += chunk.length;
        const wait = take(stream, decoders[stream].write(chunk));
        if (!wait || stopReason) return;
        // The reader is busy: read no more of this stream until it is ready.
        source.pause();
        held.add(stream);
        void wait.then(() => {
          if (!held.delete(stream)) return;
          source.resume();
        });
      });
    }
    const input = request.stdin;
    const dropRest = () => {
      if (!input || !child.stdin) return;
      input.unpipe(child.stdin);
      input.resume(); // read and dropped: the writer goes on
    };
    if (input && child.stdin) {
      // The command may exit before reading everything (head, jq on bad input): EPIPE is not an error.
      child.stdin.on('error', dropRest);
      child.stdin.on('close', dropRest);
      input.pipe(child.stdin);
    }
    // When the main process exits but a background child keeps the pipes open, do not wait for it
    // forever; while the reader of the output holds it (backpressure) the pipe is still being read.
    const drain = () => {
      if (held.size && !stopReason) {
        setTimeout(drain, DRAIN_MS).unref();
        return;
      }
      killGroup(child.pid, 'SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    child.on('exit', () => setTimeout(drain, DRAIN_MS).unref());

    // With reject: false a failed start comes back as the result, an ExecaError carrying Node's
    // `code` (ENOENT...) and `originalMessage`, which the result type does not list.
    const result = await child;
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
    dropRest();
    const durationMs = Math.round(this.now() - start);
    for (const stream of ['stdout', 'stderr'] as const) await take(stream, decoders[stream].end());
    const invalid = { stdout: decoders.stdout.firstInvalid, stderr: decoders.stderr.firstInvalid };
    // Nothing a command started outlives it: its group, and anything carrying its tag (setsid).
    const pid = child.pid;
    const left = pid
      ? await endProcesses(() => findProcesses({ ...(request.tag ? { tag: request.tag } : {}), groups: [pid] }), KILL_GRACE_MS)
      : [];
    const base = {
      stdout: captured.stdout.join(''),
      stderr: captured.stderr.join(''),
      stdoutBytes: bytes.stdout,
      stderrBytes: bytes.stderr,
      truncated,
      durationMs,
      ...(left.length ? { leftovers: left.map((p) => ({ pid: p.pid, command: p.command })) } : {}),
      ...(invalid.stdout !== undefined || invalid.stderr !== undefined
        ? { invalidUtf8: Object.fromEntries(Object.entries(invalid).filter(([, v]) => v !== undefined)) }
        : {}),
    };
    let outcome: ProcessOutcome;
    if (stopReason === 'timeout') outcome = { kind: 'timeout', timeoutMs: request.timeoutMs };
    else if (stopReason === 'cancelled') outcome = { kind: 'cancelled' };
    else if (errorCode(result) === 'ENOENT' && result.exitCode === undefined) outcome = { kind: 'not-found', program };
    else if (result.exitCode !== undefined) outcome = { kind: 'exited', exitCode: result.exitCode };
    else if (result.signal) outcome = { kind: 'signal', signal: result.signal };
    else
      outcome = {
        kind: 'spawn-error',
        message: stringField(result, 'originalMessage') ?? result.shortMessage ?? 'could not start the command',
      };
    return { outcome, ...base };
  }
}

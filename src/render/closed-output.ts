/**
 * Standard output or error going away under us (`bud-incident run … --json | head -1`, a closed
 * terminal) is not a bug. Node reports it as an `error` event (EPIPE, EIO) on the stream, which
 * without a listener crashed the process with "internal error … write EPIPE" and left the run
 * unrecorded and its commands orphaned. Here the process streams get a listener: once a stream
 * fails, writes to it are dropped and listeners are told once, so a run can stop the way SIGPIPE
 * would stop a Unix filter, but through its own flow: its commands ended, `run.aborted` recorded.
 * The exit code is then 141 (128 + SIGPIPE), as a shell reports a filter killed by a closed pipe.
 */
import { errorCode, errorMessage } from '../errors.js';

/** Exit code when standard output was closed before everything was printed (128 + SIGPIPE). */
export const EXIT_OUTPUT_CLOSED = 141;

export type StreamName = 'stdout' | 'stderr';

const closed = new Map<StreamName, string>();
const listeners = new Set<(stream: StreamName, why: string) => void>();
const guarded = new WeakSet<NodeJS.WriteStream>();

function describe(error: unknown): string {
  const code = errorCode(error);
  if (code === 'EPIPE') return 'the reader of its output went away (EPIPE)';
  if (code === 'EIO') return 'its terminal went away (EIO)';
  return `writing to it failed (${code ?? errorMessage(error)})`;
}

function markClosed(name: StreamName, why: string): void {
  if (closed.has(name)) return;
  closed.set(name, why);
  for (const l of listeners) l(name, why);
}

/**
 * A writer for a process stream that never throws: after the stream fails, writes are dropped.
 * Installs the stream's `error` listener (once per stream).
 */
export function guardedWriter(stream: NodeJS.WriteStream, name: StreamName): (text: string) => void {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => markClosed(name, describe(error)));
  }
  return (text) => {
    if (closed.has(name) || stream.destroyed) return;
    try {
      stream.write(text);
    } catch (error) {
      markClosed(name, describe(error));
    }
  };
}
/** Why the stream was closed, or undefined while it is open. */
export function outputClosed(name: StreamName): string | undefined {
  return closed.get(name);
}

/** Calls `listener` once a stream closes (at once if it already has). Returns the unsubscribe. */
export function onOutputClosed(listener: (stream: StreamName, why: string) => void): () => void {
  for (const [name, why] of closed) listener(name, why);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True when an error is a closed output stream's (for the last-resort handler). */
export function isClosedOutputError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

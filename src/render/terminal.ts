/**
 * The terminal: where output goes and whether it is coloured. The only module (with the other
 * render/ files) that writes to stdout/stderr. Colour follows NO_COLOR and FORCE_COLOR, and is
 * off when the stream is not a terminal.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { guardedWriter, type StreamName } from './closed-output.js';

export interface Output {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
}

export interface Terminal {
  out: Output;
  err: Output;
  color: ChalkInstance;
  /** Colour for stderr (may differ when only one stream is a terminal). */
  errColor: ChalkInstance;
}

export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2') return 2;
    if (force === '3') return 3;
    return 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' ? 3 : 2;
}

/** A process stream as an Output; a closed stream (EPIPE) drops writes instead of crashing (closed-output.ts). */
export function streamOutput(stream: NodeJS.WriteStream, name: StreamName): Output {
  const write = guardedWriter(stream, name);
  return {
    write,
    isTTY: Boolean(stream.isTTY),
    get columns() {
      return stream.columns || 100;
    },
  };
}

export function processTerminal(env: NodeJS.ProcessEnv): Terminal {
  const out = streamOutput(process.stdout, 'stdout');
  const err = streamOutput(process.stderr, 'stderr');
  return {
    out,
    err,
    color: new Chalk({ level: colorLevel(env, out.isTTY) }),
    errColor: new Chalk({ level: colorLevel(env, err.isTTY) }),
  };
}

/** A terminal that records what was written; for tests. */
export function memoryTerminal(isTTY = false): Terminal & { stdout: () => string; stderr: () => string } {
  const buffers = { out: [] as string[], err: [] as string[] };
  const mk = (k: 'out' | 'err'): Output => ({ write: (t) => void buffers[k].push(t), isTTY, columns: 100 });
  return {
    out: mk('out'),
    err: mk('err'),
    color: new Chalk({ level: 0 }),
    errColor: new Chalk({ level: 0 }),
    stdout: () => buffers.out.join(''),
    stderr: () => buffers.err.join(''),
  };
}

/** The same terminal, with every write passed through `redact` first. */
export function redactingTerminal(term: Terminal, redact: (text: string) => string): Terminal {
  const wrap = (o: Output): Output => ({
    write: (text) => o.write(redact(text)),
    get isTTY() {
      return o.isTTY;
    },
    get columns() {
      return o.columns;
    },
  });
  return { ...term, out: wrap(term.out), err: wrap(term.err) };
}

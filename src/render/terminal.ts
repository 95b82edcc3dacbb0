/**
 * The terminal: where output goes and whether it is coloured. The only module (with the other
 * render/ files) that writes to stdout/stderr. Colour follows NO_COLOR and FORCE_COLOR, and is
 * off when the stream is not a terminal.
 *
 * Text from outside (command output, notes, titles, the timeline, errors quoting input) may carry
 * escape sequences: an OSC 52 clipboard write, a screen clear, a title change, hidden text. The
 * guarded terminal shows every control character escaped (ESC as `\x1b`), except those of the
 * tool's own colours and status line. Those are told apart by provenance, not by shape (hidden
 * text is an ordinary colour code): the guard's chalk and `control()` mark the sequences they make
 * with a per-process random marker, and each write neutralises every other control character
 * before turning the marked ones back into escapes.
 */
import { randomInt } from 'node:crypto';
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
  /** A control sequence of the tool's own (clearing the status line), passed to the terminal as is. */
  control: (sequence: string) => string;
}

/**
 * Control characters shown escaped: C0 but newline and tab (a carriage return only before a
 * newline), DEL, C1 (0x9b is CSI on some terminals), the bidi marks and overrides that reorder
 * what is shown, the line and paragraph separators U+2028/U+2029 (a line break on some terminals,
 * unseen on others) and the invisible format characters (zero-width space, word joiner, invisible
 * operators, BOM, interlinear annotation). The zero-width joiner and non-joiner stay: emoji and
 * several scripts need them. C0 becomes `\xNN`; the rest `\uNNNN`, which is also what JSON means
 * by it, since JSON.stringify leaves those characters raw in `--json` output.
 */
const CONTROL =
  /\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/** Text from outside with its control characters made visible and harmless. */
export function neutralise(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
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

/**
 * Whether a process stream is a terminal. Node's types say `isTTY` is always a boolean, but a stream
 * that is not a terminal (a pipe, a file) has no such field at all.
 */
export const isTerminal = (stream: { readonly isTTY?: boolean }): boolean => stream.isTTY ?? false;

/** A process stream as an Output; a closed stream (EPIPE) drops writes instead of crashing (closed-output.ts). */
export function streamOutput(stream: NodeJS.WriteStream, name: StreamName): Output {
  const write = guardedWriter(stream, name);
  return {
    write,
    isTTY: isTerminal(stream),
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
    control: (sequence) => sequence,
  };
}

/** A terminal that records what was written; for tests. */
export function memoryTerminal(isTTY = false): Terminal & { stdout: () => string; stderr: () => string } {
  const buffers: Record<'out' | 'err', string[]> = { out: [], err: [] };
  const mk = (k: 'out' | 'err'): Output => ({ write: (t) => void buffers[k].push(t), isTTY, columns: 100 });
  return {
    out: mk('out'),
    err: mk('err'),
    color: new Chalk({ level: 0 }),
    errColor: new Chalk({ level: 0 }),
    control: (sequence) => sequence,
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

/**
 * The same terminal, showing control characters from outside escaped (see the top of the file).
 * Its `color` neutralises what it is given and marks the codes it adds; `control` marks a
 * sequence; each write neutralises the rest, then unmarks.
 */
export function guardedTerminal(term: Terminal): Terminal {
  // Six random private-use characters: text from outside cannot guess them to pass as ours.
  const nonce = Array.from({ length: 6 }, () => String.fromCharCode(0xe000 + randomInt(0x1000))).join('');
  const marked = new RegExp(`${nonce}([\\uf000-\\uf0ff])`, 'g');
  const trust = (text: string) => text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => nonce + String.fromCharCode(0xf000 + c.charCodeAt(0)));
  const unmark = (text: string) => text.replace(marked, (_m, c: string) => String.fromCharCode(c.charCodeAt(0) - 0xf000));
  const wrap = (o: Output): Output => ({
    write: (text) => o.write(unmark(neutralise(text))),
    get isTTY() {
      return o.isTTY;
    },
    get columns() {
      return o.columns;
    },
  });
  return {
    out: wrap(term.out),
    err: wrap(term.err),
    color: trustedChalk(term.color, (text) => unmark(neutralise(text)), trust),
    errColor: trustedChalk(term.errColor, (text) => unmark(neutralise(text)), trust),
    control: trust,
  };
}

/**
 * Chalk, with every string it is given passed through `enter` (outside text neutralised, nested
 * colours of ours restored so chalk can nest them) and every string it returns through `mark`.
 * Chalk's styles are chained getters and calls (`c.red.bold(x)`, `c.rgb(1, 2, 3)(x)`): each
 * function reached is wrapped the same way.
 */
function trustedChalk(chalk: ChalkInstance, enter: (text: string) => string, mark: (text: string) => string): ChalkInstance {
  // The proxy's target is a blank function, and the handler forwards to the real one: chalk caches
  // styles as read-only properties, which a proxy over chalk itself would have to return unwrapped.
  const wrap = (real: object): never =>
    new Proxy(() => undefined, {
      get(_t, prop) {
        const value: unknown = Reflect.get(real, prop, real);
        return typeof value === 'function' ? wrap(value) : value;
      },
      apply(_t, thisArg, args: unknown[]) {
        const result: unknown = Reflect.apply(
          real as (...a: unknown[]) => unknown,
          thisArg,
          args.map((a) => (typeof a === 'string' ? enter(a) : a)),
        );
        if (typeof result === 'string') return mark(result);
        return typeof result === 'function' ? wrap(result) : result;
      },
    }) as never;
  return wrap(chalk);
}

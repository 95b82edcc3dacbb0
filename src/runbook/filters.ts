/**
 * The text filters of the playbook's pipelines (`| grep -i error`, `| head -20`), done in-process.
 * Running them ourselves keeps the raw output of the real command as evidence, needs no shell and
 * behaves the same on every machine. A stage whose program is not one of these (jq, awk) runs as
 * its own process with the previous output on its standard input.
 *
 * Filters stream: they see the command's output line by line as it arrives, so `| tail -5` of a
 * gigabyte holds five lines, not the gigabyte. A filter that must see everything before it can
 * answer (sort) holds at most FILTER_HOLD_LIMIT characters and says it dropped the rest; so does
 * any filter handed a single line longer than that.
 */
import { errorMessage } from '../errors.js';
import { FILTER_HOLD_LIMIT } from '../limits.js';

export type Filter = (input: string) => string;

/** One run of a filter over a stream: text in (any chunking), output out as it is ready. */
export interface StreamFilter {
  write(text: string): string;
  /** The input is complete: the rest of the output. */
  end(): string;
  /** Set when the filter dropped input to stay bounded (what, how much). */
  readonly note: string | undefined;
}

export type FilterParse =
  { ok: true; filter: Filter; stream: () => StreamFilter } | { ok: false; message: string } | { ok: false; external: true };

/** What a line filter does with each line; `finish` gives what it held back. */
interface LineHandler {
  line(l: string): string;
  finish(): string;
  note?(): string | undefined;
}

/** Splits streamed text into lines for a handler, bounding the line it is assembling. */
function lineStream(handler: LineHandler, name: string, hold = FILTER_HOLD_LIMIT): StreamFilter {
  let partial = '';
  let cut = 0;
  const feed = (text: string): string => {
    let out = '';
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const piece = text.slice(from, nl);
      out += handler.line(partial ? partial + piece : piece);
      partial = '';
      from = nl + 1;
    }
    if (from < text.length) {
      partial += text.slice(from);
      if (partial.length > hold) {
        cut += partial.length - hold;
        partial = partial.slice(0, hold);
      }
    }
    return out;
  };
  return {
    write: feed,
    end: () => {
      const out = partial ? handler.line(partial) : '';
      partial = '';
      return out + handler.finish();
    },
    get note() {
      const own = handler.note?.();
      if (own) return own;
      return cut ? `${name}: a line longer than ${FILTER_HOLD_LIMIT} characters was cut (${cut} characters dropped)` : undefined;
    },
  };
}

/** A streaming filter run over a whole text at once. */
function whole(stream: () => StreamFilter): Filter {
  return (input) => {
    const s = stream();
    return s.write(input) + s.end();
  };
}

function ok(stream: () => StreamFilter): FilterParse {
  return { ok: true, filter: whole(stream), stream };
}

export const BUILTIN_FILTERS = ['grep', 'head', 'tail', 'wc', 'sort', 'uniq'] as const;

const join = (ls: string[]) => (ls.length ? ls.join('\n') + '\n' : '');

/** Converts a POSIX basic regular expression (grep's default) to a JavaScript one. */
export function basicToExtended(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern.charAt(i + 1);
      out += '|(){}+?'.includes(n) ? n : '\\' + n;
      i++;
    } else if ('|(){}+?'.includes(c)) {
      out += '\\' + c;
    } else out += c;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseCount(args: string[], name: string): number | string {
  // head -20, head -n 20, head -n20, head --lines=20
  let n = 10;
  const words = args.entries();
  for (const [i, a] of words) {
    const next = args[i + 1];
    let m: RegExpExecArray | null;
    if ((m = /^-(\d+)$/.exec(a))) n = Number(m[1]);
    else if (a === '-n' && next !== undefined && /^\d+$/.test(next)) {
      n = Number(next);
      words.next(); // the count just read
    } else if ((m = /^-n(\d+)$/.exec(a)) || (m = /^--lines=(\d+)$/.exec(a))) n = Number(m[1]);
    else return `${name}: unsupported argument "${a}"`;
  }
  return n;
}

export function parseFilter(args: string[]): FilterParse {
  const [program, ...rest] = args;
  switch (program) {
    case 'grep': {
      let ignoreCase = false;
      let invert = false;
      let count = false;
      let mode: 'basic' | 'extended' | 'fixed' = 'basic';
      let word = false;
      let onlyMatching = false;
      const patterns: string[] = [];
      const words = rest.values();
      for (const a of words) {
        if (a === '-e') {
          const p = words.next().value;
          if (p === undefined) return { ok: false, message: 'grep: -e needs a pattern' };
          patterns.push(p);
        } else if (/^-[ivcEFwo]+$/.test(a)) {
          for (const f of a.slice(1)) {
            if (f === 'i') ignoreCase = true;
            else if (f === 'v') invert = true;
            else if (f === 'c') count = true;
            else if (f === 'E') mode = 'extended';
            else if (f === 'F') mode = 'fixed';
            else if (f === 'w') word = true;
            else if (f === 'o') onlyMatching = true;
          }
        } else if (a.startsWith('-') && patterns.length === 0 && a !== '-') {
          return { ok: false, message: `grep: unsupported option "${a}" (supported: -i -v -c -E -F -w -o -e)` };
        } else if (patterns.length === 0) patterns.push(a);
        else return { ok: false, message: `grep: reads the previous command's output; a file argument "${a}" is not supported` };
      }
      if (patterns.length === 0) return { ok: false, message: 'grep: missing pattern' };
      let re: RegExp;
      try {
        const source = patterns
          .map((p) => (mode === 'fixed' ? escapeRegExp(p) : mode === 'basic' ? basicToExtended(p) : p))
          .map((p) => (word ? `\\b(?:${p})\\b` : p))
          .join('|');
        re = new RegExp(source, ignoreCase ? 'gi' : 'g');
      } catch (error) {
        return { ok: false, message: `grep: invalid pattern: ${errorMessage(error)}` };
      }
      const test = (line: string) => {
        re.lastIndex = 0;
        return re.test(line);
      };
      return ok(() => {
        let n = 0;
        return lineStream(
          {
            line: (l) => {
              if (test(l) === invert) return '';
              n++;
              if (count) return '';
              if (onlyMatching && !invert) return join([...l.matchAll(re)].map((m) => m[0]));
              return l + '\n';
            },
            finish: () => (count ? `${n}\n` : ''),
          },
          'grep',
        );
      });
    }
    case 'head':
    case 'tail': {
      const n = parseCount(rest, program);
      if (typeof n === 'string') return { ok: false, message: n };
      if (program === 'head')
        return ok(() => {
          let seen = 0;
          return lineStream({ line: (l) => (seen++ < n ? l + '\n' : ''), finish: () => '' }, 'head');
        });
      return ok(() => {
        // The last n lines, in a ring; bounded in characters too (tail -100000 of long lines).
        const ring: string[] = [];
        let held = 0;
        let seen = 0;
        return lineStream(
          {
            line: (l) => {
              seen++;
              if (n === 0) return '';
              ring.push(l);
              held += l.length;
              while (ring.length > n || (held > FILTER_HOLD_LIMIT && ring.length > 1)) {
                const dropped = ring.shift();
                if (dropped === undefined) break;
                held -= dropped.length;
              }
              return '';
            },
            finish: () => join(ring),
            note: () =>
              ring.length < Math.min(n, seen)
                ? `tail: kept the last ${ring.length} lines, not ${n}: they hold more than ${FILTER_HOLD_LIMIT} characters`
                : undefined,
          },
          'tail',
        );
      });
    }
    case 'wc': {
      if (rest.length !== 1 || rest[0] !== '-l') return { ok: false, message: 'wc: only "wc -l" is supported' };
      return ok(() => {
        let n = 0;
        return lineStream(
          {
            line: () => {
              n++;
              return '';
            },
            finish: () => `${n}\n`,
          },
          'wc',
        );
      });
    }
    case 'sort': {
      const reverse = rest.includes('-r');
      const numeric = rest.includes('-n');
      const unknown = rest.filter((a) => a !== '-r' && a !== '-n');
      if (unknown.length) return { ok: false, message: `sort: unsupported argument "${unknown[0]}"` };
      return ok(() => {
        // Sort must see everything before it answers: it holds at most FILTER_HOLD_LIMIT characters.
        const held: string[] = [];
        let size = 0;
        let dropped = 0;
        let droppedChars = 0;
        return lineStream(
          {
            line: (l) => {
              if (size + l.length > FILTER_HOLD_LIMIT) {
                dropped++;
                droppedChars += l.length + 1;
              } else {
                held.push(l);
                size += l.length + 1;
              }
              return '';
            },
            finish: () => {
              const ls = held.sort(numeric ? (a, b) => parseFloat(a) - parseFloat(b) : undefined);
              return join(reverse ? ls.reverse() : ls);
            },
            note: () =>
              dropped
                ? `sort: sorted only the first ${held.length} lines (${size} characters, its limit); ${dropped} more lines (${droppedChars} characters) were not sorted or shown`
                : undefined,
          },
          'sort',
        );
      });
    }
    case 'uniq': {
      const count = rest.includes('-c');
      const show = (l: string, n: number) => (count ? `${String(n).padStart(7)} ${l}` : l) + '\n';
      return ok(() => {
        let last: string | undefined;
        let n = 0;
        return lineStream(
          {
            line: (l) => {
              if (l === last) {
                n++;
                return '';
              }
              const out = last === undefined ? '' : show(last, n);
              last = l;
              n = 1;
              return out;
            },
            finish: () => (last === undefined ? '' : show(last, n)),
          },
          'uniq',
        );
      });
    }
    case undefined:
      return { ok: false, message: 'empty pipeline stage' };
    default:
      return { ok: false, external: true };
  }
}

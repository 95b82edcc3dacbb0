/**
 * The text filters of the playbook's pipelines (`| grep -i error`, `| head -20`), done in-process.
 * Running them ourselves keeps the raw output of the real command as evidence, needs no shell and
 * behaves the same on every machine. A stage whose program is not one of these (jq, awk) runs as
 * its own process with the previous output on its standard input.
 */

export type Filter = (input: string) => string;

export type FilterParse = { ok: true; filter: Filter } | { ok: false; message: string } | { ok: false; external: true };

export const BUILTIN_FILTERS = ['grep', 'head', 'tail', 'wc', 'sort', 'uniq'] as const;

function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}
const join = (ls: string[]) => (ls.length ? ls.join('\n') + '\n' : '');

/** Converts a POSIX basic regular expression (grep's default) to a JavaScript one. */
export function basicToExtended(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1]!;
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
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let m: RegExpExecArray | null;
    if ((m = /^-(\d+)$/.exec(a))) n = Number(m[1]);
    else if (a === '-n' && args[i + 1] !== undefined && /^\d+$/.test(args[i + 1]!)) n = Number(args[++i]);
    else if ((m = /^-n(\d+)$/.exec(a)) || (m = /^--lines=(\d+)$/.exec(a))) n = Number(m[1]);
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
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i]!;
        if (a === '-e') {
          const p = rest[++i];
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
        return { ok: false, message: `grep: invalid pattern: ${(error as Error).message}` };
      }
      const test = (line: string) => {
        re.lastIndex = 0;
        return re.test(line);
      };
      return {
        ok: true,
        filter: (input) => {
          const selected = lines(input).filter((l) => test(l) !== invert);
          if (count) return `${selected.length}\n`;
          if (onlyMatching && !invert) {
            return join(selected.flatMap((l) => [...l.matchAll(re)].map((m) => m[0])));
          }
          return join(selected);
        },
      };
    }
    case 'head':
    case 'tail': {
      const n = parseCount(rest, program);
      if (typeof n === 'string') return { ok: false, message: n };
      return {
        ok: true,
        filter: (input) => {
          const ls = lines(input);
          return join(program === 'head' ? ls.slice(0, n) : n === 0 ? [] : ls.slice(-n));
        },
      };
    }
    case 'wc': {
      if (rest.length !== 1 || rest[0] !== '-l') return { ok: false, message: 'wc: only "wc -l" is supported' };
      return { ok: true, filter: (input) => `${lines(input).length}\n` };
    }
    case 'sort': {
      const reverse = rest.includes('-r');
      const numeric = rest.includes('-n');
      const unknown = rest.filter((a) => a !== '-r' && a !== '-n');
      if (unknown.length) return { ok: false, message: `sort: unsupported argument "${unknown[0]}"` };
      return {
        ok: true,
        filter: (input) => {
          const ls = lines(input).sort(numeric ? (a, b) => parseFloat(a) - parseFloat(b) : undefined);
          return join(reverse ? ls.reverse() : ls);
        },
      };
    }
    case 'uniq': {
      const count = rest.includes('-c');
      return {
        ok: true,
        filter: (input) => {
          const out: Array<[string, number]> = [];
          for (const l of lines(input)) {
            const last = out[out.length - 1];
            if (last && last[0] === l) last[1]++;
            else out.push([l, 1]);
          }
          return join(out.map(([l, n]) => (count ? `${String(n).padStart(7)} ${l}` : l)));
        },
      };
    }
    case undefined:
      return { ok: false, message: 'empty pipeline stage' };
    default:
      return { ok: false, external: true };
  }
}

/**
 * Parsing of the commands written in runbooks, as the playbook writes them:
 *
 *     kubectl logs -n {{namespace}} deployment/budapp --tail=200 | grep -i error
 *     curl "{{apiUrl}}/endpoints" -H "Authorization: Bearer $TOKEN" | jq '.[] | {name, status}'
 *
 * The text is split into words with shell quoting rules (single quotes, double quotes, backslash)
 * and into pipeline stages on unquoted `|`, but no shell ever runs it: each stage becomes an
 * argument vector. `{{name}}` placeholders are filled *inside* a word after splitting, so a value
 * can never add words or syntax. `$NAME` / `${NAME}` outside single quotes are environment
 * references, read at run time and always displayed unexpanded. Shell syntax that has no meaning
 * without a shell (`;`, `&&`, redirections, `$(...)`, backticks, `&`) is rejected when the runbook
 * is loaded, so an author learns at validation time rather than at 3 a.m.
 */

export type Part = { kind: 'text'; text: string } | { kind: 'env'; name: string } | { kind: 'var'; name: string };

/** One argument: the concatenation of its parts. */
export type Word = Part[];

export interface ParsedCommand {
  source: string;
  /** Pipeline stages, each a list of words. The first stage is the command; the rest filter its output. */
  stages: Word[][];
}

export interface CommandParseError {
  message: string;
  /** Offset into the source where the problem is. */
  offset: number;
}

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; error: CommandParseError };

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/y;
const ENV_NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function parseCommand(source: string): ParseResult {
  const stages: Word[][] = [];
  let words: Word[] = [];
  let word: Word | null = null;
  let i = 0;
  const fail = (message: string, offset = i): ParseResult => ({ ok: false, error: { message, offset } });
  const pushText = (text: string) => {
    word ??= [];
    const last = word[word.length - 1];
    if (last?.kind === 'text') last.text += text;
    else word.push({ kind: 'text', text });
  };
  const endWord = () => {
    if (word) words.push(word);
    word = null;
  };
  /** Tries to read `{{var}}` at i; returns true when consumed. */
  const readTemplate = (): boolean => {
    TEMPLATE.lastIndex = i;
    const m = TEMPLATE.exec(source);
    if (!m) return false;
    const [, name = ''] = m; // the group is not optional: it matched when the pattern did
    word ??= [];
    word.push({ kind: 'var', name });
    i = TEMPLATE.lastIndex;
    return true;
  };
  /** Tries to read `$NAME` or `${NAME}` at i; returns an error message, true when consumed, false when not an env ref. */
  const readEnv = (): boolean | string => {
    if (source[i] !== '$') return false;
    const next = source[i + 1];
    if (next === '(') return 'command substitution "$(...)" needs a shell; write the command as its own step';
    if (next === '{') {
      const close = source.indexOf('}', i);
      const name = close > 0 ? source.slice(i + 2, close) : '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'only plain ${NAME} environment references are supported';
      word ??= [];
      word.push({ kind: 'env', name });
      i = close + 1;
      return true;
    }
    ENV_NAME.lastIndex = i + 1;
    const m = ENV_NAME.exec(source);
    if (!m) return false;
    word ??= [];
    word.push({ kind: 'env', name: m[0] });
    i = ENV_NAME.lastIndex;
    return true;
  };

  while (i < source.length) {
    const c = source.charAt(i);
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2; // line continuation, as in the playbook's multi-line curl
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '|') {
      if (source[i + 1] === '|') return fail('"||" needs a shell; use separate steps');
      endWord();
      if (words.length === 0) return fail('empty command before "|"');
      stages.push(words);
      words = [];
      i++;
      continue;
    }
    if (c === ';' || c === '&' || c === '>' || c === '<' || c === '`') {
      const what = { ';': '";"', '&': '"&" / "&&"', '>': 'redirection ">"', '<': 'redirection "<"', '`': 'backtick substitution' }[c];
      return fail(`${what} needs a shell, and runbook commands never run in one; split it into steps or filter with a pipeline`);
    }
    if (c === "'") {
      const close = source.indexOf("'", i + 1);
      if (close < 0) return fail('unterminated single quote');
      // Templates are still filled inside single quotes (a jq filter may name a service); they stay one word.
      const inner = source.slice(i + 1, close);
      word ??= [];
      let j = 0;
      while (j < inner.length) {
        TEMPLATE.lastIndex = j;
        const m = TEMPLATE.exec(inner);
        if (m) {
          const [, name = ''] = m;
          word.push({ kind: 'var', name });
          j = TEMPLATE.lastIndex;
        } else {
          pushText(inner.charAt(j));
          j++;
        }
      }
      i = close + 1;
      continue;
    }
    if (c === '"') {
      word ??= [];
      i++;
      let closed = false;
      while (i < source.length) {
        const d = source.charAt(i);
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        const escaped = source.charAt(i + 1);
        if (d === '\\' && i + 1 < source.length && '"\\$`\n'.includes(escaped)) {
          if (escaped !== '\n') pushText(escaped);
          i += 2;
          continue;
        }
        if (d === '`') return fail('backtick substitution needs a shell');
        if (d === '{' && readTemplate()) continue;
        const env = readEnv();
        if (typeof env === 'string') return fail(env);
        if (env) continue;
        pushText(d);
        i++;
      }
      if (!closed) return fail('unterminated double quote');
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= source.length) return fail('trailing backslash');
      pushText(source.charAt(i + 1));
      i += 2;
      continue;
    }
    if (c === '{' && readTemplate()) continue;
    const env = readEnv();
    if (typeof env === 'string') return fail(env);
    if (env) continue;
    pushText(c);
    i++;
  }
  endWord();
  if (words.length === 0) return fail(stages.length ? 'empty command after "|"' : 'empty command');
  stages.push(words);
  return { ok: true, command: { source, stages } };
}

/** Names of the `{{placeholders}}` a command uses. */
export function commandVariables(command: ParsedCommand): string[] {
  const names = new Set<string>();
  for (const stage of command.stages) for (const word of stage) for (const p of word) if (p.kind === 'var') names.add(p.name);
  return [...names];
}

/** Names of the `$ENV` references a command uses. */
export function commandEnvRefs(command: ParsedCommand): string[] {
  const names = new Set<string>();
  for (const stage of command.stages) for (const word of stage) for (const p of word) if (p.kind === 'env') names.add(p.name);
  return [...names];
}

/** The program name of a stage (its first word, when that is plain text). */
export function stageProgram(stage: Word[]): string | undefined {
  const [first] = stage;
  const [part] = first ?? [];
  if (!first || first.length !== 1 || part?.kind !== 'text') return undefined;
  return part.text;
}

export interface ResolvedCommand {
  /** Argument vectors with templates and environment references filled: what is executed. */
  argv: string[][];
  /** What the responder sees and the timeline records: templates filled, `$ENV` left as written. */
  display: string;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Fills a parsed command. `vars` supplies `{{name}}` values; `env` supplies `$NAME` values.
 * A missing variable or environment value is an error naming it. Values are never re-split.
 * Values of the inputs `secret` names are executed but displayed as [REDACTED], whatever their length.
 */
export function resolveCommand(
  command: ParsedCommand,
  vars: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  secret: (name: string) => boolean = () => false,
): ResolvedCommand {
  const argv: string[][] = [];
  const shown: string[] = [];
  for (const stage of command.stages) {
    const args: string[] = [];
    const displayWords: string[] = [];
    for (const word of stage) {
      let value = '';
      const shownParts: DisplayPart[] = [];
      const literal = (text: string) => {
        const last = shownParts[shownParts.length - 1];
        if (typeof last === 'string') shownParts[shownParts.length - 1] = last + text;
        else shownParts.push(text);
      };
      for (const part of word) {
        if (part.kind === 'text') {
          value += part.text;
          literal(part.text);
        } else if (part.kind === 'var') {
          const v = vars(part.name);
          if (v === undefined) throw new TemplateError(`template value {{${part.name}}} is not defined`);
          value += v;
          literal(secret(part.name) ? '[REDACTED]' : v);
        } else {
          const v = env[part.name];
          if (v === undefined || v === '') throw new TemplateError(`environment variable $${part.name} is not set (the command needs it)`);
          value += v;
          shownParts.push({ env: part.name });
        }
      }
      args.push(value);
      displayWords.push(displayWord(shownParts));
    }
    argv.push(args);
    shown.push(displayWords.join(' '));
  }
  return { argv, display: shown.join(' | ') };
}

/** A piece of a displayed word: literal text, or an environment reference shown unexpanded. */
type DisplayPart = string | { env: string };

/** Characters that mean nothing to bash or zsh in an unquoted word (`=` only after the start: zsh expands `=cmd`). */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+,-][A-Za-z0-9_./:=@%+,-]*$/;
/** Literal text that means nothing to bash or zsh inside double quotes (no `$`, backtick, backslash, `"` or history `!`). */
const PLAIN_IN_DOUBLE_QUOTES = /^[^$`\\"!]*$/;

/**
 * A word as the responder may paste it into bash or zsh and get exactly the argument that runs,
 * with `$NAME` references left for their shell to fill: literal text is single-quoted unless it is
 * plain, so `$(…)`, backticks, quotes and `!` in a value stay text.
 */
function displayWord(parts: DisplayPart[]): string {
  if (parts.every((p) => typeof p === 'string')) return quoteForDisplay(parts.join(''));
  if (parts.every((p) => typeof p !== 'string' || PLAIN_IN_DOUBLE_QUOTES.test(p))) {
    // The usual case, "Authorization: Bearer $TOKEN", stays as the runbook wrote it.
    const inner = parts.map((p, i) => {
      if (typeof p === 'string') return p;
      const next = parts[i + 1];
      return typeof next === 'string' && /^[A-Za-z0-9_]/.test(next) ? `\${${p.env}}` : `$${p.env}`;
    });
    return `"${inner.join('')}"`;
  }
  return parts.map((p) => (typeof p === 'string' ? (p ? quoteForDisplay(p) : '') : `"$${p.env}"`)).join('');
}

/**
 * Quotes a literal word so that what is shown can be pasted into bash or zsh and mean the same:
 * plain words as they are, anything else in single quotes (a `'` inside written `'\''`), where
 * nothing — `$(…)`, backticks, `!`, globs — is special.
 */
export function quoteForDisplay(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * Redaction of secrets before anything is written (timeline, artifacts) or printed.
 *
 * Two layers: patterns that recognise secrets by shape (bearer headers, JWTs, `password=...`,
 * AWS keys, private keys, credentials in URLs), and the literal values of environment variables
 * that hold secrets (named in the config, plus any variable whose name says TOKEN, SECRET,
 * PASSWORD, API_KEY...). The literal layer catches opaque tokens no pattern could recognise.
 */

export const REDACTED = '[REDACTED]';

/** Environment variable names that are treated as secrets even when the config does not list them. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PGPASS|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)$/i;

/** Values shorter than this are not redacted literally: redacting "1" or "dev" everywhere would make output unreadable. */
const MIN_LITERAL_LENGTH = 6;

interface Rule {
  re: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const RULES: Rule[] = [
  // PEM private keys, whole block.
  {
    re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`,
  },
  // JSON Web Tokens (header.payload.signature, base64url, header starts with {" → eyJ).
  { re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Authorization headers and bare bearer/basic credentials.
  { re: /\b(Bearer|Basic|Token)(\s+)(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{4,}/gi, replace: (_m, scheme, sp) => `${scheme}${sp}${REDACTED}` },
  // key=value and key: value forms (query strings, env dumps, YAML, logs), including JSON "key": "value".
  {
    // Matching starts only where a word starts (the lookbehind): without it, every position inside a
    // long run of word characters (a 200 KB JSON log line) rescans the rest of the run, which is quadratic.
    re: /(?<![A-Za-z0-9_.-])(["']?)((?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|private[_-]?key|auth[_-]?token|session[_-]?id))\1(\s*[:=]\s*)(["']?)(?!\[REDACTED\])([^\s"'&,;}]{1,})/gi,
    replace: (_m, q1, key, sep, q2) => `${q1}${key}${q1}${sep}${q2}${REDACTED}`,
  },
  // AWS access key ids.
  { re: /\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b/g, replace: REDACTED },
  // Credentials embedded in URLs: scheme://user:password@host.
  // The scheme starts where a run of scheme characters starts (not at every word boundary inside one,
  // which rescans the run from each: quadratic on a long line of dotted words).
  { re: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, replace: (_m, head) => `${head}${REDACTED}@` },
  // Common vendor token prefixes (GitHub, Slack, GitLab).
  { re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,})\b/g, replace: REDACTED },
];

export interface RedactorOptions {
  /** Names of environment variables whose values are secrets (from the config). */
  secretEnv?: readonly string[];
  /** The environment to read those values from. */
  env?: NodeJS.ProcessEnv;
  /** Additional literal secret values (e.g. prompt answers marked secret). */
  literals?: readonly string[];
}

/** Names of the environment variables treated as secret: configured ones plus ones named like secrets. */
export function secretEnvNames(env: NodeJS.ProcessEnv, configured: readonly string[] = []): string[] {
  const names = new Set(configured);
  for (const name of Object.keys(env)) if (SECRET_NAME.test(name)) names.add(name);
  return [...names];
}

export class Redactor {
  private literals: string[] = [];

  constructor(options: RedactorOptions = {}) {
    const env = options.env ?? {};
    for (const name of secretEnvNames(env, options.secretEnv)) {
      const value = env[name];
      if (value) this.addLiteral(value);
    }
    for (const value of options.literals ?? []) this.addLiteral(value);
  }

  /** Registers a value that must never be shown (a secret prompt answer, a token read at run time). */
  addLiteral(value: string): void {
    const v = value.trim();
    if (v.length < MIN_LITERAL_LENGTH || this.literals.includes(v)) return;
    this.literals.push(v);
    // Longest first, so a secret that contains another is replaced whole.
    this.literals.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const literal of this.literals) {
      if (out.includes(literal)) out = out.split(literal).join(REDACTED);
    }
    for (const rule of RULES) {
      out = out.replace(rule.re, rule.replace as (substring: string, ...args: string[]) => string);
    }
    return out;
  }

  /** Redacts every string inside a JSON-like value (event data), returning a copy. */
  redactValue<T>(value: T): T {
    return redactDeep(value, this) as T;
  }

  /**
   * The longest literal secret, so a streaming redactor knows how much of a chunk's tail to hold
   * back: a secret split across two chunks is only seen whole once both are joined.
   */
  get holdBack(): number {
    return Math.max(256, ...this.literals.map((l) => l.length));
  }
}

function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redactor));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redactor);
    return out;
  }
  return value;
}

/**
 * Redacts a stream of text chunks line by line. Complete lines are redacted and released at once;
 * a partial line is held until its newline arrives, so a token split across two chunks is
 * redacted whole. A line longer than `maxLine` is released in pieces, keeping an overlap of
 * `holdBack` characters so that a secret straddling the cut is still seen whole.
 */
export class StreamRedactor {
  private pending = '';
  constructor(
    private readonly redactor: Redactor,
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: string): string {
    this.pending += chunk;
    const lastNewline = this.pending.lastIndexOf('\n');
    let out = '';
    if (lastNewline >= 0) {
      out = this.redactor.redact(this.pending.slice(0, lastNewline + 1));
      this.pending = this.pending.slice(lastNewline + 1);
    }
    if (this.pending.length > this.maxLine) {
      const keep = this.redactor.holdBack;
      const redacted = this.redactor.redact(this.pending);
      // Only release what lies safely before the overlap; a redaction inside it may change length,
      // so release by searching the redacted text for the unredacted tail.
      const tail = this.pending.slice(-keep);
      const cut = redacted.endsWith(tail) ? redacted.length - keep : redacted.length;
      out += redacted.slice(0, cut);
      this.pending = cut === redacted.length ? '' : tail;
    }
    return out;
  }

  end(): string {
    const out = this.redactor.redact(this.pending);
    this.pending = '';
    return out;
  }
}

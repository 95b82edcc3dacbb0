/**
 * Redaction of secrets before anything is written (timeline, artifacts) or printed, and before
 * anything is derived from user text (incident ids, directories, channel names).
 *
 * Two layers: patterns that recognise secrets by shape (bearer headers, JWTs, `password=...`,
 * `DB_PASS=...`, vendor keys, cookies, `curl -u`, private keys and kubeconfig credentials,
 * credentials in URLs, base64 that decodes to any of these), and the literal values of
 * environment variables that hold secrets (named in the config, plus any variable whose name says
 * TOKEN, SECRET, PASSWORD, KEY...) and of runbook inputs marked `secret: true`. The literal layer
 * catches opaque tokens no pattern could recognise.
 *
 * Every rule runs in time linear in the input: a rule starts only where a run of its characters
 * starts (a lookbehind), and no quantified group can be re-entered at many positions. A 10 MB
 * single line of adversarial text is redacted at several MB/s (bench/redact.ts holds the figure).
 *
 * Over 400 lines on purpose: every secret shape the tool knows (headers, tokens, URLs, env, JSON, PEM)
 * is here, so one reading shows what is redacted and what is not.
 */

export const REDACTED = '[REDACTED]';

/**
 * Whether an environment variable (or `NAME=value` assignment) names a secret: one of its
 * `_`-separated parts is PASS, SECRET, TOKEN or CREDENTIAL(S), or ends in PASSWORD, PASSWD,
 * SECRET, TOKEN, APIKEY or ACCESSKEY (`PGPASSWORD`), or its last part is KEY (`STRIPE_KEY`,
 * `AWS_SECRET_ACCESS_KEY`). KEY counts only at the end so that `KEYCLOAK_URL` and `SSH_KEY_PATH`
 * stay readable; PWD is the working directory, not a password.
 */
export function isSecretName(name: string): boolean {
  const parts = name.toUpperCase().split(/_+/);
  const last = parts[parts.length - 1] ?? '';
  return (
    /^(?:KEY|KEYS|APIKEY|PRIVATEKEY)$/.test(last) ||
    parts.some((p) => /^(?:PASS|CREDENTIALS?)$|(?:PASSWORD|PASSWD|PASS|SECRET|SECRETS|TOKEN|TOKENS|APIKEY|ACCESSKEY)$/.test(p))
  );
}

/** Environment values shorter than this are not redacted literally: the names are guesses, and `true` or `3600` would vanish everywhere. */
const MIN_ENV_LITERAL = 6;
/**
 * Values of inputs declared `secret: true` are redacted wherever they appear from this length. A
 * 1–3 character value would match inside ordinary words everywhere; such a value is still never
 * shown where it is echoed as the input (the command line, the answer), which is masked by name.
 */
export const MIN_INPUT_LITERAL = 4;

interface Rule {
  re: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

/** Key names whose value is a secret in `key=value`, `key: value` and `"key": "value"` forms. */
const SECRET_KEYS =
  'password|passwd|passphrase|pwd|secret|token|identitytoken|registrytoken|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|private[_-]?key|auth[_-]?token|session[_-]?id|' +
  'account[_-]?key|shared[_-]?access[_-]?key|sig|key[_-]?data|certificate[_-]?data';

/**
 * Base64 that decodes to a secret: `password=…`, `"token":"…"`, a PEM key or certificate (a
 * kubeconfig's `client-key-data`). Decoding every run of base64-looking characters would mean a
 * callback per word of a log line, so the text is scanned once for the base64 forms of these
 * keywords instead: for each keyword and each of the three byte alignments it can have inside
 * the encoded text, the characters that depend on the keyword alone. Only a run holding one of
 * them is decoded (its first 8 KB, once) and redacted whole if it decodes to mostly printable text
 * with the keyword assigned. Linear: one pass of the scan, each run expanded and decoded once.
 */
const BASE64_KEYWORDS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'api-key',
  'accountkey',
  'access_key',
  'private_key',
  '"auth"',
  '-----BEGIN ',
];
const DECODED_SECRET = /-----BEGIN |(?:password|passwd|secret|token|api[_-]?key|accountkey|access_key|private_key|"auth")["']?\s*[:=]/i;
const DECODE_LIMIT = 8192;

function base64Needles(): RegExp {
  const needles = new Set<string>();
  for (const k of BASE64_KEYWORDS) {
    for (const v of [k, k.toUpperCase(), k.charAt(0).toUpperCase() + k.slice(1), k.replace('key', 'Key')]) {
      for (let align = 0; align < 3; align++) {
        const encoded = Buffer.concat([Buffer.alloc(align), Buffer.from(v)]).toString('base64');
        // Characters whose 6 bits all come from the keyword's bytes.
        needles.add(encoded.slice(Math.ceil((8 * align) / 6), Math.floor((8 * align + 8 * v.length) / 6)));
      }
    }
  }
  return new RegExp([...needles].map((n) => n.replace(/[+/]/g, '\\$&')).join('|'), 'g');
}
const BASE64_NEEDLES = base64Needles();
const isBase64Char = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f;

function decodesToSecret(run: string): boolean {
  const head = run.replace(/=+$/, '').slice(0, DECODE_LIMIT);
  const decoded = Buffer.from(head.slice(0, head.length - (head.length % 4 === 1 ? 1 : 0)), 'base64').toString('latin1');
  if (decoded.length < 8) return false;
  let printable = 0;
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) printable++;
  }
  return printable >= decoded.length * 0.9 && DECODED_SECRET.test(decoded);
}

function redactBase64(text: string): string {
  const re = new RegExp(BASE64_NEEDLES.source, 'g');
  let out = '';
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let start = m.index;
    let end = m.index + m[0].length;
    while (start > from && isBase64Char(text.charCodeAt(start - 1))) start--;
    while (end < text.length && isBase64Char(text.charCodeAt(end))) end++;
    for (let pad = 0; pad < 2 && text[end] === '='; pad++) end++;
    re.lastIndex = end;
    if (end - start >= 12 && decodesToSecret(text.slice(start, end))) {
      out += text.slice(from, start) + REDACTED;
      from = end;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A private key after its BEGIN line: the headers of an encrypted key (each starting with its
 * name), then base64 lines, with newlines real or, in JSON logs, escaped as `\\n`. No spaces: a
 * BEGIN line quoted in a sentence ("expected -----BEGIN … KEY----- in the file") takes at most the
 * next word with it, not the rest of the output. Linear: a character class and literal-led headers.
 */
const PEM_HEADERS = String.raw`(?:(?:Proc-Type|DEK-Info|Version|Comment|Hash|Charset):[^\r\n\\]*(?:\r?\n|\\r?\\n))*`;
const PEM_BODY = String.raw`[A-Za-z0-9+/=\r\n\\]*`;
const PEM_HEAD = String.raw`-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----[ \t]*(?:\r?\n|\\r?\\n)?`;
const PEM_END = String.raw`-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----`;
/** A key whose body runs to the end of the text (its END line is still to come). */
const PEM_OPEN_TAIL = new RegExp(`^${PEM_HEAD}${PEM_HEADERS}${PEM_BODY}$`);
/** The rest of a key at the start of the next text, and its END line if there. */
const PEM_CONTINUATION = new RegExp(`^${PEM_HEADERS}${PEM_BODY}(${PEM_END})?`);

/**
 * Whether the word after `token` or a password flag looks like a credential rather than prose: 4
 * characters or more with a digit or symbol, mixed case, or 20 letters and more. A placeholder
 * (`$TOKEN`, `${TOKEN}`, `{{token}}`, `<token>`, `TOKEN`) holds no secret and stays readable.
 */
function tokenLike(word: string): boolean {
  const core = word.replace(/[.,:;!?)]+$/, '');
  if (/^(?:\$\{?[A-Za-z_]\w*\}?|\{\{[^}]*\}\}|<[^<>]*>|[A-Z][A-Z_]*)$/.test(core)) return false;
  return core.length >= 4 && (/[0-9_+/=~@#$%^&*!-]/.test(core) || /[a-z][A-Z]/.test(core) || core.length >= 20);
}

/** The words prose puts after "bearer" or "basic", and a challenge's parameters (`WWW-Authenticate: Bearer realm=…`): never a credential. */
const SCHEME_PROSE =
  /^(?:tokens?|auth|authentication|authorization|authn|authz|scheme|schemes|headers?|credentials?|realm|access|login|is|was|are|were|required|missing|invalid|expired|and|or|not|only|for|with|from|in|on|of|the|a|an|to|mode|support|over|(?:realm|error|error_description|scope|charset)=.*)$/i;

/** Words that describe a credential's state rather than being one (with trailing punctuation). */
const STATE_WORDS =
  /^(?:none|nil|empty|unset|missing|required|optional|expired|invalid|valid|revoked|rotated|denied|rejected|incorrect|wrong|absent|provided|present|unknown|n\/a|not)[.,;:!)]*$/i;

/**
 * Whether a `key: value` value is clearly not a secret: an object or a list (the JSON schema's
 * `"secret": {`), `true`/`false`/`null`, or an unquoted number after a quoted (JSON) key. Quoted,
 * any of these is a string and may be a password.
 */
function notAValue(sep: string, value: string): boolean {
  if (/["']$/.test(sep)) return false;
  if (/^[{[]/.test(value) || /^(?:true|false|null)$/i.test(value)) return true;
  // A word that says what state the credential is in, in a log or an error ("password: required",
  // "token=expired", "token: none"): prose, and no password anyone would choose.
  if (STATE_WORDS.test(value)) return true;
  return /^["']/.test(sep) && /^-?\d+(?:\.\d+)?$/.test(value);
}

/**
 * A password given to a program as a flag, after the program's name or (for `-p`) a `-u` user
 * flag, at most 15 words before it: `mysql -h db -uroot -pX` (glued: `-p X` is a database name
 * there), `redis-cli -h r -a X`. Elsewhere `-p` is a port or a path. The words between are
 * matched one by one (a space run, then a non-space run, so each can end in one way only), and a
 * start scans at most 16 words: linear.
 */
const FLAG_GAP = String.raw`(?:[ \t]+[^\s]+){0,15}?[ \t]+`;
const FLAG_VALUE = String.raw`(?!\[REDACTED\])([^\s"'-][^\s"']*)`;
const MYSQL_PASSWORD = new RegExp(
  String.raw`(?<![A-Za-z0-9_.-])((?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|-u[ \t]*[^\s-][^\s]*)${FLAG_GAP}-p)${FLAG_VALUE}`,
  'g',
);
const REDIS_PASSWORD = new RegExp(String.raw`(?<![A-Za-z0-9_.-])(redis-cli${FLAG_GAP}-a[ \t]*)${FLAG_VALUE}`, 'g');

const RULES: Rule[] = [
  // PEM private keys, whole block (up to where the body stops when it has no END line yet: the
  // stream redactor then drops body lines until the END line arrives). Like every replacement, it
  // ends with the marker (and the line break it took), which the stream redactor relies on to find
  // the unchanged text after the last one.
  {
    re: new RegExp(`${PEM_HEAD}${PEM_HEADERS}${PEM_BODY}(?:${PEM_END})?`, 'g'),
    replace: (m) => `-----BEGIN PRIVATE KEY----- ${REDACTED}${m.endsWith('\n') ? '\n' : ''}`,
  },
  // JSON Web Tokens (header.payload.signature, base64url, header starts with {" → eyJ).
  { re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // Authorization headers and bare bearer/basic credentials.
  // In a header (`Authorization: Bearer X`, `-H "Authorization: Basic X"`) any value is the
  // credential; elsewhere any value but the words prose puts after the scheme's name ("Bearer
  // authentication is required", "basic auth", "invalid bearer token").
  {
    re: /(authorization["']?\s*[:=]\s*["']?)?\b(Bearer|Basic)(\s+)(?!\[REDACTED\])([A-Za-z0-9._~+/=-]{4,})/gi,
    replace: (m, header: string | undefined, scheme, sp, value) =>
      header || !SCHEME_PROSE.test(value) ? `${header ?? ''}${scheme}${sp}${REDACTED}` : m,
  },
  // `Token X` (a header scheme) and `--token X`, `--password X` flags: only when X looks like a
  // credential, since "token" is an ordinary word too ("renew the token in…", "token validation").
  {
    re: /(?<![A-Za-z0-9_-])(token[ \t]+|--(?:password|passwd|pass|token|secret|api-key|apikey|access-token|auth-token|client-secret)[ \t]+)(["']?)(?!\[REDACTED\])([^\s"']+)/gi,
    replace: (m, head, q, value) => (tokenLike(value) ? `${head}${q}${REDACTED}` : m),
  },
  // Passwords given to a program as a flag (see MYSQL_PASSWORD). After a `-u` flag alone, a number
  // is a port (`docker run -u 1000 -p8080:80`), not a password.
  {
    re: MYSQL_PASSWORD,
    replace: (m, head, value) => (head.startsWith('-u') && /^[\d:.]+$/.test(value) ? m : `${head}${REDACTED}`),
  },
  { re: REDIS_PASSWORD, replace: (_m, head) => `${head}${REDACTED}` },
  // Kubernetes env entries whose name says secret: `- name: DB_PASSWORD` then `value: X` on the
  // next line (kubectl -o yaml, kubeconfig exec env), `{name: K, value: X}` and
  // `{"name": "K", "value": "X"}`. Each gap is one greedy run that the next character ends, so a
  // failed attempt gives back its run at most once.
  {
    re: /(?<![A-Za-z0-9_-])(name["']?[ \t]*:[ \t]*["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?[ \t]*(?:,[ \t]*)?(?:\r?\n[ \t]*)?["']?value["']?[ \t]*:[ \t]*["']?)(?!\[REDACTED\])([^\s"',}]+)/g,
    replace: (m, head, name, mid) => (isSecretName(name) ? `${head}${name}${mid}${REDACTED}` : m),
  },
  // .netrc: `machine H login U password P` (or `default login U …`), on one line or several.
  // Every gap is whitespace before a keyword or a word: one way to match each.
  {
    re: /(?<![A-Za-z0-9_-])((?:machine\s+[^\s]+|default)(?:\s+(?:login|account)\s+[^\s]+){0,2}\s+password\s+)(?!\[REDACTED\])[^\s]+/g,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  // SQL: ALTER/CREATE USER|ROLE … PASSWORD '…', MySQL's IDENTIFIED BY '…'.
  {
    re: /(?<![A-Za-z0-9_])(password|identified[ \t]+by)([ \t]+)'(?!\[REDACTED\])[^'\r\n]*'/gi,
    replace: (_m, word, sp) => `${word}${sp}'${REDACTED}'`,
  },
  // Docker config: "auth": "<base64 of user:password>".
  { re: /("auth"[ \t]*:[ \t]*")(?!\[REDACTED\])[A-Za-z0-9+/]{8,}={0,2}"/g, replace: (_m, head) => `${head}${REDACTED}"` },
  // Cookie and Set-Cookie headers (also as a JSON header map entry): the whole value, every cookie.
  {
    re: /(?<![A-Za-z0-9_-])((?:set-)?cookie["']?\s*[:=]\s*["']?)(?!\[REDACTED\])[^\r\n"']+/gi,
    replace: (_m, head) => `${head}${REDACTED}`,
  },
  // key=value and key: value forms (query strings, env dumps, YAML, logs), including JSON "key": "value"
  // and prefixed names (db_password, client-key-data). Matching starts at the secret word itself,
  // where no letter or digit precedes it, and the name's prefix is left as it is: a rule that also
  // matched the prefix scanned every word of a log line from its start (twenty times slower), and
  // without the lookbehind it rescans long runs of word characters (quadratic).
  // URL-encoded forms (`…%26password%3D…` inside a query parameter) count too. A value that is clearly
  // not a secret is left (see notAValue): the JSON schema's `"secret": {…}`, `token: null`.
  {
    re: new RegExp(
      `(?<=^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(${SECRET_KEYS})(["']?\\s*(?:[:=]|%3[DdAa])\\s*["']?)(?!\\[REDACTED\\])([^\\s"'&,;}]+)`,
      'gi',
    ),
    replace: (m, key, sep, value) => (notAValue(sep, value) ? m : `${key}${sep}${REDACTED}`),
  },
  // Environment assignments whose name says secret (DB_PASS=…, export STRIPE_KEY="…"). The name is
  // matched plainly and judged in code: a pattern listing the secret words inside the name would
  // backtrack over long upper-case runs.
  {
    re: /(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]*=)(["']?)(?!\[REDACTED\])([^\s"']+)/g,
    replace: (m, head, q) => (isSecretName(head.slice(0, -1)) ? `${head}${q}${REDACTED}` : m),
  },
  // curl -u user:password, --user, --proxy-user (the user name stays; it starts with a letter, so
  // `date -u +%H:%M` is not taken for one).
  {
    re: /(?<![A-Za-z0-9_-])(-[uU]\s*|--(?:proxy-)?user[\s=]+)(["']?)([A-Za-z_$][^\s:"']*):(?!\[REDACTED\])[^\s"']+/g,
    replace: (_m, flag, q, user) => `${flag}${q}${user}:${REDACTED}`,
  },
  // AWS access key ids.
  { re: /\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b/g, replace: REDACTED },
  // Credentials embedded in URLs: scheme://user:password@host, the user possibly empty
  // (`redis://:pw@host`). The password runs to the LAST `@` before the host part, since a password
  // may hold an `@` (`bud:p@ss@db`): one greedy run up to a `/`, `?`, `#`, quote or space, given
  // back to its last `@`. The scheme starts where a run of scheme characters starts (not at every
  // word boundary inside one, which rescans the run from each: quadratic on a long line of dotted
  // words), and a run can be scanned by one attempt only (the next attempt needs a `/` after it).
  {
    re: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(?!\[REDACTED\]@)[^\s/?#"'<>]*@/gi,
    replace: (_m, head) => `${head}${REDACTED}@`,
  },
  // Slack incoming webhooks (the path is the credential).
  { re: /\b(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, replace: (_m, head) => `${head}${REDACTED}` },
  // Vendor token prefixes: GitHub, Slack, GitLab, Stripe secret/restricted keys, OpenAI and
  // Anthropic keys (legacy OpenAI keys are 48 letters and digits, no dashes: `sk-learn-model-…`
  // pod names stay), npm, Google API keys; Hugging Face, Vault service/batch/recovery tokens,
  // SendGrid keys, Twilio API key SIDs.
  {
    re: /\b(?:hf_[A-Za-z0-9]{34,}|hv[sbr]\.[A-Za-z0-9_-]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}|SK[0-9a-f]{32}\b|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{20,}|sk-(?:proj|svcacct|admin|ant)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{32,}|npm_[A-Za-z0-9]{30,}|AIza[0-9A-Za-z_-]{30,})/g,
    replace: REDACTED,
  },
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
  for (const name of Object.keys(env)) if (isSecretName(name)) names.add(name);
  return [...names];
}

export class Redactor {
  private literals: string[] = [];

  constructor(options: RedactorOptions = {}) {
    const env = options.env ?? {};
    const configured = new Set(options.secretEnv ?? []);
    for (const name of secretEnvNames(env, options.secretEnv)) {
      const value = env[name];
      // A variable the config names is a secret for certain, like a secret input (4 characters,
      // its encodings); one only named like a secret is a guess (6 characters, as it is).
      if (value) this.addLiteral(value, configured.has(name) ? 'input' : 'env');
    }
    for (const value of options.literals ?? []) this.addLiteral(value, 'input');
  }

  /**
   * Registers a value that must never be shown (a secret input's value, a token read at run time).
   * `env` values need 6 characters, declared secret inputs 4 (see MIN_INPUT_LITERAL). A secret
   * input's common encodings count as the value: URL-encoded (curl's errors, `jq @uri`) and upper
   * or lower case.
   */
  addLiteral(value: string, source: 'env' | 'input' = 'input'): void {
    const v = value.trim();
    if (v.length < (source === 'env' ? MIN_ENV_LITERAL : MIN_INPUT_LITERAL)) return;
    const forms = source === 'input' ? [v, encodeURIComponent(v), v.toUpperCase(), v.toLowerCase()] : [v];
    for (const form of forms) if (!this.literals.includes(form)) this.literals.push(form);
    // Longest first, so a secret that contains another is replaced whole.
    this.literals.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const literal of this.literals) {
      if (out.includes(literal)) out = out.split(literal).join(REDACTED);
    }
    for (const rule of RULES) {
      // Two calls: replace() takes a string or a function, not a value that may be either.
      out = typeof rule.replace === 'string' ? out.replace(rule.re, rule.replace) : out.replace(rule.re, rule.replace);
    }
    return redactBase64(out);
  }

  /** Redacts every string inside a JSON-like value (event data), returning a copy. */
  redactValue<T>(value: T): T {
    // redactDeep copies the value's shape and turns strings into strings: it is still a T.
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

/** A line naming an env entry (`- name: DB_PASSWORD`, `"name": "DB_PASSWORD",`) whose value may follow on the next line. */
const ENV_NAME_LINE = /^[ \t]*(?:-[ \t]+)?\{?[ \t]*["']?name["']?[ \t]*:[ \t]*["']?([A-Za-z_][A-Za-z0-9_]*)["']?[ \t]*,?[ \t]*\r?$/;

/** Characters that continue a token cut at a window's end (its rest is dropped with it). */
const TOKEN_REST = /^[^\s"'<>&,;{}()[\]]*/;

/**
 * Redacts a stream of text chunks line by line. Complete lines are redacted and released at once;
 * a partial line is held until its newline arrives, so a token split across two chunks is
 * redacted whole. A line longer than `maxLine` is released in pieces, keeping an overlap of
 * `holdBack` characters so that a secret straddling the cut is still seen whole.
 *
 * Two things span a release: a private key block (many lines: after its BEGIN line, lines are
 * dropped until its END line), and a secret running to the end of a long-line piece (its rest at
 * the start of the next piece is dropped). Every call does work bounded by `maxLine` plus the
 * chunk, so a 10 MB line never blocks the event loop in one call.
 */
export class StreamRedactor {
  private pending = '';
  /** What the next released text continues: a private key's body, or a redacted token's rest. */
  private carry: 'none' | 'pem' | 'token' = 'none';

  constructor(
    private readonly redactor: Redactor,
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: string): string {
    this.pending += chunk;
    const lastNewline = this.pending.lastIndexOf('\n');
    let out = '';
    if (lastNewline >= 0) {
      const cut = this.heldLineStart(lastNewline);
      out = cut > 0 ? this.release(this.pending.slice(0, cut)) : '';
      this.pending = this.pending.slice(cut);
    }
    if (this.pending.length > this.maxLine) out += this.releaseLong();
    return out;
  }

  end(): string {
    const out = this.release(this.pending);
    this.pending = '';
    this.carry = 'none';
    return out;
  }

  /** Drops what continues a secret cut at the previous release. */
  private continued(raw: string): string {
    if (this.carry === 'pem') {
      // Always matches (every part may be empty): the match is the key's continuation.
      const [body = '', end] = PEM_CONTINUATION.exec(raw) ?? [];
      // The key goes on only while the text is all body; an END line or anything else stops it.
      if (end !== undefined || body.length < raw.length) this.carry = 'none';
      return raw.slice(body.length);
    }
    if (this.carry === 'token') {
      const [rest = ''] = TOKEN_REST.exec(raw) ?? []; // always matches (possibly empty)
      if (rest.length < raw.length) this.carry = 'none';
      return raw.slice(rest.length);
    }
    return raw;
  }

  /** Redacts text that ends at a line end (or the stream's end). */
  private release(text: string): string {
    const raw = this.continued(text);
    if (!raw) return '';
    if (this.opensPem(raw)) this.carry = 'pem';
    return this.redactor.redact(raw);
  }

  /** Releases the part of a long partial line that lies safely before its held-back tail. */
  private releaseLong(): string {
    const raw = this.continued(this.pending);
    this.pending = '';
    if (!raw) return '';
    const keep = this.redactor.holdBack;
    const redacted = this.redactor.redact(raw);
    if (this.opensPem(raw)) {
      this.carry = 'pem';
      return redacted;
    }
    if (redacted.endsWith(raw.slice(-keep))) {
      this.pending = raw.slice(-keep);
      return redacted.slice(0, redacted.length - keep);
    }
    // A redaction reaches into the tail. What follows the last redaction is unchanged text: hold it
    // back (it may start a secret). When nothing follows, the secret ran to the cut and may go on:
    // its rest is dropped from the next piece.
    const last = redacted.lastIndexOf(REDACTED);
    const after = last >= 0 ? redacted.slice(last + REDACTED.length) : '';
    if (after && raw.endsWith(after)) {
      this.pending = after;
      return redacted.slice(0, redacted.length - after.length);
    }
    this.carry = 'token';
    return redacted;
  }

  /**
   * Where the released text ends: after the last complete line, unless that line is an env entry's
   * `- name: DB_PASSWORD` whose `value:` comes on the next line; then it is held with the partial
   * line, so the pair is redacted together (the hold is one line, bounded by maxLine).
   */
  private heldLineStart(lastNewline: number): number {
    const start = this.pending.lastIndexOf('\n', lastNewline - 1) + 1;
    if (lastNewline - start > 256) return lastNewline + 1;
    const m = ENV_NAME_LINE.exec(this.pending.slice(start, lastNewline));
    const [, name] = m ?? [];
    return name !== undefined && isSecretName(name) ? start : lastNewline + 1;
  }

  /** Whether the text ends inside a private key's body (BEGIN seen, END still to come). */
  private opensPem(raw: string): boolean {
    const begin = raw.lastIndexOf('-----BEGIN ');
    return begin >= 0 && PEM_OPEN_TAIL.test(raw.slice(begin));
  }
}

/**
 * Redacts a long text (a command's whole captured output, up to megabytes) in slices, yielding to
 * the event loop between them, so that a timeout, a Ctrl-C or another check's output is served
 * within one slice's work (a few milliseconds) instead of after the whole text.
 */
export async function redactYielding(redactor: Redactor, text: string, slice = 64 * 1024): Promise<string> {
  if (text.length <= slice) return redactor.redact(text);
  const stream = new StreamRedactor(redactor, slice);
  let out = '';
  for (let i = 0; i < text.length; i += slice) {
    out += stream.push(text.slice(i, i + slice));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out + stream.end();
}

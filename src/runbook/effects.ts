/**
 * Whether a command can change the system, decided by what it runs, never by a flag the runbook
 * sets. A table of read-only verbs per tool (kubectl get/describe/logs/…, curl GET/HEAD, dapr
 * status, helm list, a few local and in-container inspection programs) says what may run
 * without consent; everything else is a change and needs an explicit human yes wherever it
 * appears, in a check as in a mitigation.
 *
 * A check may run a program the table does not know (`kubectl exec … -- psql -c "select …"`, a
 * site's own probe) only when the runbook declares it read-only with a reason (`readOnly:` on
 * the step). The declaration is shown to the reviewer (`runbooks show`) and at run time, and it
 * cannot cover a command the table knows changes the system (`kubectl delete`, `curl -X POST`,
 * `rm`). A shell (`sh -c`, `bash -c`, also inside a pod) is refused when the runbook is loaded:
 * nobody can review what a shell script will do.
 *
 * Works on argument vectors: at load time with `{{placeholders}}` left in the words (a word that
 * is still a placeholder where a verb belongs is not known to be read-only), at run time with the
 * values filled, which is the verdict that counts.
 *
 * Over 400 lines because it is one table a reviewer reads top to bottom to see what may run
 * without consent (per-tool argument parsers included); a split by tool belongs to the runbook
 * refactor of issue 13, not to this file's cast clean-up.
 */
import { basename } from 'node:path';
import type { ParsedCommand } from './command.js';

export type Effect =
  | { readOnly: true; declared?: string }
  /** `declarable`: a runbook may declare it read-only (an unknown program), unlike a known change. */
  | { readOnly: false; why: string; declarable: boolean };

const READ: Effect = { readOnly: true };
const changes = (why: string): Effect => ({ readOnly: false, why, declarable: false });
const unknown = (why: string): Effect => ({ readOnly: false, why, declarable: true });

/** Programs that run another program given as their arguments: what they run cannot be judged or declared. */
const WRAPPERS = new Set([
  'env',
  'timeout',
  'nohup',
  'nice',
  'ionice',
  'xargs',
  'sudo',
  'doas',
  'su',
  'setsid',
  'stdbuf',
  'watch',
  'chroot',
  'nsenter',
  'unshare',
  'time',
  'command',
  'exec',
  'ssh',
  'docker',
  'podman',
  'crictl',
  'nerdctl',
  'flock',
]);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh', 'busybox', 'pwsh', 'powershell']);
const INTERPRETERS_WITH_CODE = new Set(['python', 'python3', 'perl', 'ruby', 'node', 'php', 'lua']);

/** Programs that only look, wherever they run (locally or inside a pod), whatever their arguments. */
const INSPECT = new Set([
  'echo',
  'printf',
  'sleep',
  'true',
  'false',
  'uname',
  'whoami',
  'id',
  'uptime',
  'nslookup',
  'dig',
  'host',
  'getent',
  'ping',
  'pg_isready',
  'cat',
  'ls',
  'df',
  'free',
  'ps',
  'grep',
  'egrep',
  'head',
  'tail',
  'wc',
  'jq',
  'cut',
  'tr',
  'seq',
]);
/** Later pipeline stages: the built-in filters run in-process; these few run as processes and only transform text. */
const FILTER_STAGES = new Set(['grep', 'egrep', 'head', 'tail', 'wc', 'sort', 'uniq', 'jq', 'cut', 'tr']);
/** Programs that destroy or stop things: no declaration can make them read-only. */
const DESTRUCTIVE = new Set([
  'rm',
  'rmdir',
  'kill',
  'pkill',
  'killall',
  'shutdown',
  'reboot',
  'halt',
  'poweroff',
  'dd',
  'truncate',
  'mv',
  'chmod',
  'chown',
  'pg_ctl',
  'pg_ctlcluster',
  'pg_resetwal',
  'dropdb',
  'systemctl',
  'iptables',
  'mkfs',
  'fdisk',
  'tee',
  'touch',
  'mkdir',
  'cp',
  'ln',
  'install',
  'rsync',
  'scp',
  'wget',
  'shred',
  'unlink',
  'chattr',
  'mount',
  'umount',
  'sysctl',
  'ip',
  'ifconfig',
  'route',
  'redis-cli',
]);

const isPlaceholder = (word: string) => word.includes('{{') || word.startsWith('$');
const programName = (word: string) => basename(word);

/**
 * Why the command is refused outright (a shell anywhere in it: as a program, after a wrapper such
 * as `timeout 5 sh -c`, or inside a pod after `kubectl exec … --`), or undefined.
 */
export function shellRefusal(stages: readonly (readonly string[])[]): string | undefined {
  for (const stage of stages) {
    const first = programName(stage[0] ?? '');
    for (const [i, word] of stage.entries()) {
      const name = programName(word);
      if (!SHELLS.has(name)) continue;
      const next = stage[i + 1];
      // `sh -c`, `bash -lc`, `timeout 5 sh`, `kubectl exec … -- sh`: a shell as the program, after a wrapper, in a pod.
      const wrapped = WRAPPERS.has(first) || SHELLS.has(first);
      if (i === 0 || stage[i - 1] === '--' || wrapped || (next !== undefined && /^-[A-Za-z]*c[A-Za-z]*$/.test(next)))
        return `runs a shell (${[word, next].filter(Boolean).join(' ')}): a shell can do anything and nobody can review what it will do; write each command as its own step (pipelines to grep/head/tail/wc/sort/uniq/jq work without a shell)`;
    }
  }
  return undefined;
}

/** The effect of a whole command (every pipeline stage); `declared` is the runbook's readOnly reason, if any. */
export function effectOf(stages: readonly (readonly string[])[], declared?: string): Effect {
  const refused = shellRefusal(stages);
  if (refused) return changes(refused);
  const [first, ...rest] = stages;
  if (!first || first.length === 0) return changes('an empty command');
  let effect = programEffect(first, 'here');
  if (effect.readOnly) {
    for (const stage of rest) {
      const name = stage[0] === undefined ? '' : programName(stage[0]);
      if (!FILTER_STAGES.has(name)) {
        effect = unknown(`the pipeline stage "${name}" is not a known text filter`);
        break;
      }
      if (name === 'sort' && stage.some((w) => w === '-o' || w.startsWith('-o') || w.startsWith('--output'))) {
        effect = changes('"sort -o" writes a file');
        break;
      }
    }
  }
  if (effect.readOnly) return effect;
  if (declared !== undefined && effect.declarable) return { readOnly: true, declared };
  return effect;
}

/** One program with its arguments, run on this machine ('here') or inside a container ('pod'). */
function programEffect(argv: readonly string[], where: 'here' | 'pod'): Effect {
  const [word, ...args] = argv;
  if (word === undefined) return changes('an empty command');
  if (isPlaceholder(word)) return changes(`the program comes from a value (${word}); it cannot be known to be read-only`);
  const name = programName(word);
  if (DESTRUCTIVE.has(name) || name.startsWith('mkfs')) return changes(`${name} changes or stops things`);
  if (WRAPPERS.has(name))
    return changes(
      `${name} runs another program that cannot be judged from here; write the program itself (a step's timeout is set with timeout:)`,
    );
  switch (name) {
    case 'kubectl':
      return where === 'here' ? kubectlEffect(args) : changes('kubectl inside a pod acts with the pod’s credentials');
    case 'curl':
      return curlEffect(args);
    case 'dapr':
      return subcommandEffect('dapr', args, ['status', 'list', 'components', 'configurations', 'version']);
    case 'helm':
      return subcommandEffect('helm', args, ['list', 'ls', 'status', 'history', 'get', 'show', 'version', 'env', 'search']);
    case 'nvidia-smi':
      return nvidiaSmiEffect(args);
    case 'psql':
      return psqlEffect(args);
    case 'date':
      // `date +FORMAT` shows the time; `date -s …` or `date MMDDhhmm` sets it.
      return args.every((a) => a.startsWith('+') || (a.startsWith('-') && !/^(-s|--set)/.test(a) && !/^-[A-Za-z]*s/.test(a)))
        ? READ
        : changes(`date ${args.join(' ')} sets the clock (only "date" and "date +FORMAT" read it)`);
    case 'hostname':
      // `hostname`, `hostname -f/-i/-s` show it; `hostname NAME`, `-F FILE`, `-b` set it.
      return args.every((a) => a.startsWith('-') && !/^(-F|--file|-b|--boot)/.test(a))
        ? READ
        : changes(`hostname ${args.join(' ')} sets the host name`);
    case 'find':
      return args.some((a) => /^-(delete|exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls)$/.test(a))
        ? changes('find with -delete, -exec or -fprint changes files or runs programs')
        : READ;
    case 'sed':
    case 'awk':
    case 'gawk':
    case 'mawk':
      // sed writes files (-i, w) and runs commands (e); awk runs programs (system(), |) and writes files (>).
      return changes(`${name} can write files and run programs; filter with grep, jq, cut or tr instead`);
    default:
      if (INSPECT.has(name)) return READ;
      if (INTERPRETERS_WITH_CODE.has(name))
        return unknown(`${name} runs code; declare it read-only (readOnly: why) if the code only reads`);
      return unknown(`"${name}" is not a program known to be read-only; declare it (readOnly: why) if it only looks`);
  }
}

/** The first words that are not flags, skipping the values of the flags listed as taking one. */
function positionals(args: readonly string[], flagsWithValue: ReadonlySet<string>): { words: string[]; at: number[] } {
  const words: string[] = [];
  const at: number[] = [];
  const rest = args.entries();
  for (const [i, a] of rest) {
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (!a.includes('=') && flagsWithValue.has(a)) rest.next(); // the flag's value
      continue;
    }
    words.push(a);
    at.push(i);
  }
  return { words, at };
}

const KUBECTL_VALUE_FLAGS = new Set([
  '-n',
  '--namespace',
  '--context',
  '--cluster',
  '--user',
  '--kubeconfig',
  '-s',
  '--server',
  '--token',
  '--as',
  '--as-group',
  '--as-uid',
  '--request-timeout',
  '--certificate-authority',
  '--client-certificate',
  '--client-key',
  '--tls-server-name',
  '--cache-dir',
  '-v',
  '--v',
  '-l',
  '--selector',
  '-o',
  '--output',
]);
const KUBECTL_READ = new Set(['get', 'describe', 'logs', 'top', 'events', 'explain', 'api-resources', 'api-versions', 'version', 'wait']);
const KUBECTL_READ_SUB: Record<string, readonly string[]> = {
  rollout: ['history', 'status'],
  auth: ['can-i', 'whoami'],
  config: ['view', 'get-contexts', 'current-context', 'get-clusters', 'get-users'],
};

function kubectlEffect(args: readonly string[]): Effect {
  const { words } = positionals(args, KUBECTL_VALUE_FLAGS);
  const verb = words[0];
  if (verb === undefined) return READ; // `kubectl` alone, `kubectl --help`
  if (isPlaceholder(verb)) return changes(`the kubectl verb comes from a value (${verb})`);
  const writes = args.find(
    (a) => /^--(profile-output|log-file|log-dir|cache-dir|output-directory)(=|$)/.test(a) || /^--profile(=(?!none$)|$)/.test(a),
  );
  if (writes) return changes(`kubectl ${writes.split('=')[0]} writes files`);
  if (KUBECTL_READ.has(verb)) return READ;
  if (verb === 'cluster-info') {
    const writesFiles = args.some((a) => a === '--output-directory' || a.startsWith('--output-directory='));
    return writesFiles ? changes('kubectl cluster-info dump --output-directory writes files') : READ;
  }
  const subs = KUBECTL_READ_SUB[verb];
  if (subs) {
    const sub = words[1];
    if (sub !== undefined && subs.includes(sub)) return READ;
    return changes(
      `kubectl ${verb}${sub ? ` ${sub}` : ''} changes the system (read-only forms: ${subs.map((s) => `${verb} ${s}`).join(', ')})`,
    );
  }
  if (verb === 'exec') {
    const dash = args.indexOf('--');
    const inner = dash >= 0 ? args.slice(dash + 1) : [];
    const program = inner[0];
    if (program === undefined) return changes('kubectl exec without "-- program" runs a command that cannot be judged');
    const effect = programEffect(inner, 'pod');
    if (effect.readOnly) return effect;
    return { ...effect, why: `kubectl exec runs ${programName(program)} inside the pod: ${effect.why}` };
  }
  return changes(`kubectl ${verb} changes the system`);
}

/** curl options that send a body, change the method or write files; and the short options that take a value. */
const CURL_CHANGING = new Map<string, string>([
  ['--data', 'sends data (POST)'],
  ['--data-ascii', 'sends data (POST)'],
  ['--data-binary', 'sends data (POST)'],
  ['--data-raw', 'sends data (POST)'],
  ['--data-urlencode', 'sends data (POST)'],
  ['--json', 'sends JSON (POST)'],
  ['--form', 'sends a form (POST)'],
  ['--form-string', 'sends a form (POST)'],
  ['--upload-file', 'uploads a file (PUT)'],
  ['--output', 'writes a file'],
  ['--remote-name', 'writes a file'],
  ['--remote-name-all', 'writes files'],
  ['--output-dir', 'writes files'],
  ['--create-dirs', 'creates directories'],
  ['--dump-header', 'writes a file'],
  ['--cookie-jar', 'writes a file'],
  ['--config', 'reads its options from a file'],
  ['--quote', 'sends server commands'],
  ['--trace', 'writes a file'],
  ['--trace-ascii', 'writes a file'],
  ['--stderr', 'writes a file'],
  ['--etag-save', 'writes a file'],
  ['--hsts', 'writes a file'],
  ['--alt-svc', 'writes a file'],
  ['--libcurl', 'writes a file'],
  ['--next', 'starts a second request'],
  ['--mail-from', 'sends mail'],
  ['--mail-rcpt', 'sends mail'],
]);
const CURL_SHORT_LONG: Record<string, string> = {
  d: '--data',
  F: '--form',
  T: '--upload-file',
  o: '--output',
  O: '--remote-name',
  D: '--dump-header',
  c: '--cookie-jar',
  K: '--config',
  Q: '--quote',
  X: '--request',
  G: '--get',
  g: '--globoff',
  I: '--head',
  ':': '--next',
};
const CURL_SHORT_WITH_VALUE = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz'.split(''));
const CURL_LONG_WITH_VALUE = new Set([
  '--request',
  '--header',
  '--user',
  '--user-agent',
  '--referer',
  '--cookie',
  '--max-time',
  '--connect-timeout',
  '--write-out',
  '--cacert',
  '--capath',
  '--cert',
  '--key',
  '--resolve',
  '--connect-to',
  '--retry',
  '--retry-delay',
  '--retry-max-time',
  '--proxy',
  '--noproxy',
  '--url',
  '--oauth2-bearer',
  '--max-filesize',
  '--limit-rate',
  '--unix-socket',
  '--interface',
  '--range',
  '--proto-default',
  ...CURL_CHANGING.keys(),
]);

function curlEffect(args: readonly string[]): Effect {
  let method: string | undefined;
  // Set by option() below: flags in an object, as the compiler does not see a closure change a local.
  const seen = { get: false, globOff: false };
  let body: string | undefined;
  const urls: string[] = [];
  const option = (long: string, value: string | undefined): Effect | undefined => {
    if (long === '--request') method = value;
    else if (long === '--get') seen.get = true;
    else if (long === '--globoff') seen.globOff = true;
    else if (long === '--proto-default' && value !== undefined && !/^https?$/i.test(value))
      return changes(`curl --proto-default ${value} is not an HTTP read`);
    else if (long === '--url' && value !== undefined) urls.push(value);
    else if (long.startsWith('--data') || long === '--json' || long === '--form' || long === '--form-string')
      body = CURL_CHANGING.get(long);
    else if ((long === '--output' || long === '--dump-header' || long === '--stderr') && (value === '/dev/null' || value === '-'))
      return undefined;
    else {
      const changing = CURL_CHANGING.get(long);
      if (changing !== undefined) return changes(`curl ${long} ${changing}`);
    }
    return undefined;
  };
  const rest = args.values();
  for (const a of rest) {
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const long = eq > 0 ? a.slice(0, eq) : a;
      const value = eq > 0 ? a.slice(eq + 1) : CURL_LONG_WITH_VALUE.has(long) ? rest.next().value : undefined;
      const verdict = option(long, value);
      if (verdict) return verdict;
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a.charAt(j);
        const long = CURL_SHORT_LONG[ch];
        if (CURL_SHORT_WITH_VALUE.has(ch)) {
          const value = j + 1 < a.length ? a.slice(j + 1) : rest.next().value;
          const verdict = long ? option(long, value) : undefined;
          if (verdict) return verdict;
          break;
        }
        if (long) {
          const verdict = option(long, undefined);
          if (verdict) return verdict;
        }
      }
    } else urls.push(a);
  }
  const m = method?.toUpperCase();
  if (m !== undefined && m !== 'GET' && m !== 'HEAD') return changes(`curl -X ${method} is not a read (only GET and HEAD are)`);
  if (body && !seen.get) return changes(`curl ${body}`);
  for (const url of urls) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
    if (scheme && scheme !== 'http' && scheme !== 'https') return changes(`curl to a ${scheme}:// URL is not an HTTP read`);
    // curl expands {a,b} and [1-9] in a URL into several, of any scheme, unless told -g.
    if (!seen.globOff && /[{}[\]]/.test(url.replace(/\{\{[^{}]*\}\}/g, '')))
      return changes('curl expands {…} and […] in a URL into several requests of any protocol; write one URL (or add -g)');
    // Without a scheme curl guesses the protocol from the host name (ftp.…, dict.…).
    if (!scheme && !isPlaceholder(url) && /^(ftp|dict|ldap|ldaps|imap|pop3|smtp|gopher|telnet|tftp|mqtt|rtsp|smb)\./i.test(url))
      return changes(`curl would guess a non-HTTP protocol from the host name in ${url}; write https://`);
  }
  return READ;
}

function subcommandEffect(tool: string, args: readonly string[], read: readonly string[]): Effect {
  const { words } = positionals(args, new Set(['-n', '--namespace', '--kube-context', '--kubeconfig', '-o', '--output', '-a', '--app-id']));
  const sub = words[0];
  if (sub === undefined || read.includes(sub) || args.includes('--help') || args.includes('--version')) return READ;
  return changes(`${tool} ${sub} changes the system (read-only: ${read.join(', ')})`);
}

const NVIDIA_QUERY =
  /^(--query(-[a-z-]+)?(=.*)?|--format=.*|-q|-L|--list-gpus|-x|--xml-format|--id=.*|--display=.*|-lms?|--loop(-ms)?=.*)$/;
function nvidiaSmiEffect(args: readonly string[]): Effect {
  const rest = args.values();
  for (const a of rest) {
    if (a === '-i' || a === '--id' || a === '-d' || a === '--display' || a === '-l' || a === '--loop') {
      rest.next(); // the flag's value
      continue;
    }
    if (!NVIDIA_QUERY.test(a))
      return changes(`nvidia-smi ${a} is not one of its query forms (--query-gpu, -q, -L): it may change GPU settings`);
  }
  return READ;
}

/** SQL that changes data, schema, roles or the server, or calls a function that does: no declaration covers it. */
const SQL_CHANGES =
  /\b(insert|update|delete|merge|drop|create|alter|truncate|grant|revoke|copy|vacuum|analyze|reindex|cluster|refresh|comment|lock|call|do|set|reset|checkpoint|load|import|security|reassign|listen|notify|prepare|execute|discard|begin|commit|rollback|savepoint|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|set_config|pg_promote|pg_switch_wal|pg_create_[a-z_]+|pg_drop_[a-z_]+|pg_advisory_[a-z_]+|lo_[a-z_]+|dblink[a-z_]*|nextval|setval|pg_read_file|pg_write_[a-z_]+|into)\b/i;

/** psql: one SELECT/SHOW/EXPLAIN/WITH/TABLE/VALUES query (-c) that names nothing that changes anything may be declared read-only. */
function psqlEffect(args: readonly string[]): Effect {
  const queries: string[] = [];
  const rest = args.values();
  for (const a of rest) {
    if (a === '-c' || a === '--command') queries.push(rest.next().value ?? '');
    else if (a.startsWith('--command=')) queries.push(a.slice('--command='.length));
    else if (/^-[A-Za-z]*c$/.test(a)) queries.push(rest.next().value ?? '');
    else if (/^-[A-Za-z]*c./.test(a)) queries.push(a.slice(a.indexOf('c') + 1));
    else if (a === '-f' || a === '--file' || a.startsWith('--file=') || /^-[A-Za-z]*f/.test(a))
      return changes('psql -f runs a script nobody can see from here');
  }
  if (queries.length === 0) return changes('psql without -c reads its SQL from elsewhere (stdin, a file)');
  for (const q of queries) {
    const sql = q.replace(/'(?:[^']|'')*'/g, "''").trim();
    if (
      !/^(select|show|explain|with|table|values)\b/i.test(sql) ||
      /;\s*\S/.test(sql) ||
      /\bexplain\s+(\([^)]*\banalyze|analyze)/i.test(sql)
    )
      return changes(`psql -c "${q.slice(0, 60)}" is not a single query that only reads`);
    const bad = SQL_CHANGES.exec(sql);
    if (bad) return changes(`psql -c "${q.slice(0, 60)}" uses ${bad[1]}, which changes the database`);
  }
  return unknown('psql runs whatever SQL it is given; declare the query read-only (readOnly: why) if it only reads');
}

const KUBECTL_IDENTITY =
  /^(--server|-s|--token|--kubeconfig|--context|--cluster|--user|--as|--as-group|--as-uid|--username|--password|--insecure-skip-tls-verify|--certificate-authority|--client-key|--client-certificate|--tls-server-name)(=|$)/;

/**
 * Why a runbook's kubectl command is refused for choosing its own server or credentials (which
 * would send the responder's token wherever the runbook says), or undefined. The cluster comes from
 * the step's `cluster:` and the user's config; the engine adds --context/--kubeconfig itself.
 */
export function identityRefusal(stages: readonly (readonly string[])[]): string | undefined {
  for (const stage of stages) {
    for (const [at, word] of stage.entries()) {
      const program = programName(word);
      if (program !== 'kubectl' && program !== 'helm' && program !== 'dapr') continue;
      const end = stage.indexOf('--', at);
      for (const w of stage.slice(at + 1, end < 0 ? undefined : end)) {
        const flag = identityFlag(program, w);
        if (flag)
          return `${program} ${flag} chooses the server or the credentials; a runbook may not (they would go wherever it says): name the cluster with cluster: and let the config say how to reach it`;
      }
    }
  }
  return undefined;
}

/** The flag of `word` that picks the API server or credentials for kubectl/helm/dapr, if any. */
function identityFlag(program: string, word: string): string | undefined {
  if (KUBECTL_IDENTITY.test(word)) return word.split('=')[0];
  if (program !== 'kubectl' && /^--(kube-[a-z-]+|kubeconfig)(=|$)/.test(word)) return word.split('=')[0];
  // A short-flag group: `-s` anywhere before a flag that takes the rest as its value (`-Ashttps://…`, `-shttps://…`).
  if (program === 'kubectl' && /^-[A-Za-z]/.test(word)) {
    for (const ch of word.slice(1)) {
      if (ch === 's') return '-s';
      if ('nolcfpi'.includes(ch)) break;
    }
  }
  return undefined;
}

/** The words of a parsed command at load time: placeholders stay as `{{name}}`, environment references as `$NAME`. */
export function wordsOf(command: ParsedCommand): string[][] {
  return command.stages.map((stage) =>
    stage.map((word) => word.map((p) => (p.kind === 'text' ? p.text : p.kind === 'var' ? `{{${p.name}}}` : `$${p.name}`)).join('')),
  );
}

/** The effect of a parsed command at load time: placeholders stay in the words as `{{name}}`. */
export function effectOfParsed(command: ParsedCommand, declared?: string): Effect {
  return effectOf(wordsOf(command), declared);
}

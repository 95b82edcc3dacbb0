/**
 * What a pod's log says, as signals with the lines that show them. Signatures of specific failures
 * come first (a full disk, a corrupt WAL, a rejected password, a DNS failure, a bad config file,
 * GPU memory); severity words (PANIC, FATAL, ERROR, Exception, Traceback...) are the fallback that
 * keeps an unknown crash from looking clean. Pure.
 */

export type LogSignal =
  | 'disk-full'
  | 'wal-corruption'
  | 'replication'
  | 'db-auth-failed'
  | 'db-unreachable'
  | 'dns'
  | 'config-error'
  | 'gpu-oom'
  | 'engine-dead'
  | 'oom'
  | 'resource-exhaustion'
  | 'severe';

/** Specific signatures, most specific first: a line is counted once, under the first that matches. */
const SIGNATURES: ReadonlyArray<[LogSignal, RegExp]> = [
  ['disk-full', /No space left on device|could not extend file .*: wrote only|disk (quota exceeded|is full)/i],
  [
    'wal-corruption',
    /could not locate a valid checkpoint record|invalid (primary |secondary )?checkpoint record|invalid resource manager ID|incorrect resource manager data checksum|invalid page in block|invalid magic number .* in log segment|could not read block \d+ in file|WAL .* (is )?corrupt/i,
  ],
  [
    'replication',
    /could not receive data from WAL stream|requested WAL segment .* has already been removed|replication slot .* does not exist|could not connect to the primary server|highest timeline .* of the primary is behind|timeline .* (of the primary )?does not match/i,
  ],
  ['db-auth-failed', /password authentication failed for user|authentication failed for user|no pg_hba\.conf entry for/i],
  ['gpu-oom', /CUDA out of memory|torch\.(cuda\.)?OutOfMemoryError|CUDA error: out of memory|HIP out of memory/i],
  ['engine-dead', /Engine loop has died|AsyncEngineDeadError|EngineDeadError|NCCL error|CUDA error: (?!out of memory)/i],
  [
    'dns',
    /Temporary failure in name resolution|could not translate host name|Name or service not known|no such host|getaddrinfo (ENOTFOUND|EAI_AGAIN)|server misbehaving|NXDOMAIN|i\/o timeout.*:53\b/i,
  ],
  [
    'db-unreachable',
    /could not connect to server|connection to server (at|on) .* failed|Connection refused|ECONNREFUSED|the database system is (starting up|shutting down|in recovery mode)|too many (clients|connections)|server closed the connection unexpectedly/i,
  ],
  [
    'config-error',
    /\bFATAL config\b|config(uration)?( file)?[^\n]{0,80}(yaml|json|toml): line \d+|yaml: line \d+:|invalid configuration|configuration (error|is invalid)|missing required (config|setting|option|field|environment)|environment variable \S+ (is )?(not set|required|missing)|KeyError: '|pydantic[^\n]*ValidationError|validation error(s)? for Settings/i,
  ],
  [
    'resource-exhaustion',
    /can't start new thread|pthread_create failed|fork: retry|Resource temporarily unavailable|Too many open files|cannot allocate memory/i,
  ],
  ['oom', /Out of memory: Killed process|java\.lang\.OutOfMemoryError|MemoryError\b|fatal error: runtime: out of memory/i],
];

/** Severity words, case-sensitive as loggers write them (so "error handling improved" is not one). */
const SEVERE =
  /\b(PANIC|FATAL|CRITICAL|ERROR)\b|\bE\d{4} \d|Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(Error|Exception)\b:|Segmentation fault|\bpanic: |core dumped|level=(error|fatal|panic)|"level":\s*"(error|fatal|panic|critical)"/;

export interface LogHit {
  signal: LogSignal;
  /** Where it was read: ns/pod/container, " (previous)" for the last terminated instance. */
  source: string;
  line: string;
}

const MAX_LINE = 300;
const MAX_HITS_PER_SIGNAL = 5;

/** Scans one log. Every matching line counts once, under its most specific signal; at most a few lines per signal are kept. */
export function scanLog(text: string, source: string): LogHit[] {
  const hits: LogHit[] = [];
  const perSignal = new Map<LogSignal, number>();
  // Scan the end of long logs: the last lines before a crash say why. A long single line is cut
  // before matching so a megabyte of JSON cannot stall the scan.
  const lines = text.length > 2_000_000 ? text.slice(-2_000_000).split('\n') : text.split('\n');
  for (const raw of lines) {
    if (!raw.trim()) continue;
    const line = raw.length > 4096 ? raw.slice(0, 4096) : raw;
    let signal: LogSignal | undefined;
    for (const [s, re] of SIGNATURES) {
      if (re.test(line)) {
        signal = s;
        break;
      }
    }
    if (!signal && SEVERE.test(line)) signal = 'severe';
    if (!signal) continue;
    const n = perSignal.get(signal) ?? 0;
    if (n >= MAX_HITS_PER_SIGNAL) continue;
    perSignal.set(signal, n + 1);
    const trimmed = line.trim();
    hits.push({ signal, source, line: trimmed.length > MAX_LINE ? trimmed.slice(0, MAX_LINE) + '…' : trimmed });
  }
  return hits;
}

/** The hits of one signal, as evidence lines. */
export function evidenceOf(hits: readonly LogHit[], signal: LogSignal, max = 3): string[] {
  return hits
    .filter((h) => h.signal === signal)
    .slice(0, max)
    .map((h) => `log ${h.source}: ${h.line}`);
}

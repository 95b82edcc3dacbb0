/**
 * Judging a check's result against its expectations: pure functions from (expectation, result)
 * to pass or a finding with its evidence.
 */
import type { ExpectationDef, FindingDef } from '../runbook/schema.js';
import { causesAmong, parseReport } from '../diagnosis/report.js';
import { field } from '../guards.js';

export interface CheckOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExpectationFailure {
  finding: FindingDef;
  /** Output lines (or values) that show the problem. */
  lines: string[];
  /** The offending values for JSON expectations. */
  values: string[];
  /** A short statement of what was expected and what was found. */
  detail: string;
  /** How many lines (or values) showed it, before `lines` was cut to the first few ({{count}}). */
  count?: number;
}

const MAX_EVIDENCE_LINES = 20;

function outputOf(e: ExpectationDef, out: CheckOutput): string {
  const stream = e.stream ?? 'stdout';
  return stream === 'stdout'
    ? out.stdout
    : stream === 'stderr'
      ? out.stderr
      : `${out.stdout}${out.stdout && !out.stdout.endsWith('\n') ? '\n' : ''}${out.stderr}`;
}

export function outputLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Parses output as one JSON document, or as a stream of documents (jq prints one per line or pretty-printed). */
export function parseJsonStream(text: string): unknown[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const doc: unknown = JSON.parse(trimmed);
    return [doc];
  } catch {
    // fall through to a stream of values
  }
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed.charAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (depth === 0 && start < 0) start = i;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        try {
          const value: unknown = JSON.parse(trimmed.slice(start, i + 1));
          values.push(value);
        } catch {
          return undefined;
        }
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(c)) {
      // A bare scalar at top level: read to the next whitespace.
      let j = i;
      while (j < trimmed.length && !/\s/.test(trimmed.charAt(j))) j++;
      try {
        const value: unknown = JSON.parse(trimmed.slice(i, j));
        values.push(value);
      } catch {
        return undefined;
      }
      i = j - 1;
    }
  }
  return depth === 0 ? values : undefined;
}

/** Values at a dotted path; a `[]` segment (or an array met on the way) fans out over its items. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  const segments = path.split('.').filter(Boolean);
  let current: unknown[] = [doc];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (seg === '[]') {
        const items: unknown[] = Array.isArray(value) ? value : [];
        next.push(...items);
        continue;
      }
      if (Array.isArray(value)) {
        if (/^\d+$/.test(seg)) {
          if (Number(seg) < value.length) next.push(value[Number(seg)]);
        } else for (const item of value) if (item && typeof item === 'object' && seg in item) next.push(field(item, seg));
      } else if (value && typeof value === 'object' && seg in value) next.push(field(value, seg));
    }
    current = next;
  }
  return current;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Returns undefined when the expectation holds, or what failed. */
export function evaluateExpectation(e: ExpectationDef, out: CheckOutput): ExpectationFailure | undefined {
  const fail = (detail: string, lines: string[] = [], values: string[] = []): ExpectationFailure => ({
    finding: e.finding,
    lines: lines.slice(0, MAX_EVIDENCE_LINES),
    values: values.slice(0, MAX_EVIDENCE_LINES),
    detail,
    count: Math.max(lines.length, values.length),
  });
  if (e.exitCode !== undefined) {
    return out.exitCode === e.exitCode
      ? undefined
      : fail(`expected exit code ${e.exitCode}, got ${out.exitCode}`, outputLines(out.stderr || out.stdout).slice(-5));
  }
  if (e.cause !== undefined) {
    // A diagnosis names its causes; the finding carries the cause's own title and evidence.
    const hits = causesAmong(parseReport(out.stdout), e.cause, e.explained);
    if (hits.length === 0) return undefined;
    return fail(
      hits.map((c) => c.title).join('; '),
      hits.flatMap((c) => [`${c.id} ${c.subject}: ${c.title}`, ...c.evidence.slice(0, 6)]),
      hits.map((c) => c.subject),
    );
  }
  const text = outputOf(e, out);
  const flags = e.ignoreCase ? 'i' : '';
  if (e.matches !== undefined) {
    const re = new RegExp(e.matches, flags);
    return outputLines(text).some((l) => re.test(l))
      ? undefined
      : fail(`expected a line matching /${e.matches}/, found none`, outputLines(text).slice(0, 5));
  }
  if (e.notMatches !== undefined) {
    const re = new RegExp(e.notMatches, flags);
    const bad = outputLines(text).filter((l) => re.test(l));
    return bad.length === 0 ? undefined : fail(`${bad.length} line(s) match /${e.notMatches}/`, bad);
  }
  if (e.maxLines !== undefined) {
    const ls = outputLines(text);
    return ls.length <= e.maxLines ? undefined : fail(`expected at most ${e.maxLines} line(s), found ${ls.length}`, ls);
  }
  if (e.number !== undefined) {
    const re = new RegExp(e.number.match, flags);
    const { above, below } = e.number;
    const bad: string[] = [];
    const values: string[] = [];
    for (const line of outputLines(text)) {
      const m = re.exec(line);
      if (!m) continue;
      const value = parseFloat(m[1] ?? m[0]);
      if (Number.isNaN(value)) continue;
      if ((above !== undefined && value > above) || (below !== undefined && value < below)) {
        bad.push(line);
        values.push(String(value));
      }
    }
    const bounds = [above !== undefined ? `at most ${above}` : '', below !== undefined ? `at least ${below}` : '']
      .filter(Boolean)
      .join(' and ');
    return bad.length ? fail(`expected ${bounds}; ${bad.length} value(s) out of bounds: ${values.join(', ')}`, bad, values) : undefined;
  }
  if (e.json !== undefined) {
    const docs = parseJsonStream(text);
    if (docs === undefined) return fail('expected JSON output, could not parse it', outputLines(text).slice(0, 5));
    const j = e.json;
    // Evidence is the whole document (an endpoint object), not just the value, so the finding names what is wrong.
    const pairs = docs.flatMap((doc) => {
      const vals = valuesAt(doc, j.path);
      return vals.length ? vals.map((v) => ({ doc, v })) : [{ doc, v: undefined }];
    });
    const present = pairs.filter((p) => p.v !== undefined);
    if (j.exists !== undefined) {
      const ok = j.exists ? present.length > 0 && present.length === pairs.length : present.length === 0;
      return ok
        ? undefined
        : fail(
            j.exists ? `expected "${j.path}" to be present` : `expected no "${j.path}"`,
            pairs.map((p) => show(p.doc)),
          );
    }
    if (docs.length === 0) return undefined; // nothing to judge: an empty list has no bad items
    const { oneOf } = j;
    let bad: typeof pairs = [];
    if (j.equals !== undefined) bad = pairs.filter((p) => p.v !== j.equals);
    else if (j.notEquals !== undefined) bad = pairs.filter((p) => p.v === j.notEquals);
    // `===` is `includes` here: neither JSON nor the runbook's schema gives a NaN
    else if (oneOf !== undefined) bad = pairs.filter((p) => !oneOf.some((o) => o === p.v));
    if (bad.length === 0) return undefined;
    const want =
      j.equals !== undefined ? `= ${show(j.equals)}` : j.notEquals !== undefined ? `!= ${show(j.notEquals)}` : `one of ${show(j.oneOf)}`;
    return fail(
      `expected ${j.path} ${want}; ${bad.length} value(s) differ`,
      bad.map((p) => show(p.doc)),
      bad.map((p) => show(p.v)),
    );
  }
  return undefined;
}

/**
 * A human reading of why a command failed, from its stderr. Distinguishes an unreachable or
 * misconfigured cluster from a judgement about the cluster's health.
 */
export function explainFailure(program: string, exitCode: number, stderr: string): string {
  // Native checks already word their failures for a responder.
  if (program === 'kubernetes-api')
    return (
      stderr
        .split('\n')
        .map((l) => l.trim())
        .find(Boolean) ?? 'the Kubernetes API call failed'
    );
  const s = stderr.toLowerCase();
  if (program === 'kubectl' || program.startsWith('kubectl')) {
    if (/unable to connect to the server|connection refused|was refused|no such host|i\/o timeout|dial tcp/.test(s))
      return 'the Kubernetes API server cannot be reached';
    if (/context .* (does not exist|not found)|no context exists with the name/.test(s))
      return 'the kube context does not exist in the kubeconfig';
    if (/unauthorized|must be logged in|401/.test(s))
      return 'the Kubernetes API rejected the credentials (401 Unauthorized: expired or invalid token)';
    if (/forbidden|403/.test(s)) return 'the Kubernetes API refused access (403 Forbidden: RBAC does not allow it)';
    if (/notfound|not found/.test(s)) return 'the object was not found';
  }
  if (program === 'curl') {
    const codes: Record<number, string> = {
      6: 'could not resolve the host',
      7: 'could not connect to the server',
      28: 'the request timed out',
      35: 'the TLS handshake failed',
      60: 'the server certificate could not be verified (expired or untrusted)',
      22: 'the server answered with an HTTP error (4xx/5xx)',
    };
    if (codes[exitCode]) return codes[exitCode];
  }
  const first = stderr
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return first ? `exited with code ${exitCode}: ${first.slice(0, 300)}` : `exited with code ${exitCode}`;
}

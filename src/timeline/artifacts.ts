/**
 * Artifact files: the full (redacted) output of each command, next to the timeline, referenced
 * from its events by relative path, size and SHA-256. Written as the output streams in, so memory
 * does not grow with output size; capped on disk, with the cap recorded. `checkArtifacts`
 * re-hashes every artifact the timeline references (for `timeline verify`).
 *
 * A step that declares its output evidence (`evidence: true`) gets its stdout kept byte for byte
 * instead: not redacted, not capped, under `evidence/<run>/` (0700) in a 0600 file, hashed as it
 * streams in; `timeline verify` re-hashes it like any artifact.
 */
import { chmodSync, closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, normalize } from 'node:path';
import type { TimelineEvent } from './event.js';
import { errorCode } from '../errors.js';
import { isRecord } from '../guards.js';
import type { ArtifactSink, ArtifactWriter } from '../engine/run.js';
import type { ArtifactRef } from '../engine/events.js';
import { StreamRedactor, type Redactor } from '../secrets/redact.js';
import { TimelineWriteError } from './store.js';
import { OUTPUT_CAP } from '../limits.js';
import { encodeOutput } from '../adapters/output-text.js';

/** The same cap as for what is printed and shown (limits.ts). */
export const DEFAULT_ARTIFACT_CAP = OUTPUT_CAP;

export class FileArtifactSink implements ArtifactSink {
  constructor(
    private readonly incidentDir: string,
    private readonly redactor: Redactor,
    private readonly capBytes = DEFAULT_ARTIFACT_CAP,
  ) {}

  open(runId: string, stepId: string, stream: 'stdout' | 'stderr', attempt: number, opts?: { evidence?: boolean }): ArtifactWriter {
    const evidence = opts?.evidence === true;
    const name = `${stepId}${attempt > 1 ? `.${attempt}` : ''}.${stream}`;
    const dir = join(evidence ? 'evidence' : 'artifacts', runId);
    let rel = join(dir, evidence ? name : `${name}.txt`);
    let abs = join(this.incidentDir, rel);
    // Evidence is the command's bytes as served: session ids and tokens are what it proves.
    const redacting = evidence ? { push: (chunk: string) => chunk, end: () => '' } : new StreamRedactor(this.redactor);
    const capBytes = evidence ? Infinity : this.capBytes;
    let fd: number | undefined;
    const hash = createHash('sha256');
    let bytes = 0;
    let truncated = false;
    // A write error (disk full) inside a stream's data handler must not crash the process: keep
    // it, stop writing, and raise it when the step closes its artifacts, in the run's own flow.
    let failure: unknown;
    const put = (text: string) => {
      if (!text) return;
      if (fd === undefined) {
        try {
          mkdirSync(join(this.incidentDir, dir), { recursive: true, mode: 0o700 });
          if (evidence) {
            // Only the user may read it, whatever the umask or an earlier directory said.
            chmodSync(join(this.incidentDir, 'evidence'), 0o700);
            chmodSync(join(this.incidentDir, dir), 0o700);
          }
          if (evidence) {
            // Never over earlier evidence (a resumed run counts attempts from 1 again): the next free name.
            for (let n = 2; ; n++) {
              try {
                fd = openSync(abs, 'wx', 0o600);
                break;
              } catch (error) {
                if (errorCode(error) !== 'EEXIST') throw error;
                rel = join(dir, `${name}.${n}`);
                abs = join(this.incidentDir, rel);
              }
            }
            fchmodSync(fd, 0o600);
          } else fd = openSync(abs, 'w', 0o600);
        } catch (error) {
          throw new TimelineWriteError(abs, error);
        }
      }
      // The command's own bytes, even those that are not UTF-8 (output-text.ts).
      let buf = encodeOutput(text);
      if (bytes + buf.length > capBytes) {
        buf = buf.subarray(0, Math.max(0, capBytes - bytes));
        truncated = true;
      }
      if (buf.length === 0) return;
      try {
        writeSync(fd, buf);
      } catch (error) {
        throw new TimelineWriteError(abs, error);
      }
      hash.update(buf);
      bytes += buf.length;
    };
    return {
      write: (chunk) => {
        if (truncated || failure) return; // past the cap (or failed): the shell still counts bytes
        try {
          put(redacting.push(chunk));
        } catch (error) {
          failure = error;
        }
      },
      close: (totalBytes): ArtifactRef | undefined => {
        if (!truncated && !failure) {
          try {
            put(redacting.end());
          } catch (error) {
            failure = error;
          }
        }
        if (failure) {
          if (fd !== undefined) closeSync(fd);
          throw failure instanceof Error ? failure : new Error('artifact write failed');
        }
        if (fd === undefined) return undefined;
        try {
          fsyncSync(fd);
          // Written once: read-only from here on (its hash is in the timeline); evidence stays 0600.
          if (!evidence) fchmodSync(fd, 0o400);
        } finally {
          closeSync(fd);
        }
        return { path: rel, sha256: hash.digest('hex'), bytes, truncated, totalBytes: Math.max(totalBytes, bytes) };
      },
    };
  }
}

export interface ArtifactProblem {
  path: string;
  /** The event that records the artifact's hash. */
  seq: number;
  problem: string;
}

/** The artifact and evidence references of an event (each once), for copying them along with it (team store). */
export function artifactRefsOf(data: unknown): Array<{ path: string; sha256: string }> {
  const out: Array<{ path: string; sha256: string }> = [];
  artifactRefs(data, out);
  return [...new Map(out.map((r) => [`${r.path}\0${r.sha256}`, r])).values()];
}

/** The artifact and evidence references ({path: "artifacts/…" or "evidence/…", sha256}) anywhere in an event's data. */
function artifactRefs(value: unknown, out: Array<{ path: string; sha256: string }>): void {
  if (Array.isArray(value)) {
    for (const v of value) artifactRefs(v, out);
    return;
  }
  if (!isRecord(value)) return;
  const v = value;
  if (typeof v.path === 'string' && typeof v.sha256 === 'string' && (v.path.startsWith('artifacts/') || v.path.startsWith('evidence/')))
    out.push({ path: v.path, sha256: v.sha256 });
  for (const child of Object.values(v)) artifactRefs(child, out);
}

export function sha256File(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.alloc(1024 * 1024);
    for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) hash.update(buf.subarray(0, n));
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** Re-hashes every artifact the events reference; reports each missing or changed one (once). */
export function checkArtifacts(incidentDir: string, events: Iterable<TimelineEvent>): { checked: number; problems: ArtifactProblem[] } {
  const seen = new Set<string>();
  const problems: ArtifactProblem[] = [];
  for (const e of events) {
    const refs: Array<{ path: string; sha256: string }> = [];
    artifactRefs(e.data, refs);
    for (const ref of refs) {
      const key = `${ref.path}\0${ref.sha256}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const rel = normalize(ref.path);
      if (isAbsolute(rel) || rel.startsWith('..')) {
        problems.push({ path: ref.path, seq: e.seq, problem: 'points outside the incident directory' });
        continue;
      }
      let actual: string;
      try {
        actual = sha256File(join(incidentDir, rel));
      } catch (error) {
        problems.push({
          path: ref.path,
          seq: e.seq,
          problem: errorCode(error) === 'ENOENT' ? 'missing' : `cannot be read (${errorCode(error) ?? String(error)})`,
        });
        continue;
      }
      if (actual !== ref.sha256)
        problems.push({
          path: ref.path,
          seq: e.seq,
          problem: `changed: its sha256 is ${actual.slice(0, 16)}…, event #${e.seq} recorded ${ref.sha256.slice(0, 16)}…`,
        });
    }
  }
  return { checked: seen.size, problems };
}

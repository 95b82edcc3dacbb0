/**
 * A long incident for the scale benches: N events with the mix of bench/postmortem.ts (a chatty
 * scribe, a run every 100 events with steps, findings and artifact references, status updates),
 * written straight to a local timeline file, hash-chained as the store writes it.
 *
 * The artifact files the events point to are not written here (the reads measured never open them;
 * bench/postmortem.ts writes 128 MiB of them to show memory does not grow with their size).
 */
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_HASH, eventLine, hashEvent } from '../src/timeline/event.js';

/** Writes incident `id` of N events under `home` (a $BUD_INCIDENT_HOME), makes it current; returns the timeline's size in bytes. */
export function writeLongIncident(home: string, id: string, N: number): number {
  const dir = join(home, 'incidents', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(home, 'current'), id + '\n');
  const t0 = Date.parse('2026-11-28T00:00:00Z');
  const fd = openSync(join(dir, 'timeline.jsonl'), 'w');
  let prev = GENESIS_HASH;
  let buffer = '';
  const put = (seq: number, type: string, data: Record<string, unknown>, actor = 'erin') => {
    const ts = new Date(t0 + seq * 500).toISOString();
    const hash = hashEvent(prev, seq, ts, actor, type, data);
    buffer += eventLine({ seq, ts, actor, type, data, prev, hash });
    prev = hash;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = '';
    }
  };
  put(
    1,
    'incident.opened',
    {
      id,
      title: 'A long incident',
      severity: 'SEV1',
      channel: `#incident-${id}`,
      openedAt: new Date(t0).toISOString(),
      source: 'declare',
      commander: 'alice',
    },
    'alice',
  );
  let run = 0;
  for (let seq = 2; seq <= N; seq++) {
    const k = seq % 100;
    if (k === 0) {
      run++;
      put(seq, 'run.started', {
        runId: `r-${run}`,
        runbook: 'platform-outage',
        title: 'Platform outage',
        file: 'x',
        mode: 'live',
        vars: {},
        steps: 14,
      });
    } else if (k < 20)
      put(seq, 'step.started', {
        runId: `r-${run}`,
        stepId: `s${k}`,
        kind: 'check',
        title: `Step ${k}`,
        command: 'kubectl get pods -n bud-system -o wide',
        attempt: 1,
      });
    else if (k < 40)
      put(seq, 'step.finished', {
        runId: `r-${run}`,
        stepId: `s${k}`,
        kind: 'check',
        title: `Step ${k}`,
        status: 'passed',
        attempt: 1,
        durationMs: 300,
        stdout: {
          path: `artifacts/r-1/step-${k % 8}.stdout.txt`,
          sha256: 'a'.repeat(64),
          bytes: 16 << 20,
          truncated: false,
          totalBytes: 16 << 20,
        },
        outputTail: ['NAME READY STATUS', 'budapp-1 2/2 Running'],
      });
    else if (k === 40)
      put(seq, 'finding.raised', {
        runId: `r-${run}`,
        stepId: 's1',
        findingId: 'pods-crashlooping',
        message: `Pods crashing (run ${run}): budapp-7d9f8c6b5-x2k4p CrashLoopBackOff`,
        detail: 'x',
        next: [],
        evidence: {
          lines: [],
          artifact: {
            path: 'artifacts/r-1/step-1.stdout.txt',
            sha256: 'b'.repeat(64),
            bytes: 16 << 20,
            truncated: false,
            totalBytes: 16 << 20,
          },
        },
      });
    else if (k === 41)
      put(seq, 'run.finished', {
        runId: `r-${run}`,
        runbook: 'platform-outage',
        outcome: 'findings',
        findings: 1,
        failedSteps: [],
        durationMs: 9000,
        suggestions: [],
      });
    else if (k === 50)
      put(
        seq,
        'status.update',
        {
          status: 'Investigating',
          impact: 'All API requests failing',
          message: '=== SEV1 INCIDENT UPDATE ===\nStatus: Investigating',
          nextUpdateAt: new Date(t0 + seq * 500 + 1_800_000).toISOString(),
        },
        'carol',
      );
    else
      put(seq, 'note.added', {
        text: `Scribe note ${seq}: observed error rate still high on /v1/chat/completions`,
        tags: k === 60 ? ['went-wrong'] : [],
      });
  }
  writeSync(fd, buffer);
  closeSync(fd);
  return statSync(join(dir, 'timeline.jsonl')).size;
}

/**
 * An evidence step (`evidence: true`) through the engine with a fake shell: every byte goes to the
 * evidence writer unredacted; what is shown and recorded is a redacted preview of its first whole
 * lines (a token cut at the preview's end is not shown in part); only the preview is judged.
 * And the file sink: evidence is never written over.
 */
import { systemClock } from '../../src/adapters/clock.js';
import { describe, expect, it } from 'vitest';
import { RunbookEngine, type ArtifactSink } from '../../src/engine/run.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Interrupts } from '../../src/engine/interrupts.js';
import type { ProcessRequest, ProcessResult, Shell } from '../../src/adapters/shell.js';
import { Redactor } from '../../src/secrets/redact.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { FileArtifactSink } from '../../src/timeline/artifacts.js';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNBOOK = `id: ev
title: Evidence
summary: an evidence step
steps:
  - id: export
    kind: check
    title: Export
    run: "exporter"
    readOnly: a test exporter
    evidence: true
    expect:
      - exitCode: 0
        finding: { id: export-failed, message: "failed" }
      - notMatches: LATE-LINE
        finding: { id: late, message: "{{lines}}" }
`;

/** Prints `output` in 1000-character chunks, as a command streams. */
class ChunkShell implements Shell {
  constructor(private readonly output: string) {}
  async run(req: ProcessRequest): Promise<ProcessResult> {
    for (let i = 0; i < this.output.length; i += 1000) await req.onOutput?.('stdout', this.output.slice(i, i + 1000));
    const bytes = Buffer.byteLength(this.output);
    return {
      outcome: { kind: 'exited', exitCode: 0 },
      stdout: this.output,
      stderr: '',
      stdoutBytes: bytes,
      stderrBytes: 0,
      truncated: false,
      durationMs: 1,
    };
  }
}

async function run(output: string) {
  const r = loadRunbook('ev.yaml', RUNBOOK);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
  const events: EngineEvent[] = [];
  const shown: EngineEvent[] = [];
  const written: Record<string, { evidence: boolean; text: string }> = {};
  const artifacts: ArtifactSink = {
    open: (_run, step, stream, _attempt, opts) => {
      const w = (written[`${step}.${stream}`] = { evidence: opts?.evidence === true, text: '' });
      return {
        write: (chunk) => void (w.text += chunk),
        close: (total) =>
          w.text
            ? {
                path: `${opts?.evidence ? 'evidence' : 'artifacts'}/r1/${step}.${stream}`,
                sha256: 'f'.repeat(64),
                bytes: total,
                truncated: false,
                totalBytes: total,
              }
            : undefined,
      };
    },
  };
  const engine = new RunbookEngine(
    { loaded: r.loaded, runId: 'r1', vars: {}, configValues: {}, cluster: () => undefined, interactive: false, allowMitigations: false },
    {
      shell: new ChunkShell(output),
      emit: async (e) => void events.push(e),
      show: (e) => void shown.push(e),
      artifacts,
      redactor: new Redactor(),
      interrupts: new Interrupts(),
      env: {},
      now: () => Date.now(),
      clock: systemClock,
    },
  );
  await engine.run();
  return { events, shown, written };
}

describe('an evidence step', () => {
  // A bearer token whose first two characters fall just inside the 2 KiB preview.
  const output = `${'x'.repeat(2038)} Bearer abc.def.ghi\n${'{"session":"sess-1","auth":"Bearer tok.en.one"}\n'.repeat(200)}LATE-LINE\n`;

  it('hands every byte, unredacted, to the evidence writer, and records where it is', async () => {
    const { events, written } = await run(output);
    expect(written['export.stdout']).toEqual({ evidence: true, text: output });
    expect(events.find((e) => e.type === 'evidence.preserved')).toMatchObject({
      stepId: 'export',
      path: 'evidence/r1/export.stdout',
      bytes: output.length,
    });
  });

  it('shows and records a redacted preview of whole lines only: no part of a token cut at its end', async () => {
    const { events, shown } = await run(output);
    const printed = shown
      .filter((e) => e.type === 'step.output')
      .map((e) => (e as { text: string }).text)
      .join('');
    expect(printed.length).toBeLessThanOrEqual(2048);
    expect(printed).not.toMatch(/Bearer a/);
    expect(printed).not.toContain('tok.en');
    const finished = events.find((e) => e.type === 'step.finished') as { outputTail: string[] };
    expect(finished.outputTail.join('\n')).not.toMatch(/Bearer a|tok\.en/);
  });

  it('is judged by its preview, not by the whole (huge) output', async () => {
    const { events } = await run(output);
    expect(events.filter((e) => e.type === 'finding.raised')).toEqual([]);
  });
});

describe('the evidence file', () => {
  it('is never written over: a resumed run that exports again (attempt 1 again) gets the next free name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bud-evidence-'));
    const sink = new FileArtifactSink(dir, new Redactor());
    const keep = (text: string) => {
      const w = sink.open('r1', 'export', 'stdout', 1, { evidence: true });
      w.write(text);
      return w.close(Buffer.byteLength(text))!;
    };
    const first = keep('Bearer first.token.value\n');
    const second = keep('Bearer second.token.value\n');
    expect(second.path).not.toBe(first.path);
    expect(readFileSync(join(dir, first.path), 'utf8')).toBe('Bearer first.token.value\n');
    expect(readFileSync(join(dir, second.path), 'utf8')).toBe('Bearer second.token.value\n');
    expect(statSync(join(dir, second.path)).mode & 0o777).toBe(0o600);
  });
});

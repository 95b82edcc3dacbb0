/**
 * Output capture: what a step prints goes, as it comes, to its artifact files (redacted as they are
 * written; evidence kept byte for byte where only the user can read it) and to the display
 * (redacted, capped as the artifact is). Evidence is shown as a redacted preview cut at a whole
 * line, judged by that preview only.
 */
import { encodingNote } from '../adapters/output-text.js';
import { EVIDENCE_PREVIEW } from '../limits.js';
import type { Redactor } from '../secrets/redact.js';
import { StreamRedactor } from '../secrets/redact.js';
import type { ArtifactRef, EngineEvent } from './events.js';
import { ShownOutput } from './output-cap.js';
import type { ArtifactSink, Executed } from './request.js';

/** What capturing needs from the run. */
export interface CaptureContext {
  runId: string;
  artifacts: ArtifactSink;
  redactor: Redactor;
  emit: (event: EngineEvent) => Promise<void>;
  show: (event: EngineEvent) => void;
}

/** An artifact's record, saying where its bytes stopped being UTF-8 (output-text.ts). */
function withEncoding(ref: ArtifactRef | undefined, firstInvalid: number | undefined): ArtifactRef | undefined {
  const encoding = encodingNote(firstInvalid);
  return ref && encoding ? { ...ref, encoding } : ref;
}

/**
 * The start of an evidence step's output that is judged and shown, cut after its last whole line
 * (or word) so no token is cut in half: a token's start is not one the redactor recognises.
 */
export function previewOf(text: string, cut = text.length > EVIDENCE_PREVIEW): string {
  if (!cut) return text;
  const head = text.slice(0, EVIDENCE_PREVIEW);
  const end = Math.max(head.lastIndexOf('\n'), head.lastIndexOf(' '));
  return head.slice(0, end > 0 ? end + 1 : 0);
}

/** Runs something that produces output, streaming it (redacted) to the display and to artifacts. */
export async function capture(
  ctx: CaptureContext,
  key: string,
  attempt: number,
  run: (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void) => Promise<Executed>,
  evidence = false,
): Promise<Executed & { artifacts: { stdout: ArtifactRef | undefined; stderr: ArtifactRef | undefined } }> {
  const { runId } = ctx;
  const writers = {
    stdout: ctx.artifacts.open(runId, key, 'stdout', attempt, evidence ? { evidence } : undefined),
    stderr: ctx.artifacts.open(runId, key, 'stderr', attempt),
  };
  const live = { stdout: new StreamRedactor(ctx.redactor), stderr: new StreamRedactor(ctx.redactor) };
  // The same cap for what is shown (--json, terminal) as for the artifact (output-cap.ts).
  // Evidence (unredacted on disk) is shown as a redacted preview only.
  const shown = { stdout: new ShownOutput(evidence ? EVIDENCE_PREVIEW : undefined), stderr: new ShownOutput() };
  let preview = '';
  const onOutput = (stream: 'stdout' | 'stderr', chunk: string) => {
    writers[stream].write(chunk);
    const part = shown[stream].take(chunk);
    if (evidence && stream === 'stdout') {
      preview += part; // shown once it is whole (below)
      return;
    }
    const text = part && live[stream].push(part);
    if (text) ctx.show({ type: 'step.output', runId, stepId: key, stream, text });
  };
  const exec = await run(onOutput);
  const total = { stdout: exec.result.stdoutBytes, stderr: exec.result.stderrBytes };
  const whole = evidence && previewOf(preview, shown.stdout.cut);
  if (whole) ctx.show({ type: 'step.output', runId, stepId: key, stream: 'stdout', text: ctx.redactor.redact(whole) });
  for (const stream of ['stdout', 'stderr'] as const) {
    const rest = live[stream].end();
    if (rest) ctx.show({ type: 'step.output', runId, stepId: key, stream, text: rest });
    if (shown[stream].cut)
      ctx.show({
        type: 'step.output.truncated',
        runId,
        stepId: key,
        stream,
        shownBytes: shown[stream].shownBytes,
        totalBytes: total[stream],
      });
  }
  const artifacts = {
    stdout: withEncoding(writers.stdout.close(total.stdout), exec.result.invalidUtf8?.stdout),
    stderr: withEncoding(writers.stderr.close(total.stderr), exec.result.invalidUtf8?.stderr),
  };
  if (evidence && artifacts.stdout) {
    const { path, sha256, bytes } = artifacts.stdout;
    await ctx.emit({ type: 'evidence.preserved', runId, stepId: key, path, sha256, bytes });
  }
  return { ...exec, artifacts };
}

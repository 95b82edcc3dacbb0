/**
 * A runbook command's pipeline (`kubectl logs … | grep -i error | tail -5`, `curl … | jq -c '.[]'`):
 * the first stage runs as a process (or is replayed in a drill) and every later stage sees its
 * output as it is produced, as a shell's pipe would give it. The in-process filters (filters.ts)
 * stream over it, so `| tail -5` of a gigabyte holds five lines; a stage that is its own process
 * (jq, awk) is started with the others and gets the output on its standard input as it arrives,
 * held back while it is busy (backpressure), so nothing between two stages is cut or held whole,
 * whatever the size. Only what the last stage prints is kept to judge the check, bounded
 * (CAPTURE_LIMIT), and anything dropped to stay bounded is said in the notes, never silently.
 *
 * The step's result is the first stage's (its output is the artifact): when it failed, that is what
 * is reported, not the jq that choked on its cut output. All processes of a pipeline share the
 * step's timeout and Ctrl-C, and are ended when the first stage did not finish.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ProcessResult } from '../adapters/shell.js';
import { encodeOutput, shownText } from '../adapters/output-text.js';
import { CAPTURE_LIMIT } from '../limits.js';
import { parseFilter, type StreamFilter } from '../runbook/filters.js';
import { outcomeReason } from './judge.js';

/** A stream's output as it arrives; a returned promise asks the producer to wait (backpressure). */
export type OnOutput = (stream: 'stdout' | 'stderr', chunk: string) => void | Promise<void>;

export interface PipelineRun {
  result: ProcessResult;
  /** The pipeline's output (what is judged), bounded. */
  stdout: string;
  filterError?: string;
  /** What was dropped to stay bounded (a filter's cap, the judged output's cap), and what else failed. */
  notes: string[];
  /**
   * Set when only part of the output was judged (the judged output's cap): finding nothing in a
   * part says nothing about the rest, so such a check cannot pass (run.ts makes it "could not check").
   */
  partial?: string;
}

/** A later stage that is its own process. */
export interface StageProcess {
  argv: string[];
  /** The previous stage's output, as it is produced (bytes as printed); ends when it ends. */
  stdin: Readable;
  /** Its output; a returned promise holds the reading (the next stage is busy). */
  onOutput: OnOutput;
  timeoutMs: number;
  /** Aborted when the pipeline stops early (the first stage did not finish): the process is ended. */
  signal: AbortSignal;
  /** Its place in the pipeline (1 is the stage right after the command). */
  index: number;
}

export interface PipelineStages {
  /** Runs (or replays) the first stage, streaming its output to onOutput (and waiting when it asks). */
  first: (onOutput: OnOutput) => Promise<ProcessResult>;
  /** Runs a later stage that is its own process (started with the first one). */
  process: (stage: StageProcess) => Promise<ProcessResult>;
  /** The first stage's output, as recorded and shown. */
  onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void;
  timeoutMs: number;
}

/** Text kept up to a limit; the rest is counted. */
class BoundedText {
  private readonly parts: string[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly limit: number) {}
  push(text: string): void {
    const room = this.limit - this.size;
    if (text.length <= room) {
      this.parts.push(text);
      this.size += text.length;
    } else {
      if (room > 0) this.parts.push(text.slice(0, room));
      this.size += Math.max(0, room);
      this.dropped += text.length - Math.max(0, room);
    }
  }
  get text(): string {
    return this.parts.join('');
  }
}

/** Where a stage's output goes: the next stage, or what is judged. Text as output-text.ts escapes it. */
interface Sink {
  write(text: string): void | Promise<void>;
  /** The input is complete (for a process: its standard input is closed). */
  end(): Promise<void>;
}

function filterSink(filter: StreamFilter, next: Sink): Sink {
  return {
    write: (text) => {
      const out = filter.write(shownText(text));
      return out ? next.write(out) : undefined;
    },
    end: async () => {
      const out = filter.end();
      if (out) await next.write(out);
      await next.end();
    },
  };
}

/** A stage that is its own process: input written to its standard input as it comes, held while it is busy. */
class ProcessSink implements Sink {
  private readonly input = new PassThrough();
  private open = true;
  private waiting: Array<() => void> = [];
  /** Its result, once its output went down the rest of the pipeline. */
  readonly done: Promise<ProcessResult>;

  constructor(
    argv: string[],
    /** Its program, named when it fails. */
    readonly program: string,
    index: number,
    next: Sink,
    stages: PipelineStages,
    signal: AbortSignal,
  ) {
    this.input.on('drain', () => this.release());
    this.done = stages
      .process({
        argv,
        stdin: this.input,
        onOutput: (stream, chunk) => (stream === 'stdout' ? next.write(chunk) : undefined),
        timeoutMs: stages.timeoutMs,
        signal,
        index,
      })
      .then(async (r) => {
        this.close();
        await next.end();
        return r;
      });
  }

  write(text: string): void | Promise<void> {
    if (!this.open || this.input.write(encodeOutput(text))) return;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  end(): Promise<void> {
    if (this.open) this.input.end();
    return Promise.resolve();
  }

  /** The process is gone: what is still written is dropped, and no writer waits for it. */
  private close(): void {
    this.open = false;
    this.input.resume();
    this.release();
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/** What a later process's failure means for the step, or undefined when it did its part (judge.ts words it). */
function stageFailure(program: string, r: ProcessResult): string | undefined {
  return outcomeReason(r.outcome, program, 'stage', { stderr: r.stderr });
}

export async function runPipeline(argv: string[][], stages: PipelineStages): Promise<PipelineRun> {
  // The later stages, up to one that cannot run (rejected when the runbook is loaded; said here too).
  const later: Array<{ stage: string[]; filter: () => StreamFilter } | { stage: string[]; program: string }> = [];
  let badStage: string | undefined;
  for (const stage of argv.slice(1)) {
    const parsed = parseFilter(stage);
    const [program] = stage;
    if (parsed.ok) later.push({ stage, filter: parsed.stream });
    else if ('external' in parsed && program !== undefined) later.push({ stage, program });
    else {
      // parseFilter calls a stage without a program "empty pipeline stage", never external
      badStage = 'message' in parsed ? parsed.message : 'empty pipeline stage';
      break;
    }
  }
  if (later.length === 0 && badStage === undefined) return runAlone(stages);

  // Built from the end: what is judged, then each stage feeding the next.
  const kept = new BoundedText(CAPTURE_LIMIT);
  let head: Sink = {
    write: (text) => kept.push(shownText(text)),
    end: () => Promise.resolve(),
  };
  const stop = new AbortController();
  const filters: StreamFilter[] = [];
  const processes: ProcessSink[] = [];
  for (const [i, item] of [...later.entries()].reverse()) {
    if ('filter' in item) {
      const f = item.filter();
      filters.unshift(f);
      head = filterSink(f, head);
    } else {
      const p = new ProcessSink(item.stage, item.program, i + 1, head, stages, stop.signal);
      processes.unshift(p);
      head = p;
    }
  }
  const first = head;
  const result = await stages.first((stream, chunk) => {
    stages.onOutput(stream, chunk);
    return stream === 'stdout' ? first.write(chunk) : undefined;
  });
  // The first stage did not finish: the rest of the pipeline is ended with it, and it is what is reported.
  if (result.outcome.kind !== 'exited') stop.abort();
  await first.end();
  const ended = await Promise.all(processes.map(async (p) => ({ program: p.program, result: await p.done })));
  const results = ended.map((e) => e.result);
  const leftovers = [...(result.leftovers ?? []), ...results.flatMap((r) => r.leftovers ?? [])];
  const withLeftovers = leftovers.length ? { ...result, leftovers } : result;
  if (result.outcome.kind !== 'exited') return { result: withLeftovers, stdout: result.stdout, notes: [] };

  const notes = filters.flatMap((f) => (f.note ? [f.note] : []));
  const partial = kept.dropped
    ? `the check judged the first ${CAPTURE_LIMIT} characters of its filtered output (${kept.dropped} more were not judged)`
    : undefined;
  if (partial) notes.push(partial);
  const stdout = kept.text;
  for (const r of results) {
    if (r.outcome.kind === 'timeout' || r.outcome.kind === 'cancelled')
      return { result: { ...withLeftovers, outcome: r.outcome }, stdout, notes };
  }
  const failures = [
    ...ended.flatMap(({ program, result: r }) => {
      const failure = stageFailure(program, r);
      return failure ? [failure] : [];
    }),
    ...(badStage === undefined ? [] : [badStage]),
  ];
  // The command itself failed (curl -f: exit 22): that is the step's failure, whatever a later stage made of it.
  if (result.outcome.exitCode !== 0) {
    for (const f of failures) notes.push(`also: ${f}`);
    return { result: withLeftovers, stdout, notes, ...(partial ? { partial } : {}) };
  }
  return {
    result: withLeftovers,
    stdout,
    notes,
    ...(partial ? { partial } : {}),
    ...(failures.length ? { filterError: failures[0] } : {}),
  };
}

/** A command without a pipeline: judged on what the shell kept of its output. */
async function runAlone(stages: PipelineStages): Promise<PipelineRun> {
  const result = await stages.first((stream, chunk) => stages.onOutput(stream, chunk));
  const partial =
    result.outcome.kind === 'exited' && result.truncated && result.stdoutBytes > result.stdout.length
      ? `the check judged the first ${result.stdout.length} characters of its output (${result.stdoutBytes} bytes in all)`
      : undefined;
  return { result, stdout: result.stdout, notes: partial ? [partial] : [], ...(partial ? { partial } : {}) };
}

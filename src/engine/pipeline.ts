/**
 * A runbook command's pipeline (`kubectl logs … | grep -i error | tail -5`): the first stage runs
 * as a process (or is replayed in a drill); the in-process filters right after it stream over its
 * output as it arrives, so memory does not grow with the output (a gigabyte through `| tail -5`
 * holds five lines); a stage that is its own process (jq) gets the output so far on its standard
 * input, which is bounded. What is kept to judge the check is bounded (CAPTURE_LIMIT), and
 * anything dropped to stay bounded is said in the notes, never silently.
 */
import type { ProcessResult } from '../adapters/shell.js';
import { shownText } from '../adapters/output-text.js';
import { unreachable } from '../errors.js';
import { CAPTURE_LIMIT } from '../limits.js';
import { parseFilter, type StreamFilter } from '../runbook/filters.js';
import { explainFailure } from './expect.js';

type OnOutput = (stream: 'stdout' | 'stderr', chunk: string) => void;

export interface PipelineRun {
  result: ProcessResult;
  /** The pipeline's output (what is judged), bounded. */
  stdout: string;
  filterError?: string;
  /** What was dropped to stay bounded (a filter's cap, the judged output's cap). */
  notes: string[];
}

export interface PipelineStages {
  /** Runs (or replays) the first stage, streaming its output to onOutput. */
  first: (onOutput: OnOutput) => Promise<ProcessResult>;
  /** Runs a later stage that is its own process, with `input` on its standard input. */
  process: (argv: string[], input: string, timeoutMs: number) => Promise<ProcessResult>;
  onOutput: OnOutput;
  timeoutMs: number;
  now: () => number;
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

export async function runPipeline(argv: string[][], stages: PipelineStages): Promise<PipelineRun> {
  // The filters that directly follow the command stream over its output.
  const streaming: StreamFilter[] = [];
  let next = 1;
  for (; next < argv.length; next++) {
    const f = parseFilter(argv[next]!);
    if (!f.ok) break;
    streaming.push(f.stream());
  }
  const kept = new BoundedText(CAPTURE_LIMIT);
  const onOutput: OnOutput = (stream, chunk) => {
    stages.onOutput(stream, chunk);
    if (stream !== 'stdout' || streaming.length === 0) return;
    let text = shownText(chunk);
    for (const f of streaming) {
      text = f.write(text);
      if (!text) return;
    }
    kept.push(text);
  };
  const result = await stages.first(onOutput);
  const deadline = stages.now() + stages.timeoutMs;
  if (result.outcome.kind !== 'exited') return { result, stdout: result.stdout, notes: [] };
  let stdout = result.stdout;
  const notes: string[] = [];
  if (streaming.length) {
    let rest = '';
    for (const f of streaming) rest = (rest ? f.write(rest) : '') + f.end();
    kept.push(rest);
    stdout = kept.text;
    for (const f of streaming) if (f.note) notes.push(f.note);
    if (kept.dropped)
      notes.push(`the check judged the first ${CAPTURE_LIMIT} characters of its filtered output (${kept.dropped} more were not judged)`);
  } else if (result.truncated && result.stdoutBytes > stdout.length) {
    notes.push(`the check judged the first ${stdout.length} characters of its output (${result.stdoutBytes} bytes in all)`);
  }
  for (const stage of argv.slice(next)) {
    const filter = parseFilter(stage);
    if (filter.ok) {
      const f = filter.stream();
      stdout = f.write(stdout) + f.end();
      if (f.note) notes.push(f.note);
      continue;
    }
    if (!('external' in filter)) return { result, stdout, filterError: filter.message, notes };
    const r = await stages.process(stage, stdout, Math.max(1000, deadline - stages.now()));
    const program = stage[0]!;
    switch (r.outcome.kind) {
      case 'exited':
        if (r.outcome.exitCode !== 0)
          return {
            result,
            stdout,
            filterError: `${program} (in the pipeline) ${explainFailure(program, r.outcome.exitCode, r.stderr)}`,
            notes,
          };
        stdout = r.stdout;
        break;
      case 'not-found':
        return {
          result,
          stdout,
          filterError: `${program} is not installed (not found on PATH); it is needed by this step's pipeline`,
          notes,
        };
      case 'timeout':
      case 'cancelled':
        return { result: { ...result, outcome: r.outcome }, stdout, notes };
      case 'signal':
        return { result, stdout, filterError: `${program} (in the pipeline) was killed by ${r.outcome.signal}`, notes };
      case 'spawn-error':
        return { result, stdout, filterError: `${program} (in the pipeline): ${r.outcome.message}`, notes };
      default:
        unreachable(r.outcome);
    }
  }
  return { result, stdout, notes };
}

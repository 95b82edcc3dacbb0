/**
 * A step's command, from runbook text to output: resolved (placeholders filled, secrets kept out
 * of what is shown, refused when it picks its own server, aimed at its cluster), then run as a
 * pipeline (or replayed in a drill) with each process tagged for --resume, its output captured to
 * the display and to artifacts. Shared by the check and mitigation runners and by the engine's plan.
 */
import type { ProcessResult, SpawnedProcess } from '../adapters/shell.js';
import { processTag } from '../adapters/proctree.js';
import { resolveCommand, TemplateError, type ResolvedCommand } from '../runbook/command.js';
import { identityRefusal } from '../runbook/effects.js';
import { runPipeline, type OnOutput } from './pipeline.js';
import { capture } from './capture.js';
import { replay } from './replay.js';
import { aimCommand } from './targeting.js';
import { emptyResult, type Executed, type RunRequest } from './request.js';
import { captureContextOf, targetingOf, type StepContext } from './step-context.js';

/** A resolved command's first stage, what is run (or replayed): the command parser rejects an empty one. */
export function firstStage(resolved: ResolvedCommand): { argv: string[]; program: string } {
  const [argv] = resolved.argv;
  const program = argv?.[0];
  if (argv === undefined || program === undefined) throw new Error(`internal: the command "${resolved.display}" has no program`);
  return { argv, program };
}

/** The command of a step or mitigation, ready to run; a TemplateError says why it cannot be. */
export function resolve(ctx: StepContext, id: string, cluster: string | undefined): ResolvedCommand {
  const command = ctx.request.loaded.commands.get(id);
  if (!command) throw new TemplateError(`no command for ${id}`);
  // A simulation runs nothing, so it needs no secrets: a missing $TOKEN stands in by name.
  const env = ctx.request.simulate ? new Proxy(ctx.deps.env, { get: (t, k: string) => t[k] ?? `<${k}>` }) : ctx.deps.env;
  const resolved = resolveCommand(command, ctx.vars.commandLookup, env, (name) => ctx.vars.isSecret(name));
  // What is shown and recorded never carries a secret, even one written into the runbook itself.
  resolved.display = ctx.deps.redactor.redact(resolved.display);
  // Checked again on the filled words: a value (an input default, a --var) may not pick the server either.
  const identity = identityRefusal(resolved.argv);
  if (identity) throw new TemplateError(`refused: ${identity}`);
  aimCommand(resolved, cluster, targetingOf(ctx));
  return resolved;
}

/** Runs (or replays) a resolved command: first stage as a process, the rest as filters (pipeline.ts). */
export async function execute(
  ctx: StepContext,
  key: string,
  resolved: ResolvedCommand,
  timeoutMs: number,
  signal: AbortSignal,
  onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void,
): Promise<Executed> {
  const env = ctx.deps.env;
  const sim = ctx.request.simulate;
  const { argv, program } = firstStage(resolved);
  return runPipeline(resolved.argv, {
    first: (out) =>
      sim
        ? replayStep(ctx, sim, key, program, timeoutMs, signal, out)
        : ctx.deps.shell.run({ argv, timeoutMs, signal, env, onOutput: out, ...tracked(ctx, key) }),
    // Started with the first stage (in a drill too: the replayed output goes into it).
    process: (stage) =>
      ctx.deps.shell.run({
        argv: stage.argv,
        stdin: stage.stdin,
        onOutput: stage.onOutput,
        timeoutMs: stage.timeoutMs,
        signal: AbortSignal.any([signal, stage.signal]),
        env,
        ...tracked(ctx, key, stage.index),
      }),
    onOutput,
    timeoutMs,
  });
}

/**
 * Tags a step's commands and records each one's pid as it starts (what --resume checks after a kill -9).
 * Each stage of a pipeline has its own tag: what one stage left running is not its neighbour, still at work.
 */
function tracked(ctx: StepContext, stepId: string, stage = 0) {
  const { runId } = ctx.request;
  return {
    tag: processTag(runId, stage ? `${stepId}|${stage}` : stepId),
    onSpawn: (p: SpawnedProcess) => void ctx.deps.emit({ type: 'step.process', runId, stepId, ...p }).catch(() => undefined),
  };
}

/** Replays the scenario's recorded output for a step (or says the scenario lacks it). */
export async function replayStep(
  ctx: StepContext,
  sim: NonNullable<RunRequest['simulate']>,
  key: string,
  program: string,
  timeoutMs: number,
  signal: AbortSignal,
  onOutput: OnOutput,
): Promise<ProcessResult> {
  const recorded = sim.outputs[key];
  if (!recorded) return emptyResult({ kind: 'spawn-error', message: `scenario "${sim.scenario}" has no recorded output for "${key}"` });
  return replay(recorded, program, timeoutMs, signal, onOutput, {
    now: ctx.deps.now,
    ...(ctx.deps.sleep ? { sleep: ctx.deps.sleep } : {}),
    honourLatency: sim.honourLatency,
  });
}

/** Starts a command with live output (redacted) to the display and to artifacts. */
export async function runCommand(
  ctx: StepContext,
  key: string,
  command: ResolvedCommand,
  timeoutMs: number,
  signal: AbortSignal,
  attempt: number,
) {
  return capture(captureContextOf(ctx), key, attempt, (onOutput) => execute(ctx, key, command, timeoutMs, signal, onOutput));
}

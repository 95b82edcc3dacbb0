/**
 * An engine that plans and never runs: `run --dry-run` and `runbooks show` read a runbook's text
 * and commands through it, so a value not known yet reads as the same stand-in in both
 * (`<service: asked at "…">`, `<deployment from the evidence>`), never as a raw `{{…}}`.
 */
import type { Shell } from '../adapters/shell.js';
import { Interrupts } from '../engine/interrupts.js';
import { RunbookEngine } from '../engine/run.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { config, redactor, type Context } from './context.js';

/** A shell for planning: a dry run executes nothing, and this proves it (a call is a bug). */
const NO_SHELL: Shell = {
  run: () => Promise.reject(new Error('a dry run executes nothing')),
};

export function planningEngine(
  ctx: Context,
  loaded: LoadedRunbook,
  vars: Record<string, string>,
  configValues: Record<string, string>,
): RunbookEngine {
  const cfg = config(ctx).config;
  // $NAME stays a name: the plan shows (and its argv holds) the reference, never the value.
  const namesOnly = new Proxy({}, { get: (_t, k) => (typeof k === 'string' ? `$${k}` : undefined) }) as NodeJS.ProcessEnv;
  return new RunbookEngine(
    {
      loaded,
      runId: 'dry-run',
      vars,
      configValues,
      cluster: (name) => cfg.clusters[name],
      interactive: false,
      allowMitigations: false,
    },
    {
      shell: NO_SHELL,
      emit: () => Promise.resolve(),
      show: () => undefined,
      artifacts: { open: () => ({ write: () => undefined, close: () => undefined }) },
      redactor: redactor(ctx),
      interrupts: new Interrupts(),
      env: namesOnly,
      now: () => performance.now(),
      clock: ctx.clock,
    },
  );
}

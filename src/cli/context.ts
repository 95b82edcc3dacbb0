/**
 * What every command gets: the environment, the working directory, the terminal, the clock and the
 * global options. Commands build the rest (config, catalogue, incident home) from it on demand, so
 * `--help` pays for nothing it does not use.
 */
import { userInfo } from 'node:os';
import type { Clock } from '../adapters/clock.js';
import type { Terminal } from '../render/terminal.js';
import { loadConfig, type LoadedConfig } from '../config/config.js';
import { loadCatalog, runbookDirs, type Catalog } from '../runbook/catalog.js';
import { shippedRunbookDir, stateHome } from '../paths.js';
import { IncidentHome } from '../incident/store.js';
import { Redactor } from '../secrets/redact.js';
import { UserError } from '../errors.js';

export interface GlobalOptions {
  config?: string;
  runbooksDir: string[];
  incident?: string;
}

export interface Context {
  env: NodeJS.ProcessEnv;
  cwd: string;
  term: Terminal;
  clock: Clock;
  stdinIsTTY: boolean;
  global: GlobalOptions;
}

const cache = new WeakMap<Context, { config?: LoadedConfig; catalog?: Catalog }>();
function memo(ctx: Context) {
  let m = cache.get(ctx);
  if (!m) cache.set(ctx, (m = {}));
  return m;
}

export function config(ctx: Context): LoadedConfig {
  const m = memo(ctx);
  return (m.config ??= loadConfig(ctx.env, ctx.cwd, ctx.global.config));
}

export function catalog(ctx: Context, extraFiles: readonly string[] = []): Catalog {
  const m = memo(ctx);
  if (extraFiles.length) return loadCatalog(dirsOf(ctx), extraFiles);
  return (m.catalog ??= loadCatalog(dirsOf(ctx)));
}

export function dirsOf(ctx: Context) {
  return runbookDirs(shippedRunbookDir(), ctx.env, config(ctx).config.runbookDirs, ctx.global.runbooksDir, ctx.cwd);
}

export function actor(ctx: Context): string {
  const configured = ctx.env.BUD_INCIDENT_ACTOR || config(ctx).config.actor;
  if (configured) return configured;
  try {
    return userInfo().username;
  } catch {
    return ctx.env.USER || 'unknown';
  }
}

export function home(ctx: Context): IncidentHome {
  return new IncidentHome(stateHome(ctx.env), actor(ctx), () => ctx.clock.now());
}

export function redactor(ctx: Context): Redactor {
  return new Redactor({ env: ctx.env, secretEnv: config(ctx).config.secretEnv });
}

/** Interactive only when both ends are terminals and the user did not ask for a scripted run. */
export function isInteractive(ctx: Context, opts: { yes?: boolean; json?: boolean }): boolean {
  return ctx.stdinIsTTY && ctx.term.out.isTTY && !opts.yes && !opts.json;
}

/** Parses repeated `--var name=value` flags. */
export function parseVars(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UserError(`--var "${v}": expected NAME=VALUE`);
    const name = v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UserError(`--var "${v}": "${name}" is not a valid input name`);
    out[name] = v.slice(eq + 1);
  }
  return out;
}

export function writeJson(ctx: Context, value: unknown): void {
  ctx.term.out.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * What every command gets: the environment, the working directory, the terminal, the clock and the
 * global options. Kept light on purpose: it imports no parser or schema, so `--help`, `status` and
 * `runbooks list` do not pay for zod and yaml. Commands that need the catalogue get it from
 * catalog-of.ts.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Clock } from '../adapters/clock.js';
import type { Terminal } from '../render/terminal.js';
import { configCandidates, defaultConfig, type LoadedConfig } from '../config/defaults.js';
import { runbookDirs } from '../runbook/files.js';
import { shippedRunbookDir, stateHome } from '../paths.js';
import { IncidentHome } from '../incident/store.js';
import { Redactor } from '../secrets/redact.js';
import { UserError } from '../errors.js';
import { replicaRoot, storeLocation, type StoreLocation } from '../store/location.js';
import type { TeamSession } from './team.js';

export interface GlobalOptions {
  config?: string;
  runbooksDir: string[];
  incident?: string;
  /** Read and write an incident whose timeline does not verify, with a warning. */
  ignoreChain?: boolean;
}

export interface Context {
  env: NodeJS.ProcessEnv;
  cwd: string;
  term: Terminal;
  clock: Clock;
  stdinIsTTY: boolean;
  global: GlobalOptions;
  /** Set by prepareConfig before a command runs. */
  loadedConfig?: LoadedConfig;
  /** Told the configured secret variables once the config is read (the terminal's redactor). */
  onConfig?: (secretEnv: readonly string[]) => void;
  /** Where incidents live (set by prepareConfig): the local files, or a team store in PostgreSQL. */
  store?: StoreLocation;
  /** The team store's connection and sync state for this command (team mode only; see team.ts). */
  team?: TeamSession;
}

/** Loads the config file if there is one (the parser is imported only then). */
export async function prepareConfig(ctx: Context): Promise<void> {
  for (const candidate of configCandidates(ctx.env, ctx.cwd, ctx.global.config)) {
    if (candidate.explicit || existsSync(candidate.path)) {
      const { loadConfig } = await import('../config/config.js');
      ctx.loadedConfig = loadConfig(ctx.env, ctx.cwd, ctx.global.config);
      ctx.onConfig?.(ctx.loadedConfig.config.secretEnv);
      for (const w of ctx.loadedConfig.warnings ?? []) ctx.term.err.write(`${ctx.term.color.yellow('warning:')} ${w}\n`);
      ctx.store = storeLocation(ctx.env, ctx.loadedConfig.config.store, ctx.loadedConfig.file);
      return;
    }
  }
  ctx.loadedConfig = { config: defaultConfig(), file: undefined };
  ctx.store = storeLocation(ctx.env, undefined);
}

/** The state directory of the incidents this command works on: the local store's, or this laptop's copy of the team store's. */
export function incidentsRoot(ctx: Context): string {
  const location = ctx.store ?? storeLocation(ctx.env, undefined);
  return location.kind === 'postgres' ? replicaRoot(stateHome(ctx.env), location) : stateHome(ctx.env);
}

export function config(ctx: Context): LoadedConfig {
  if (!ctx.loadedConfig) throw new Error('config not prepared');
  return ctx.loadedConfig;
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

/** Warnings already printed (several readers may meet the same broken record in one command). */
const warned = new Set<string>();

export function home(ctx: Context): IncidentHome {
  return new IncidentHome(incidentsRoot(ctx), actor(ctx), () => ctx.clock.now(), {
    ignoreChain: ctx.global.ignoreChain ?? false,
    warn: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      ctx.term.err.write(`bud-incident: warning: ${message}\n`);
    },
  });
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

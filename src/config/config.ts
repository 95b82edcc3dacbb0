/**
 * The user's configuration: which kube contexts reach the control-plane cluster and the workload
 * clusters, the namespaces, the platform API and Keycloak URLs, and which environment variables
 * hold secrets. Found in this order (first wins):
 *
 *   1. --config FILE
 *   2. $BUD_INCIDENT_CONFIG
 *   3. ./.bud-incident.yaml (the current directory)
 *   4. $XDG_CONFIG_HOME/bud-incident/config.yaml (default ~/.config/bud-incident/config.yaml)
 *
 * No file is fine: the defaults are the playbook's namespaces and the current kube context.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError, errorCode } from '../errors.js';
import { YamlSource, formatDiagnostics, type Diagnostic } from '../runbook/diagnostics.js';

const Cluster = z.strictObject({
  kubeconfig: z.string().optional().describe('Path to the kubeconfig (default: $KUBECONFIG or ~/.kube/config).'),
  context: z.string().optional().describe('Context name inside the kubeconfig (default: its current context).'),
  description: z.string().optional(),
});

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  clusters: z.record(z.string(), Cluster).default({}).describe('Named clusters; "control-plane" is the default for kubectl steps.'),
  workloadCluster: z.string().optional().describe('The cluster steps marked "cluster: workload" use.'),
  namespaces: z.record(z.string(), z.string()).default({}),
  apiUrl: z.string().url().optional().describe('The Bud platform API, e.g. https://api.bud.example.com'),
  keycloakUrl: z.string().url().optional(),
  keycloakRealm: z.string().optional(),
  secretEnv: z.array(z.string()).default([]).describe('Environment variables whose values are secrets (TOKEN...).'),
  timeouts: z.strictObject({ check: z.union([z.string(), z.number()]).optional() }).optional(),
  actor: z.string().optional().describe('Your name in the timeline (default: $BUD_INCIDENT_ACTOR or the login name).'),
  runbookDirs: z.array(z.string()).default([]),
});

export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_NAMESPACES: Record<string, string> = {
  system: 'bud-system',
  data: 'bud-data',
  auth: 'bud-auth',
  workloads: 'bud-workloads',
};

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or undefined for built-in defaults. */
  file: string | undefined;
}

export function configCandidates(env: NodeJS.ProcessEnv, cwd: string, explicit?: string): Array<{ path: string; explicit: boolean }> {
  const out: Array<{ path: string; explicit: boolean }> = [];
  if (explicit) out.push({ path: resolve(cwd, explicit), explicit: true });
  if (env.BUD_INCIDENT_CONFIG) out.push({ path: resolve(cwd, env.BUD_INCIDENT_CONFIG), explicit: true });
  out.push({ path: join(cwd, '.bud-incident.yaml'), explicit: false });
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  out.push({ path: join(xdg, 'bud-incident', 'config.yaml'), explicit: false });
  return out;
}

export function parseConfig(file: string, text: string): { config?: Config; diagnostics: Diagnostic[] } {
  const source = new YamlSource(file, text);
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  const parsed = ConfigSchema.safeParse(value ?? {});
  if (!parsed.success) return { diagnostics: source.schemaDiagnostics(parsed.error.issues, Object.keys(ConfigSchema.shape)) };
  const config = parsed.data;
  config.namespaces = { ...DEFAULT_NAMESPACES, ...config.namespaces };
  const diagnostics: Diagnostic[] = [];
  if (config.workloadCluster && !config.clusters[config.workloadCluster]) {
    diagnostics.push(source.diagnosticAt(['workloadCluster'], `no cluster named "${config.workloadCluster}" under clusters`));
  }
  return diagnostics.length ? { diagnostics } : { config, diagnostics };
}

export function defaultConfig(): Config {
  return { clusters: {}, namespaces: { ...DEFAULT_NAMESPACES }, secretEnv: [], runbookDirs: [] };
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string, explicit?: string): LoadedConfig {
  for (const candidate of configCandidates(env, cwd, explicit)) {
    let text: string;
    try {
      text = readFileSync(candidate.path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT' && !candidate.explicit) continue;
      throw new UserError(
        `cannot read the config file ${candidate.path}: ${errorCode(error) === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      );
    }
    const { config, diagnostics } = parseConfig(candidate.path, text);
    if (!config)
      throw new UserError(`the config file ${candidate.path} has ${diagnostics.length} problem(s):`, 2, formatDiagnostics(diagnostics));
    return { config, file: candidate.path };
  }
  return { config: defaultConfig(), file: undefined };
}

/** Values of the config a runbook template may use, as `{{config.<key>}}`. */
export function configTemplateValues(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.namespaces)) out[`config.namespaces.${k}`] = v;
  if (config.apiUrl) out['config.apiUrl'] = config.apiUrl.replace(/\/+$/, '');
  if (config.keycloakUrl) out['config.keycloakUrl'] = config.keycloakUrl.replace(/\/+$/, '');
  if (config.keycloakRealm) out['config.keycloakRealm'] = config.keycloakRealm;
  if (config.workloadCluster) out['config.workloadCluster'] = config.workloadCluster;
  return out;
}

/** Config keys a runbook may reference, whether or not this user's config sets them (for validation). */
export function isKnownConfigKey(name: string): boolean {
  return /^config\.(namespaces\.[A-Za-z0-9_-]+|apiUrl|keycloakUrl|keycloakRealm|workloadCluster)$/.test(name);
}

/** What the user should set when a runbook needs a config value that is missing. */
export function configHint(name: string): string {
  const key = name.replace(/^config\./, '');
  return `set "${key}" in your config file (see "bud-incident config show" for where it is read from)`;
}

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
import { z } from 'zod';
import { UserError, errorCode } from '../errors.js';
import { parseDuration } from '../duration.js';
import { YamlSource, formatDiagnostics, type Diagnostic } from '../runbook/diagnostics.js';
import { DEFAULT_NAMESPACES, configCandidates, defaultConfig, type LoadedConfig } from './defaults.js';

const DurationText = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  error: 'must be a duration such as 30s, 5m, 2h or 1d',
});

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
  diagnosis: z
    .strictObject({
      recentRollout: DurationText.optional().describe('A revision younger than this is recent: a rollback candidate (default 2h).'),
      eventWindow: DurationText.optional().describe('Warning events older than this are history (default 30m).'),
      restartWindow: DurationText.optional().describe('Restarts older than this, with the pod ready now, are history (default 1h).'),
      startGrace: DurationText.optional().describe('A pod younger than this may still be starting (default 5m).'),
      maxClockSkew: DurationText.optional().describe(
        'A server clock further off than this is skewed (default 30s, the tolerance of common token validators).',
      ),
      mainDeployment: z
        .string()
        .optional()
        .describe('The main application deployment: with none of its pods serving, the platform is down (default budapp).'),
    })
    .optional()
    .describe('Thresholds of the judgement in triage and diagnosis checks.'),
});

export type Config = z.infer<typeof ConfigSchema>;

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

/**
 * The user's configuration: which kube contexts reach the control-plane cluster and the workload
 * clusters, the namespaces, the platform API and Keycloak URLs, and which environment variables
 * hold secrets. Found in this order:
 *
 *   1. --config FILE, alone
 *   2. $BUD_INCIDENT_CONFIG, alone
 *   3. ./.bud-incident.yaml (the current directory): a project file laid over the user's own
 *   4. $XDG_CONFIG_HOME/bud-incident/config.yaml (default ~/.config/bud-incident/config.yaml)
 *
 * A project file comes with whatever directory the responder happens to stand in (a cloned
 * repository), so it is trusted less than the user's own file: it may set namespaces, the realm,
 * timeouts and diagnosis thresholds, but it cannot add runbook directories (which could replace the
 * shipped runbooks), set the actor (who the timeline says did things), or choose clusters,
 * kubeconfigs, apiUrl or keycloakUrl (where credentials go, and a kubeconfig can name a program to
 * run) unless the user's file lists its directory under `trustedDirs`. What it tried and was not
 * allowed is said on stderr.
 *
 * No file is fine: the defaults are the playbook's namespaces and the current kube context.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UserError, errorCode, errorMessage } from '../errors.js';
import { isRecord } from '../guards.js';
import { parseDuration } from '../duration.js';
import { YamlSource, formatDiagnostics, type Diagnostic } from '../diagnostics.js';
import { DEFAULT_NAMESPACES, configCandidates, defaultConfig, implicitConfigPaths, type LoadedConfig } from './defaults.js';

const DurationText = z.union([z.string(), z.number()]).refine((v) => parseDuration(v) !== undefined, {
  error: 'must be a duration such as 30s, 5m, 2h or 1d',
});

/**
 * Values that end up as words of commands (`-n {{config.namespaces.data}}`, `--context X`) are held
 * to what they name, so a config file cannot slip a flag (`--kubeconfig=…`) or a control character
 * into a command the way a checked input could not.
 */
const NotAFlag = z
  .string()
  .min(1)
  .refine((v) => !v.startsWith('-') && !/[\u0000-\u001f\u007f]/.test(v), {
    error: 'must not start with "-" or contain control characters',
  });
const Namespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a Kubernetes namespace name (lower-case letters, digits and "-")' })
  .max(63);

const HttpUrl = z.url().refine((u) => /^https?:\/\/[^\s]+$/i.test(u), { error: 'must be an http:// or https:// URL' });

const Cluster = z.strictObject({
  kubeconfig: NotAFlag.optional().describe('Path to the kubeconfig (default: $KUBECONFIG or ~/.kube/config).'),
  context: NotAFlag.optional().describe('Context name inside the kubeconfig (default: its current context).'),
  description: z.string().optional(),
});

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  clusters: z.record(z.string(), Cluster).default({}).describe('Named clusters; "control-plane" is the default for kubectl steps.'),
  workloadCluster: NotAFlag.optional().describe('The cluster steps marked "cluster: workload" use.'),
  namespaces: z.record(z.string(), Namespace).default({}),
  apiUrl: HttpUrl.optional().describe('The Bud platform API, e.g. https://api.bud.example.com'),
  keycloakUrl: HttpUrl.optional(),
  keycloakRealm: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a realm name (letters, digits, ".", "_", "-")' })
    .optional(),
  secretEnv: z.array(z.string()).default([]).describe('Environment variables whose values are secrets (TOKEN...).'),
  timeouts: z.strictObject({ check: z.union([z.string(), z.number()]).optional() }).optional(),
  actor: z.string().optional().describe('Your name in the timeline (default: $BUD_INCIDENT_ACTOR or the login name).'),
  runbookDirs: z.array(z.string()).default([]),
  store: z
    .string()
    .refine((v) => v === 'local' || /^postgres(ql)?:\/\//.test(v), { error: 'must be "local" or a postgres:// URL' })
    .optional()
    .describe(
      'Where incidents are kept: "local" (default, files under $BUD_INCIDENT_HOME) or a team store, postgres://user@host:5432/db?sslmode=verify-full ($BUD_INCIDENT_STORE overrides).',
    ),
  trustedDirs: z
    .array(z.string())
    .default([])
    .describe(
      "Directories whose ./.bud-incident.yaml may add runbook directories and set the actor (only read from the user's own config).",
    ),
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

/**
 * What a project file (./.bud-incident.yaml) may set only when the user's own config trusts its
 * directory: where runbooks come from, who the record says acted, and everything that decides where
 * the responder's credentials go or what runs with them (a cluster's kubeconfig can name an exec
 * plugin; apiUrl and keycloakUrl receive $TOKEN).
 */
const TRUST_NEEDED: ReadonlySet<string> = new Set([
  'runbookDirs',
  'actor',
  'trustedDirs',
  'clusters',
  'workloadCluster',
  'apiUrl',
  'keycloakUrl',
  'store',
]);

function readConfigFile(path: string, explicit: boolean): { config: Config; raw: Record<string, unknown> } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT' && !explicit) return undefined;
    throw new UserError(`cannot read the config file ${path}: ${errorCode(error) === 'ENOENT' ? 'no such file' : errorMessage(error)}`);
  }
  const { config, diagnostics } = parseConfig(path, text);
  if (!config) throw new UserError(`the config file ${path} has ${diagnostics.length} problem(s):`, 2, formatDiagnostics(diagnostics));
  const raw = new YamlSource(path, text).toJS();
  return { config, raw: isRecord(raw) ? raw : {} };
}

/** The string values of a map read from YAML. */
function stringsOf(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Copies one field: its key ties what is read to where it is written. */
function copyField<K extends keyof Config>(to: Pick<Config, K>, from: Pick<Config, K>, key: K) {
  to[key] = from[key];
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string, explicit?: string): LoadedConfig {
  for (const candidate of configCandidates(env, cwd, explicit).filter((c) => c.explicit)) {
    const found = readConfigFile(candidate.path, true);
    if (found) return { config: found.config, file: candidate.path };
  }
  const { project: projectPath, user: userPath } = implicitConfigPaths(env, cwd);
  const user = readConfigFile(userPath, false);
  const project = readConfigFile(projectPath, false);
  if (!project) return user ? { config: user.config, file: userPath } : { config: defaultConfig(), file: undefined };
  const base = user?.config ?? defaultConfig();
  const here = real(dirname(projectPath));
  const trusted = base.trustedDirs.some((d) => real(resolve(dirname(userPath), d)) === here);
  const merged: Config = { ...base };
  const isKey = (key: string): key is keyof Config => key in project.config;
  const ignored: string[] = [];
  for (const key of Object.keys(project.raw)) {
    if (!isKey(key)) continue;
    if (!trusted && TRUST_NEEDED.has(key)) {
      ignored.push(key);
      continue;
    }
    // Maps and lists add to the user's; the rest replaces.
    // The project's own namespaces (its parsed config has the defaults filled in, which must not
    // replace the user's); the schema accepted them, so every value is a string.
    if (key === 'namespaces') merged.namespaces = { ...base.namespaces, ...stringsOf(project.raw.namespaces) };
    else if (key === 'clusters') merged.clusters = { ...base.clusters, ...project.config.clusters };
    else if (key === 'secretEnv') merged.secretEnv = [...new Set([...base.secretEnv, ...project.config.secretEnv])];
    else copyField(merged, project.config, key);
  }
  const warnings = ignored.length
    ? [
        `${projectPath}: ignored ${ignored.join(', ')}: a config file in the current directory may not add runbook directories, set the actor, or choose clusters, kubeconfigs or the URLs that receive your token unless your own config (${userPath}) lists ${here} under trustedDirs`,
      ]
    : [];
  return { config: merged, file: projectPath, ...(user ? { base: userPath } : {}), warnings };
}

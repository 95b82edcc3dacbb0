/**
 * The parts of the configuration that every command needs and that must load fast: where the
 * config file is looked for, the defaults, and the template values a runbook may use. The schema
 * and parser (zod, yaml) live in config.ts and are loaded only when a config file exists.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config.js';

export type { Config };

/** The playbook's namespace for each role; the config may override any of them (or add others). */
export const DEFAULT_NAMESPACES: Readonly<Record<'system' | 'data' | 'auth' | 'workloads' | 'dns', string>> = {
  system: 'bud-system',
  data: 'bud-data',
  auth: 'bud-auth',
  workloads: 'bud-workloads',
  dns: 'kube-system',
};

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or undefined for built-in defaults. */
  file: string | undefined;
  /** The user's own file a project file (./.bud-incident.yaml) was laid over. */
  base?: string;
  /** What the loader refused to take from an untrusted file, said once on stderr. */
  warnings?: string[];
}

export function configCandidates(env: NodeJS.ProcessEnv, cwd: string, explicit?: string): Array<{ path: string; explicit: boolean }> {
  const out: Array<{ path: string; explicit: boolean }> = [];
  if (explicit) out.push({ path: resolve(cwd, explicit), explicit: true });
  if (env.BUD_INCIDENT_CONFIG) out.push({ path: resolve(cwd, env.BUD_INCIDENT_CONFIG), explicit: true });
  const implicit = implicitConfigPaths(env, cwd);
  out.push({ path: implicit.project, explicit: false });
  out.push({ path: implicit.user, explicit: false });
  return out;
}

/** The files looked for when none is named: the project's (current directory) and the user's own. */
export function implicitConfigPaths(env: NodeJS.ProcessEnv, cwd: string): { project: string; user: string } {
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return { project: join(cwd, '.bud-incident.yaml'), user: join(xdg, 'bud-incident', 'config.yaml') };
}

export function defaultConfig(): Config {
  return { clusters: {}, namespaces: { ...DEFAULT_NAMESPACES }, secretEnv: [], runbookDirs: [], trustedDirs: [] };
}

/** The Keycloak realm the playbook uses, when the config names none. */
export const DEFAULT_KEYCLOAK_REALM = 'bud';

/** Values of the config a runbook template may use, as `{{config.<key>}}`. */
export function configTemplateValues(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.namespaces)) out[`config.namespaces.${k}`] = v;
  if (config.apiUrl) out['config.apiUrl'] = config.apiUrl.replace(/\/+$/, '');
  if (config.keycloakUrl) out['config.keycloakUrl'] = config.keycloakUrl.replace(/\/+$/, '');
  // The playbook's realm (§5.3: /realms/bud/) unless the config names another.
  out['config.keycloakRealm'] = config.keycloakRealm ?? DEFAULT_KEYCLOAK_REALM;
  if (config.workloadCluster) out['config.workloadCluster'] = config.workloadCluster;
  return out;
}

/** Config keys a runbook may reference, whether or not this user's config sets them (for validation). */
export function isKnownConfigKey(name: string): boolean {
  return (
    /^config\.(namespaces\.[A-Za-z0-9_-]+|apiUrl|keycloakUrl|keycloakRealm|workloadCluster)$/.test(name) ||
    /^incident\.(id|channel|title|severity|openedAt|commander|techLead)$/.test(name)
  );
}

/** What the user should set when a runbook needs a config value that is missing. */
export function configHint(name: string): string {
  const key = name.replace(/^config\./, '');
  return `set "${key}" in your config file (see "bud-incident config show" for where it is read from)`;
}

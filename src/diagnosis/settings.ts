/** The diagnosis thresholds and namespace roles, from the config with the defaults filled in. */
import type { Config } from '../config/config.js';
import { DEFAULT_NAMESPACES } from '../config/defaults.js';
import { parseDuration } from '../duration.js';
import { DEFAULT_SETTINGS, type DiagnosisSettings, type NamespaceRoles } from './snapshot.js';

export function diagnosisSettings(config: Pick<Config, 'diagnosis'>): DiagnosisSettings {
  const d = config.diagnosis ?? {};
  const pick = (v: string | number | undefined, fallback: number) => (v === undefined ? fallback : (parseDuration(v) ?? fallback));
  return {
    recentRolloutMs: pick(d.recentRollout, DEFAULT_SETTINGS.recentRolloutMs),
    eventWindowMs: pick(d.eventWindow, DEFAULT_SETTINGS.eventWindowMs),
    restartWindowMs: pick(d.restartWindow, DEFAULT_SETTINGS.restartWindowMs),
    startGraceMs: pick(d.startGrace, DEFAULT_SETTINGS.startGraceMs),
    maxClockSkewMs: pick(d.maxClockSkew, DEFAULT_SETTINGS.maxClockSkewMs),
    mainDeployment: d.mainDeployment ?? DEFAULT_SETTINGS.mainDeployment,
  };
}

export function namespaceRoles(config: Pick<Config, 'namespaces'>): NamespaceRoles {
  // A role the config leaves out keeps the playbook's namespace.
  const ns = config.namespaces ?? {};
  const d = DEFAULT_NAMESPACES;
  return {
    system: ns.system ?? d.system,
    data: ns.data ?? d.data,
    auth: ns.auth ?? d.auth,
    workloads: ns.workloads ?? d.workloads,
    dns: ns.dns ?? d.dns,
  };
}

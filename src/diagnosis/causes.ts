/** The causes a diagnosis can name: the vocabulary runbooks use in `expect: cause` and `requires`. Kept in a module of its own so the schema can list them without loading the analysis. */
/** Every cause the diagnosis can name. Runbooks refer to these in `requires`. */
export const CAUSE_IDS = [
  'control-plane',
  'node-lost',
  'node-network',
  'node-pressure',
  'database-down',
  'database-storage',
  'database-corruption',
  'database-oom',
  'database-replication',
  'database-credentials',
  'dns-failure',
  'bad-deployment',
  'bad-config',
  'image-pull',
  'keycloak-down',
  'certificate-expiry',
  'clock-skew',
  'gpu-oom',
  'model-serving-crash',
  'rate-limiting',
  'overload',
  'app-crash',
  'app-oom',
] as const;
export type CauseId = (typeof CAUSE_IDS)[number];

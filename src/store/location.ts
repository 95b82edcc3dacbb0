/**
 * Where the incidents live: the local file store (the default: no set-up, works on a plane) or a
 * team store in PostgreSQL (`store: postgres://…` in the config, or `$BUD_INCIDENT_STORE`).
 *
 * Light on purpose: it parses the URL with the platform's URL class and imports no PostgreSQL
 * client, so a command on the local store pays nothing for team mode. The password in a URL is a
 * secret: `display` never shows it, and nothing here records it.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export type StoreLocation =
  | { kind: 'local' }
  | {
      kind: 'postgres';
      /** The connection string as given (may hold a password: never print or record it). */
      url: string;
      /** The server and database without credentials, e.g. `postgres://alice@db.example:5432/incidents`. */
      display: string;
      /** A short stable name for this store's replica directory under the state home. */
      key: string;
    };

/** Where the setting came from, for error messages. */
export type StoreSource = 'BUD_INCIDENT_STORE' | 'config';

/**
 * The store named by `$BUD_INCIDENT_STORE` (first) or the config's `store:`; `local` (or nothing)
 * is the local file store. A URL that is not PostgreSQL's is refused with where it came from.
 */
export function storeLocation(env: NodeJS.ProcessEnv, configured: string | undefined, configFile?: string): StoreLocation {
  const fromEnv = env.BUD_INCIDENT_STORE?.trim();
  const value = fromEnv || configured?.trim();
  const source: string = fromEnv ? '$BUD_INCIDENT_STORE' : `the config's "store" (${configFile ?? 'config'})`;
  if (!value || value === 'local') return { kind: 'local' };
  return postgresLocation(value, source, env);
}

/**
 * Parses a `postgres://` / `postgresql://` URL; the error names where it came from, never its
 * password. What the URL leaves out comes from `$PGHOST`, `$PGPORT`, `$PGDATABASE` and `$PGUSER`,
 * as the client will take it, so the name shown, and the directory of this laptop's copy, are those
 * of the server actually used.
 */
export function postgresLocation(value: string, source: string, env: NodeJS.ProcessEnv = {}): Extract<StoreLocation, { kind: 'postgres' }> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${source} is not a store URL: expected "local" or postgres://user@host:port/database`, 2);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UserError(
      `${source}: "${url.protocol.replace(/:$/, '')}" stores are not supported; expected "local" or postgres://user@host:port/database`,
      2,
    );
  const host = url.hostname || url.searchParams.get('host') || env.PGHOST || 'localhost';
  const port = url.port || url.searchParams.get('port') || env.PGPORT || '5432';
  const name = url.username ? decodeURIComponent(url.username) : env.PGUSER;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || env.PGDATABASE || name || '(default database)';
  const user = name ? `${name}@` : '';
  const display = `postgres://${user}${host}:${port}/${database}`;
  const key = createHash('sha256').update(`${host}:${port}/${database}`).digest('hex').slice(0, 12);
  return { kind: 'postgres', url: value, display, key };
}

/** The state directory that holds this laptop's copy of a team store's incidents (and its outbox). */
export function replicaRoot(stateHome: string, location: Extract<StoreLocation, { kind: 'postgres' }>): string {
  return join(stateHome, 'team', location.key);
}

/**
 * TLS to the team store the way psql does it (libpq's `sslmode`), on node-postgres.
 *
 * node-postgres reads `sslmode=require` as "verify the certificate fully" (and warns on every
 * connection), and uses no TLS at all when nothing is said; libpq, which every SRE's psql and
 * connection strings follow, encrypts without verifying for `require`, and by default (`prefer`)
 * tries TLS first and falls back to a plain connection when the server has none. So the URL given to
 * node-postgres asks for libpq's meaning (`uselibpqcompat=true`), takes the `PGSSL*` variables when
 * the URL does not say, and `prefer` and `allow` become two attempts.
 */

import { accessSync, constants } from 'node:fs';

/** libpq's TLS settings from the environment, and the URL parameter each stands for. */
const TLS_VARIABLES = [
  ['sslmode', 'PGSSLMODE'],
  ['sslrootcert', 'PGSSLROOTCERT'],
  ['sslcert', 'PGSSLCERT'],
  ['sslkey', 'PGSSLKEY'],
] as const;

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ConnectAttempt {
  /** The connection string for node-postgres (may hold the password: never print it). */
  url: string;
  /** The TLS mode of this attempt. */
  mode: SslMode;
}

/**
 * The connection attempts for a store URL, in order: one, or two for `prefer` (TLS, then plain when
 * the server has no TLS) and `allow` (plain, then TLS when the server asks for it). An unknown
 * `sslmode` is refused, as psql refuses it.
 */
export function connectAttempts(url: string, env: NodeJS.ProcessEnv): { wanted: SslMode; attempts: ConnectAttempt[] } {
  const u = new URL(url);
  const params = u.searchParams;
  for (const [param, variable] of TLS_VARIABLES) {
    const value = env[variable];
    if (!params.has(param) && value) params.set(param, value);
  }
  // node-postgres reads these files itself, and a missing one would surface as a crash.
  for (const name of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = params.get(name);
    if (file !== null && !readable(file)) throw new TypeError(`${name}=${file}: no such readable file`);
  }
  const given = params.get('sslmode') ?? 'prefer';
  // node-postgres's own spelling of "encrypt, do not verify".
  const wanted = given === 'no-verify' ? 'require' : given;
  if (!isMode(wanted)) throw new TypeError(`invalid sslmode "${given}": expected one of ${MODES.join(', ')} (as psql takes it)`);
  if (!params.has('uselibpqcompat')) params.set('uselibpqcompat', 'true');
  const as = (mode: SslMode): ConnectAttempt => {
    const copy = new URL(u);
    copy.searchParams.set('sslmode', mode);
    return { url: copy.toString(), mode };
  };
  if (wanted === 'prefer') return { wanted, attempts: [as('require'), as('disable')] };
  if (wanted === 'allow') return { wanted, attempts: [as('disable'), as('require')] };
  return { wanted, attempts: [as(wanted)] };
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function isMode(value: string): value is SslMode {
  return MODES.includes(value);
}

/**
 * Whether the next attempt is worth making after this error: the server has no TLS (`prefer`), or
 * it refused a plain connection (`allow`). Anything else (a wrong password, a certificate that does
 * not verify, no server) is the answer.
 */
export function tryNext(mode: SslMode, message: string, code: string | undefined): boolean {
  if (mode === 'require') return /does not support SSL/i.test(message);
  if (mode === 'disable') return code === '28000' && /no encryption|SSL off/i.test(message);
  return false;
}

/** What the connection's TLS is, in words for `store status`. */
export function describeTls(wanted: SslMode, version: string | undefined): string {
  if (!version)
    return wanted === 'disable' || wanted === 'allow'
      ? `not encrypted (sslmode=${wanted})`
      : `not encrypted (sslmode=${wanted}: the server offers no TLS)`;
  const checked =
    wanted === 'verify-full'
      ? 'server certificate and name verified'
      : wanted === 'verify-ca'
        ? 'server certificate verified, not its name'
        : 'server certificate NOT verified (use sslmode=verify-full with sslrootcert to verify it)';
  return `encrypted (${version}), ${checked}`;
}

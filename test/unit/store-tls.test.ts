import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAttempts, describeTls, tryNext } from '../../src/store/tls.js';
import { storeLocation } from '../../src/store/location.js';

const modes = (url: string, env: NodeJS.ProcessEnv = {}) => connectAttempts(url, env).attempts.map((a) => a.mode);
const param = (url: string, name: string) => new URL(url).searchParams.get(name);

describe('sslmode as psql reads it', () => {
  it('defaults to prefer: TLS first, then a plain connection only when the server has no TLS', () => {
    expect(connectAttempts('postgres://a@db/x', {}).wanted).toBe('prefer');
    expect(modes('postgres://a@db/x')).toEqual(['require', 'disable']);
    expect(tryNext('require', 'The server does not support SSL connections', undefined)).toBe(true);
    expect(tryNext('require', 'self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT')).toBe(false);
    expect(tryNext('require', 'password authentication failed for user "a"', '28P01')).toBe(false);
  });

  it('allow: plain first, TLS when the server refuses a plain connection', () => {
    expect(modes('postgres://a@db/x?sslmode=allow')).toEqual(['disable', 'require']);
    expect(tryNext('disable', 'no pg_hba.conf entry for host "10.0.0.1", user "a", database "x", no encryption', '28000')).toBe(true);
  });

  it('one attempt for the strict modes, with libpq semantics asked of node-postgres', () => {
    for (const m of ['disable', 'require', 'verify-ca', 'verify-full'] as const) {
      const { attempts } = connectAttempts(`postgres://a@db/x?sslmode=${m}`, {});
      expect(attempts.map((a) => a.mode)).toEqual([m]);
      expect(param(attempts[0]?.url ?? '', 'uselibpqcompat')).toBe('true');
    }
    expect(modes('postgres://a@db/x?sslmode=no-verify')).toEqual(['require']);
  });

  it('takes $PGSSLMODE and $PGSSLROOTCERT when the URL does not say; the URL wins', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'bud-tls-')), 'ca.pem');
    writeFileSync(ca, 'not checked here');
    const env = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca };
    const [a] = connectAttempts('postgres://a@db/x', env).attempts;
    expect(a?.mode).toBe('verify-full');
    expect(param(a?.url ?? '', 'sslrootcert')).toBe(ca);
    expect(modes('postgres://a@db/x?sslmode=disable', env)).toEqual(['disable']);
    // A certificate file that is not there is named (node-postgres would crash reading it).
    expect(() => connectAttempts('postgres://a@db/x', { PGSSLROOTCERT: '/nonexistent/ca.pem' })).toThrow(
      'sslrootcert=/nonexistent/ca.pem: no such readable file',
    );
  });

  it('keeps the password in the connection string as given (percent-encoded)', () => {
    const [a] = connectAttempts('postgres://a:p%40ss%2Fw@db:6432/x?application_name=z', {}).attempts;
    const u = new URL(a?.url ?? '');
    expect(u.password).toBe('p%40ss%2Fw');
    expect(u.port).toBe('6432');
    expect(u.searchParams.get('application_name')).toBe('z');
  });

  it('refuses an sslmode psql does not know', () => {
    expect(() => connectAttempts('postgres://a@db/x?sslmode=requried', {})).toThrow(/invalid sslmode "requried"/);
  });

  it('says whether the certificate was checked', () => {
    expect(describeTls('require', 'TLSv1.3')).toMatch(/encrypted \(TLSv1.3\), server certificate NOT verified/);
    expect(describeTls('verify-full', 'TLSv1.3')).toBe('encrypted (TLSv1.3), server certificate and name verified');
    expect(describeTls('prefer', undefined)).toMatch(/not encrypted \(sslmode=prefer: the server offers no TLS\)/);
  });
});

describe('the store a URL names', () => {
  it('fills what the URL leaves out from $PGHOST, $PGPORT, $PGDATABASE and $PGUSER, so two servers never share a copy', () => {
    const env = { PGHOST: 'db.prod.internal', PGPORT: '6432', PGUSER: 'oncall', PGDATABASE: 'incidents' };
    const viaEnv = storeLocation({ ...env, BUD_INCIDENT_STORE: 'postgres://' }, undefined);
    expect(viaEnv).toMatchObject({ kind: 'postgres', display: 'postgres://oncall@db.prod.internal:6432/incidents' });
    const staging = storeLocation({ ...env, PGHOST: 'db.staging.internal', BUD_INCIDENT_STORE: 'postgres://' }, undefined);
    expect(staging.kind === 'postgres' && viaEnv.kind === 'postgres' && staging.key !== viaEnv.key).toBe(true);
    // The URL wins over the variables.
    expect(storeLocation({ ...env, BUD_INCIDENT_STORE: 'postgres://bob@10.0.0.5:5432/team' }, undefined)).toMatchObject({
      display: 'postgres://bob@10.0.0.5:5432/team',
    });
    // And a password in it is never part of the name.
    expect(JSON.stringify(storeLocation({ BUD_INCIDENT_STORE: 'postgres://bob:hunter2@db/team' }, undefined))).not.toMatch(
      /"display":"[^"]*hunter2/,
    );
  });
});

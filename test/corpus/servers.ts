/**
 * Loopback servers the corpus needs besides the Kubernetes API: Keycloak's HTTPS endpoint (a valid or
 * an expired certificate from a throwaway CA, a Date header skewed by N seconds, or an ingress 503)
 * and the platform API (GET /endpoints with a bearer token; 429 with Retry-After). All listen on
 * 127.0.0.1 and an ephemeral port. Certificates are made with the openssl CLI (`openssl ca` with
 * -startdate/-enddate, since `openssl x509 -days` cannot go negative).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL = process.env.OPENSSL ?? '/usr/bin/openssl';

export interface LoopbackServer {
  url: string;
  port: number;
  /** Requests seen, for assertions ("METHOD path"). */
  requests: string[];
  stop(): Promise<void>;
}

export interface CertificateAuthority {
  dir: string;
  caFile: string;
  caKey: string;
}

export interface ServerCertificate {
  certFile: string;
  keyFile: string;
  caFile: string;
  notBefore: Date;
  notAfter: Date;
}

let caPromise: Promise<CertificateAuthority> | undefined;
const dirs: string[] = [];

/** One throwaway CA per process (in a temp dir, removed on exit). */
export function certificateAuthority(): Promise<CertificateAuthority> {
  caPromise ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bud-corpus-ca-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'newcerts'));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ ca ]',
        'default_ca = bud_ca',
        '[ bud_ca ]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir/newcerts',
        'serial = $dir/serial',
        'certificate = $dir/ca.crt',
        'private_key = $dir/ca.key',
        'default_md = sha256',
        'policy = policy_any',
        'copy_extensions = none',
        'unique_subject = no',
        '[ policy_any ]',
        'commonName = supplied',
        '[ server_ext ]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        'subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:keycloak.bud.example',
        '',
      ].join('\n'),
    );
    await run(OPENSSL, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-days',
      '3650',
      '-subj',
      '/O=Bud Test/CN=Bud Test Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { dir, caFile: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') };
  })();
  return caPromise;
}

process.once('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** openssl's GeneralizedTime: YYYYMMDDHHMMSSZ. */
function asn1Time(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

let serial = 0;

/**
 * A server certificate for 127.0.0.1/localhost/keycloak.bud.example signed by the test CA: 'valid'
 * (from a day ago to 89 days ahead) or 'expired' (from 90 days ago to `expiredAgo`, default 3 h ago).
 */
export async function serverCertificate(
  kind: 'valid' | 'expired',
  now = new Date(),
  expiredAgoMs = 3 * 3600_000,
): Promise<ServerCertificate> {
  const ca = await certificateAuthority();
  const n = ++serial;
  const keyFile = join(ca.dir, `server-${n}.key`);
  const csr = join(ca.dir, `server-${n}.csr`);
  const certFile = join(ca.dir, `server-${n}.crt`);
  const day = 86_400_000;
  const notBefore = new Date(now.getTime() - (kind === 'valid' ? day : 90 * day));
  const notAfter = new Date(kind === 'valid' ? now.getTime() + 89 * day : now.getTime() - expiredAgoMs);
  await run(OPENSSL, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    csr,
    '-subj',
    '/CN=keycloak.bud.example',
  ]);
  await run(OPENSSL, [
    'ca',
    '-batch',
    '-config',
    join(ca.dir, 'ca.cnf'),
    '-extensions',
    'server_ext',
    '-startdate',
    asn1Time(notBefore),
    '-enddate',
    asn1Time(notAfter),
    '-in',
    csr,
    '-out',
    certFile,
    '-notext',
  ]);
  return {
    certFile,
    keyFile,
    caFile: ca.caFile,
    notBefore: new Date(Math.floor(notBefore.getTime() / 1000) * 1000),
    notAfter: new Date(Math.floor(notAfter.getTime() / 1000) * 1000),
  };
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const NGINX_503 =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

export interface KeycloakOptions {
  certificate: 'valid' | 'expired';
  /** The server's clock is this far ahead (negative: behind): its Date header shows it. */
  skewSeconds?: number;
  /** Answer everything with this status, as the ingress does when Keycloak is down (503). */
  status?: number;
  realm?: string;
  now?: Date;
}

export interface KeycloakServer extends LoopbackServer {
  caFile: string;
  certificate: ServerCertificate;
}

/** Keycloak behind its ingress: the realm's OpenID configuration, JWKS, and /health/ready. */
export async function startKeycloak(o: KeycloakOptions): Promise<KeycloakServer> {
  const cert = await serverCertificate(o.certificate, o.now ?? new Date());
  const realm = o.realm ?? 'bud';
  const requests: string[] = [];
  let base = '';
  const server = createHttpsServer(
    { key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile) },
    (req: IncomingMessage, res: ServerResponse) => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('Date', new Date(Date.now() + (o.skewSeconds ?? 0) * 1000).toUTCString());
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      if (o.status && o.status !== 200) {
        res.writeHead(o.status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(NGINX_503) });
        res.end(NGINX_503);
        return;
      }
      const issuer = `${base}/realms/${realm}`;
      const oidc = `${issuer}/protocol/openid-connect`;
      if (path === `/realms/${realm}/.well-known/openid-configuration`)
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${oidc}/auth`,
          token_endpoint: `${oidc}/token`,
          introspection_endpoint: `${oidc}/token/introspect`,
          userinfo_endpoint: `${oidc}/userinfo`,
          end_session_endpoint: `${oidc}/logout`,
          jwks_uri: `${oidc}/certs`,
          check_session_iframe: `${oidc}/login-status-iframe.html`,
          grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'],
          response_types_supported: [
            'code',
            'none',
            'id_token',
            'token',
            'id_token token',
            'code id_token',
            'code token',
            'code id_token token',
          ],
          subject_types_supported: ['public', 'pairwise'],
          id_token_signing_alg_values_supported: [
            'PS384',
            'RS384',
            'EdDSA',
            'ES384',
            'HS256',
            'HS512',
            'ES256',
            'RS256',
            'HS384',
            'ES512',
            'PS256',
            'PS512',
            'RS512',
          ],
          token_endpoint_auth_methods_supported: [
            'private_key_jwt',
            'client_secret_basic',
            'client_secret_post',
            'tls_client_auth',
            'client_secret_jwt',
          ],
          scopes_supported: ['openid', 'profile', 'email', 'roles', 'offline_access', 'web-origins'],
        });
      if (path === `/realms/${realm}/protocol/openid-connect/certs`)
        return json(res, 200, {
          keys: [
            {
              kid: 'gq3n3UjV2oTx3sN0bGx8HkM1yW4nW0rK9tqX2cQ7f1A',
              kty: 'RSA',
              alg: 'RS256',
              use: 'sig',
              n: 'u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw',
              e: 'AQAB',
            },
          ],
        });
      if (path === `/realms/${realm}`)
        return json(res, 200, {
          realm,
          public_key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0',
          'token-service': oidc,
          'account-service': `${issuer}/account`,
          'tokens-not-before': 0,
        });
      if (path === '/health/ready' || path === '/health/live' || path === '/health') return json(res, 200, { status: 'UP', checks: [] });
      if (path.startsWith('/realms/')) return json(res, 404, { error: 'Realm does not exist', error_description: 'Realm does not exist' });
      return json(res, 404, {
        error: 'Unable to find matching target resource method',
        error_description: 'For more on this error consult the server log.',
      });
    },
  );
  const l = await listen(server, 'https');
  base = l.url;
  return { ...l, requests, caFile: cert.caFile, certificate: cert };
}

export interface PlatformApiOptions {
  status: number;
  endpoints?: Array<{ name: string; status: string }>;
  /** The bearer token required (default: any bearer token is accepted; none → 401). */
  token?: string;
  retryAfterSeconds?: number;
}

/** The platform API (budapp behind its ingress): GET /endpoints → [{ name, status }]. */
export async function startPlatformApi(o: PlatformApiOptions): Promise<LoopbackServer> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    const auth = String(req.headers.authorization ?? '');
    if (path !== '/endpoints' && path !== '/health') return json(res, 404, { detail: 'Not Found' });
    if (path === '/health') return json(res, o.status >= 500 ? o.status : 200, { status: o.status >= 500 ? 'unavailable' : 'ok' });
    if (!auth.startsWith('Bearer ') || (o.token !== undefined && auth !== `Bearer ${o.token}`))
      return json(res, 401, { detail: 'Not authenticated' }, { 'WWW-Authenticate': 'Bearer' });
    if (o.status === 429) {
      const retry = o.retryAfterSeconds ?? 30;
      return json(
        res,
        429,
        { detail: 'Rate limit exceeded: 100 per 1 minute' },
        {
          'Retry-After': String(retry),
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + retry),
        },
      );
    }
    if (o.status === 502 || o.status === 503 || o.status === 504) {
      const body =
        o.status === 503
          ? NGINX_503
          : `<html><head><title>${o.status}</title></head><body><center><h1>${o.status}</h1></center><hr><center>nginx</center></body></html>\r\n`;
      res.writeHead(o.status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (o.status !== 200) return json(res, o.status, { detail: 'Internal Server Error' });
    return json(res, 200, o.endpoints ?? []);
  });
  const l = await listen(server, 'http');
  return { ...l, requests };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  const l = await listen(server, 'http');
  await l.stop();
  return l.port;
}

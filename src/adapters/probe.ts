/**
 * Read-only network probes for native checks: a TLS certificate's dates and a server's clock.
 * Errors are values with a responder-readable reason.
 */
// node:tls and node:https are imported on use: loading them costs ~5 ms at every start otherwise.
import { errorCode } from '../errors.js';
import { stringField } from '../guards.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Whether the chain verified against the system's trust store. */
  authorized: boolean;
  authorizationError?: string;
}

export interface ServerClock {
  /** The server's Date header. */
  serverDate: string;
  /** Local time at the middle of the request (to halve the round trip). */
  localMid: string;
  roundTripMs: number;
}

export type ProbeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Prober {
  certificate(url: string, timeoutMs: number): Promise<ProbeResult<CertificateInfo>>;
  clock(url: string, timeoutMs: number): Promise<ProbeResult<ServerClock>>;
}

function netReason(error: unknown, url: string): string {
  const message = stringField(error, 'message') ?? String(error);
  return `cannot reach ${url}: ${errorCode(error) ?? ''} ${message}`.replace(/\s+/g, ' ').trim();
}

export class NodeProber implements Prober {
  constructor(private readonly now: () => number = () => Date.now()) {}

  async certificate(url: string, timeoutMs: number): Promise<ProbeResult<CertificateInfo>> {
    const { connect } = await import('node:tls');
    return new Promise((resolve) => {
      const u = URL.canParse(url) ? new URL(url) : undefined;
      if (!u) {
        resolve({ ok: false, reason: `not a URL: ${url}` });
        return;
      }
      // rejectUnauthorized false: an expired certificate must still be read to report its dates.
      const socket = connect({
        host: u.hostname,
        port: Number(u.port || 443),
        servername: u.hostname,
        rejectUnauthorized: false,
        timeout: timeoutMs,
      });
      socket.once('secureConnect', () => {
        const cert = socket.getPeerCertificate();
        const info: CertificateInfo = {
          subject: String(cert.subject?.CN ?? ''),
          issuer: String(cert.issuer?.CN ?? cert.issuer?.O ?? ''),
          validFrom: new Date(cert.valid_from).toISOString(),
          validTo: new Date(cert.valid_to).toISOString(),
          authorized: socket.authorized,
          ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
        };
        socket.end();
        resolve({ ok: true, value: info });
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve({ ok: false, reason: `no TLS answer from ${u.host} within ${timeoutMs / 1000}s` });
      });
      socket.once('error', (error) => resolve({ ok: false, reason: netReason(error, url) }));
    });
  }

  async clock(url: string, timeoutMs: number): Promise<ProbeResult<ServerClock>> {
    const [{ request: httpsRequest }, { request: httpRequest }] = await Promise.all([import('node:https'), import('node:http')]);
    return new Promise((resolve) => {
      const start = this.now();
      const u = URL.canParse(url) ? new URL(url) : undefined;
      if (!u) {
        resolve({ ok: false, reason: `not a URL: ${url}` });
        return;
      }
      const req = (u.protocol === 'http:' ? httpRequest : httpsRequest)(
        u,
        { method: 'HEAD', timeout: timeoutMs, rejectUnauthorized: false },
        (res) => {
          const end = this.now();
          res.resume();
          const date = res.headers.date;
          if (!date) resolve({ ok: false, reason: `${u.host} sent no Date header` });
          else
            resolve({
              ok: true,
              value: {
                serverDate: new Date(date).toISOString(),
                localMid: new Date((start + end) / 2).toISOString(),
                roundTripMs: end - start,
              },
            });
        },
      );
      req.once('timeout', () => {
        req.destroy();
        resolve({ ok: false, reason: `no answer from ${u.host} within ${timeoutMs / 1000}s` });
      });
      req.once('error', (error) => resolve({ ok: false, reason: netReason(error, url) }));
      req.end();
    });
  }
}

/**
 * A local Bud API (127.0.0.1 only) serving an audit export of tens of MiB, for the security
 * runbook's steps run through the built binary: `/audit/export` answers the export, `/users/…` an
 * active account, anything else 404, and a request without the responder's token 401.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const RESPONDER_TOKEN = 'responder-token';
/** What each entry's `authorization` starts with: a bearer token the timeline must never show. */
export const TOKEN_SHAPE = 'Bearer abc.def.ghi';

/**
 * About `mib` MiB of audit log: a JSON array, one object a line, each with a session id and a
 * bearer token; every seventh a failed login. `detail` pads each entry (a field jq projections
 * drop), and `last` is the action of the final entry.
 */
export function auditExport(options: { mib: number; detail?: number; last?: string }): Buffer {
  const parts: string[] = [];
  const detail = options.detail ? `,"detail":"${'x'.repeat(options.detail)}"` : '';
  let size = 0;
  const row = (i: number, action: string) =>
    `${i ? ',\n' : '['}{"timestamp":"2026-11-28T02:10:00Z","action":"${action}","ip":"198.51.100.23","session":"sess-${i}","authorization":"${TOKEN_SHAPE}${i}"${detail}}`;
  let i = 0;
  for (; size < options.mib * 1024 * 1024; i++) {
    const r = row(i, i % 7 ? 'endpoint.read' : 'login_failed');
    parts.push(r);
    size += r.length;
  }
  if (options.last) parts.push(row(i, options.last));
  parts.push(']\n');
  return Buffer.from(parts.join(''));
}

export interface AuditApi {
  url: string;
  close(): Promise<void>;
}

/** Serves `body` as the audit export on 127.0.0.1 (a free port). */
export async function serveAuditApi(body: Buffer): Promise<AuditApi> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${RESPONDER_TOKEN}`) {
      res.statusCode = 401;
      res.end();
    } else if (req.url?.startsWith('/users/')) res.end('{"id":"u-7","status":"ACTIVE"}');
    else if (req.url?.startsWith('/audit/export')) res.end(body);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

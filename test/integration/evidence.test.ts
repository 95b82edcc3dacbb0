/**
 * §5.5 evidence through the built binary: the security runbook's audit export, served by a local
 * API (127.0.0.1) larger than the 16 MiB output cap and full of bearer tokens, is kept byte for
 * byte where only the user can read it, with the hash the timeline records; the terminal and the
 * timeline show a redacted preview; `timeline verify` notices a flipped byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, openSync, writeSync, readSync, closeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../support/cli.js';
import { auditExport, RESPONDER_TOKEN, serveAuditApi, TOKEN_SHAPE, type AuditApi } from '../support/audit-api.js';

let api: AuditApi;
let body: Buffer;
let url: string;

beforeAll(async () => {
  // ~20 MiB of audit log, one JSON object a line, each with a session id and a bearer token.
  body = auditExport({ mib: 20 });
  api = await serveAuditApi(body);
  url = api.url;
});
afterAll(() => api.close());

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

describe('security-incident: the audit export is evidence', () => {
  it('is kept byte for byte (over 16 MiB, tokens included) in a 0600 file in a 0700 dir, its sha256 recorded; only a redacted preview is shown; verify catches a flipped byte', async () => {
    expect(body.length).toBeGreaterThan(16 * 1024 * 1024);
    const box = sandbox({ TOKEN: RESPONDER_TOKEN });
    const r = await box.run(['run', 'security-incident', '--var', 'userId=u-7', '--var', `apiUrl=${url}`], { timeoutMs: 60_000 });
    // The terminal: a redacted preview and where the evidence is, never a token.
    expect(r.stdout).toContain('Bearer [REDACTED]');
    expect(r.stdout).not.toContain('abc.def.ghi');
    expect(r.stdout).toContain('evidence kept unaltered');

    const incidents = join(box.home, 'incidents');
    const dir = join(incidents, readdirSync(incidents)[0]!);
    const timeline = readFileSync(join(dir, 'timeline.jsonl'), 'utf8');
    expect(timeline).not.toContain('abc.def.ghi');
    const events = timeline
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const preserved = events.filter((e) => e.type === 'evidence.preserved').map((e) => e.data);
    expect(preserved).toHaveLength(1);
    const { path, sha256: recorded, bytes, stepId } = preserved[0] as { path: string; sha256: string; bytes: number; stepId: string };
    expect(stepId).toBe('preserve-audit');
    expect(path.startsWith('evidence/')).toBe(true);
    const file = join(dir, path);
    // What a user checks: sha256sum of the file = the recorded hash = the bytes the API served.
    const summed = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(summed).toBe(recorded);
    expect(recorded).toBe(sha256(body));
    expect(bytes).toBe(body.length);
    expect(readFileSync(file).includes(`${TOKEN_SHAPE}0"`)).toBe(true);
    // Only the user can read it.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'evidence')).mode & 0o777).toBe(0o700);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    // The step's record keeps a redacted preview (its first lines), not the export.
    const finished = events.find((e) => e.type === 'step.finished' && e.data.stepId === 'preserve-audit')!.data;
    const tail = (finished.outputTail as string[]).join('\n');
    expect(tail).toContain('"session":"sess-0"');
    expect(tail).toContain('Bearer [REDACTED]');
    expect(tail.length).toBeLessThan(4096);

    const ok = await box.run(['timeline', 'verify']);
    expect(ok.code).toBe(0);
    // A flipped byte in the middle of the evidence: verify fails and names the file.
    chmodSync(file, 0o600);
    const fd = openSync(file, 'r+');
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, 18 * 1024 * 1024);
    one[0] = one[0]! ^ 0x01;
    writeSync(fd, one, 0, 1, 18 * 1024 * 1024);
    closeSync(fd);
    const bad = await box.run(['timeline', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(path);
    expect(bad.stdout).toContain('changed');
  }, 60_000);
});

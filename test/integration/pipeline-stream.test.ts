/**
 * A pipeline streams, as a shell's would: the security runbook's `investigate` step
 * (`curl … /audit/export | jq -c '.[] | {timestamp, action, ip, resource}'`) against a local API
 * (127.0.0.1) serving an export of ~20 MiB, five times the 4 MiB kept to judge a check. jq must
 * read all of it: the export's LAST entry is a bulk export, and the data-exfiltration finding
 * naming it proves jq saw the whole document (a cut one fails to parse: "jq failed").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../support/cli.js';
import { auditExport, RESPONDER_TOKEN, serveAuditApi, type AuditApi } from '../support/audit-api.js';

const hasJq = spawnSync('jq', ['--version']).status === 0;
let api: AuditApi;
let body: Buffer;

beforeAll(async () => {
  // Entries padded with a detail jq's projection drops: 20 MiB in, under 4 MiB out (all of it judged).
  body = auditExport({ mib: 20, detail: 900, last: 'bulk_export' });
  api = await serveAuditApi(body);
});
afterAll(() => api.close());

describe.skipIf(!hasJq)('a pipeline into a process streams (needs jq on PATH)', () => {
  it('security-incident investigate: an audit export of ~20 MiB goes through jq whole; its last entry (bulk_export) raises data-exfiltration', async () => {
    expect(body.length).toBeGreaterThan(20 * 1024 * 1024);
    const box = sandbox({ TOKEN: RESPONDER_TOKEN });
    const r = await box.run(['run', 'security-incident', '--var', 'userId=u-7', '--var', `apiUrl=${api.url}`], { timeoutMs: 90_000 });
    const incidents = join(box.home, 'incidents');
    const dir = join(incidents, readdirSync(incidents)[0]!);
    const events = readFileSync(join(dir, 'timeline.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    const investigate = events.find((e) => e.type === 'step.finished' && e.data.stepId === 'investigate')?.data;
    expect(investigate, r.stdout + r.stderr).toBeDefined();
    expect(investigate!.reason ?? '').not.toMatch(/jq/);
    expect(investigate!.status).toBe('failed');
    expect(investigate!.exitCode).toBe(0);
    // Everything jq printed was judged: nothing was cut on the way.
    expect(investigate!.notes).toBeUndefined();
    const raised = events.filter((e) => e.type === 'finding.raised' && e.data.stepId === 'investigate').map((e) => e.data);
    expect(raised.map((f) => f.findingId).sort()).toEqual(['data-exfiltration', 'failed-logins']);
    expect(raised.find((f) => f.findingId === 'data-exfiltration')!.message).toContain('"action":"bulk_export"');
    // What the responder reads on the terminal.
    expect(r.stdout).toMatch(/FINDING u-7 exported or downloaded data: .*"action":"bulk_export"/);
  }, 120_000);
});

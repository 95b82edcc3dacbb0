import { describe, expect, it } from 'vitest';
import { evaluateExpectation, explainFailure, parseJsonStream, valuesAt } from '../../src/engine/expect.js';
import type { ExpectationDef } from '../../src/runbook/schema.js';

const finding = { id: 'f', message: 'm' };
const out = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const ex = (e: Partial<ExpectationDef>) => ({ finding, ...e });

describe('expectations', () => {
  it.each([
    [ex({ exitCode: 0 }), out('', 0), true],
    [ex({ exitCode: 0 }), out('', 2), false],
    [ex({ matches: 'accepting connections' }), out('/x:5432 - accepting connections\n'), true],
    [ex({ matches: 'accepting connections' }), out('/x:5432 - no response\n'), false],
    [ex({ notMatches: 'CrashLoopBackOff' }), out('a Running\nb CrashLoopBackOff\n'), false],
    [ex({ notMatches: 'crashloopbackoff', ignoreCase: true }), out('b CrashLoopBackOff\n'), false],
    [ex({ notMatches: 'error', stream: 'stderr' }), out('error in stdout', 0, 'fine'), true],
    [ex({ maxLines: 1 }), out('a\nb\n'), false],
    [ex({ json: { path: 'status', equals: 'ready' } }), out('{"name":"a","status":"ready"}\n{"name":"b","status":"ready"}'), true],
    [ex({ json: { path: 'status', equals: 'ready' } }), out('{"name":"a","status":"ready"}\n{"name":"b","status":"failed"}'), false],
    [ex({ json: { path: '[].status', oneOf: ['ready', 'scaling'] } }), out('[{"status":"ready"},{"status":"scaling"}]'), true],
    [ex({ json: { path: 'issuer', exists: true } }), out('{"issuer":"https://kc"}'), true],
    [ex({ number: { match: '\\|([0-9.]+)$', above: 30 } }), out('r1|streaming|0.012\nr2|streaming|29.9\n'), true],
    [ex({ number: { match: '\\|([0-9.]+)$', above: 30 } }), out('r1|streaming|0.012\nr2|streaming|412.7\n'), false],
    [ex({ number: { match: '(\\d+) %$', below: 5 } }), out('0, H100, 71850 MiB, 81559 MiB, 63 %\n'), true],
    [ex({ number: { match: '(\\d+) %$', below: 5 } }), out('0, H100, 10 MiB, 81559 MiB, 0 %\n'), false],
  ])('%j on %j → passes=%s', (e, o, passes) => {
    expect(evaluateExpectation(e, o) === undefined).toBe(passes);
  });

  it('gives the offending lines and documents as evidence', () => {
    const f = evaluateExpectation(
      ex({ json: { path: 'status', equals: 'ready' } }),
      out('{"name":"llama","status":"failed"}\n{"name":"ok","status":"ready"}'),
    );
    expect(f?.lines).toEqual(['{"name":"llama","status":"failed"}']);
    expect(f?.values).toEqual(['failed']);
  });

  it('parses jq-style streams of pretty-printed objects', () => {
    expect(parseJsonStream('{\n  "a": 1\n}\n{\n  "a": "x}"\n}\n')).toEqual([{ a: 1 }, { a: 'x}' }]);
    expect(valuesAt({ items: [{ s: { p: 'Running' } }, { s: { p: 'Pending' } }] }, 'items.s.p')).toEqual(['Running', 'Pending']);
  });

  it.each([
    ['kubectl', 1, 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?', /cannot be reached/],
    ['kubectl', 1, 'error: You must be logged in to the server (Unauthorized)', /401/],
    ['kubectl', 1, 'Error from server (Forbidden): pods is forbidden: User "x" cannot list', /403/],
    ['kubectl', 1, 'error: context "prod" does not exist', /context does not exist/],
    ['curl', 60, 'SSL certificate problem: certificate has expired', /certificate/],
    ['dapr', 3, 'boom\nmore', /exited with code 3: boom/],
  ])('explains %s exit %d', (program, code, stderr, expected) => {
    expect(explainFailure(program, code, stderr)).toMatch(expected);
  });
});

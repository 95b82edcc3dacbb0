/**
 * Redaction removes credential values, not the words that talk about credentials: a responder's
 * note "token validation failed" must reach the timeline as written. Each ordinary sentence below
 * must pass unchanged; beside it, the same words carrying a real value must not.
 */
import { describe, expect, it } from 'vitest';
import { Redactor, StreamRedactor } from '../../src/secrets/redact.js';

/** Sentences from logs, errors, notes and our own output that name credentials but hold none. */
const ORDINARY = [
  'token validation failed',
  'Token validation failed: The token is not yet valid (iat)',
  'renew the token in the kubeconfig',
  'the refresh token expired at 09:12',
  'no token provided',
  'Error: token is expired',
  'token expired',
  'token bucket rate limiter dropped 30% of requests',
  'keycloak: Token exchange denied',
  'a token: none',
  'reason: token expired',
  'token=expired',
  'invalid bearer token',
  'Bearer authentication is required',
  'auth: missing bearer header',
  'WWW-Authenticate: Bearer realm="bud", error="invalid_token"',
  'use basic auth for the registry',
  'Basic authentication failed for user admin',
  'the secret was rotated yesterday',
  'secret not found: bud-db-credentials',
  'Secret "keycloak-tls" is missing',
  'check the secret key ref in the deployment',
  'password reset emails are delayed',
  'password authentication failed for user "bud"',
  'FATAL:  password authentication failed for user "postgres"',
  'the password policy requires 12 characters',
  'The password is wrong',
  'passwords do not match',
  'password: required',
  'the API key was revoked',
  'key rotation is scheduled for Friday',
  'primary key violation on table users',
  'duplicate key value violates unique constraint "users_pkey"',
  'Key: budapp',
  'key=value pairs',
  'Runbook directories:',
  'Secret variables: CUSTOM_VAR, TOKEN',
  'curl -H "Authorization: Bearer $TOKEN" https://api.example/health',
];

/** The same words carrying a value: every one of these values must be gone. */
const SECRETS: Array<[string, string]> = [
  ['Authorization: Bearer abcdefgh', 'abcdefgh'],
  ['curl -H "Authorization: Basic dXNlcjpwYXNz" https://x', 'dXNlcjpwYXNz'],
  ['invalid bearer Zx9kQ2mP4tR7', 'Zx9kQ2mP4tR7'],
  ['Bearer abcdefghijkl', 'abcdefghijkl'],
  ['basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy'],
  ['token=s3cr3tvalue', 's3cr3tvalue'],
  ['a token: Qm9vbTEyMw', 'Qm9vbTEyMw'],
  ['password: hunter2', 'hunter2'],
  ['password: correcthorse', 'correcthorse'],
  ['the token 9f8e7d6c5b4a3f2e1d0c expired', '9f8e7d6c5b4a3f2e1d0c'],
  ['secret=requiredXyz1', 'requiredXyz1'],
];

describe('redaction of credential values only', () => {
  const r = new Redactor({ env: {} });

  it.each(ORDINARY)('unchanged: %s', (sentence) => {
    expect(r.redact(sentence)).toBe(sentence);
    // Streamed (the run's live output) as much as whole.
    const s = new StreamRedactor(r);
    expect(s.push(`${sentence}\n`) + s.end()).toBe(`${sentence}\n`);
  });

  it.each(SECRETS)('redacted: %s', (sentence, value) => {
    const out = r.redact(sentence);
    expect(out).not.toContain(value);
    expect(out).toContain('[REDACTED]');
  });
});

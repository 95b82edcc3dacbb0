import { describe, expect, it } from 'vitest';
import { Redactor, StreamRedactor, isSecretName, redactYielding } from '../../src/secrets/redact.js';
import { validateInputValue } from '../../src/runbook/template.js';
import { KUBECONFIG_RAW, PEM_CERT, PEM_KEY, SECRET_FORMS } from '../support/secret-forms.js';

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redaction', () => {
  const r = new Redactor({
    env: { TOKEN: 'opaque-token-1234567', PGPASSWORD: 'hunter2hunter2', HOME: '/root', MY_API_KEY: 'k-abcdef123456' },
    secretEnv: ['TOKEN'],
  });

  it.each([
    ['Authorization: Bearer abc.def-ghi_123', 'Authorization: Bearer [REDACTED]'],
    [`token is ${jwt}`, 'token is [REDACTED]'],
    ['postgres://app:supersecret@db:5432/bud', 'postgres://app:[REDACTED]@db:5432/bud'],
    ['password=letmein123 user=app', 'password=[REDACTED] user=app'],
    ['{"password": "x1y2z3", "user": "a"}', '{"password": "[REDACTED]", "user": "a"}'],
    ['client_secret: abcdef', 'client_secret: [REDACTED]'],
    ['aws key AKIAIOSFODNN7EXAMPLE here', 'aws key [REDACTED] here'],
    ['the value opaque-token-1234567 leaked', 'the value [REDACTED] leaked'],
    ['PGPASSWORD is hunter2hunter2', 'PGPASSWORD is [REDACTED]'],
    ['key k-abcdef123456', 'key [REDACTED]'],
    ['nothing secret here: /root and pods', 'nothing secret here: /root and pods'],
  ])('%s', (input, expected) => {
    expect(r.redact(input)).toBe(expected);
  });

  it('redacts JSON values deeply', () => {
    expect(r.redactValue({ a: ['Bearer abcdefgh'], b: { c: 'opaque-token-1234567' }, n: 1 })).toEqual({
      a: ['Bearer [REDACTED]'],
      b: { c: '[REDACTED]' },
      n: 1,
    });
  });

  it('redacts a token split across stream chunks', () => {
    const s = new StreamRedactor(r);
    let out = '';
    for (const chunk of ['line one\nAuthorization: Bea', 'rer abcdefghij', 'klmn\nopaque-tok', 'en-1234567 end\n']) out += s.push(chunk);
    out += s.end();
    expect(out).toBe('line one\nAuthorization: Bearer [REDACTED]\n[REDACTED] end\n');
  });

  it('redacts a secret straddling the cut of a very long line', () => {
    const s = new StreamRedactor(r, 1024);
    const long = 'x'.repeat(1020) + 'opaque-token-1234567' + 'y'.repeat(3000);
    let out = '';
    for (let i = 0; i < long.length; i += 100) out += s.push(long.slice(i, i + 100));
    out += s.end();
    expect(out).not.toContain('opaque-token');
    expect(out).toContain('[REDACTED]');
  });

  // Issue 10: these took 20 s and more (quadratic backtracking); the test timeout is what fails them.
  it.each([
    ['a 200 KB JSON log line', '{"msg":"' + 'a'.repeat(200_000) + '", "password": "hunter2"}'],
    ['a 200 KB line of dotted words', 'a.b-'.repeat(50_000) + ' token=abc123'],
    ['a 200 KB line of underscored words', 'a_'.repeat(100_000) + ' api_key=abc123'],
  ])('redacts %s without hanging, and still finds the secret at its end', (_name, line) => {
    const out = r.redact(line);
    expect(out).toContain('[REDACTED]');
    expect(out).not.toMatch(/hunter2|abc123/);
  });
});

// Issue 10, item 4: forms that reached the terminal, --json, the timeline and artifacts.
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('secret forms (issue 10)', () => {
  const r = new Redactor({ env: {} });
  // [name, input, what must be gone, what must stay]
  it.each([
    [
      'kubeconfig --raw',
      KUBECONFIG_RAW,
      [b64(PEM_KEY).slice(0, 40), b64(PEM_CERT).slice(0, 40), 'kubeconfigOpaqueTok3n', 'MIIE'],
      ['server: https://127.0.0.1:6443', 'name: robot'],
    ],
    ['base64 PEM anywhere', `data ${b64(PEM_KEY)} end`, [b64(PEM_KEY).slice(20, 60)], ['data', 'end']],
    ['PEM private key block', `key:\n${PEM_KEY}after`, ['MIIEowIBAAKCAQEA1c8vQ7Xq3JmZk', 'Q2hlY2sg'], ['after']],
    [
      'Slack webhook',
      'POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX ok',
      ['T0123ABCD', 'aBcDeFgHiJkLmNoPqRsTuVwX'],
      ['hooks.slack.com', ' ok'],
    ],
    ['Stripe live key', 'stripe sk_live_51H8xYzAbCdEfGhIjKlMnOpQr and rk_live_51H8xYzAbCdEfGhIjKlMnOpQr', ['51H8xYz'], ['stripe', ' and ']],
    ['OpenAI project key', 'OPENAI sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd', ['AbCdEfGhIjKl'], ['OPENAI']],
    ['OpenAI legacy key', 'key sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefABCD', ['AbCdEfGhIjKl'], ['key ']],
    ['npm token', '//registry.npmjs.org/:_authToken npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', ['AbCdEfGhIjKl'], ['registry.npmjs.org']],
    ['Google API key', 'maps AIzaSyD-AbCdEfGhIjKlMnOpQrStUvWxYz01234 x', ['AbCdEfGhIjKl'], ['maps', ' x']],
    [
      'Azure connection string',
      'DefaultEndpointsProtocol=https;AccountName=budstore;AccountKey=Zm9vYmFyYmF6cXV4+/Zm9vYmFy==;EndpointSuffix=core.windows.net',
      ['Zm9vYmFyYmF6cXV4'],
      ['AccountName=budstore', 'EndpointSuffix=core.windows.net'],
    ],
    ['Cookie header', 'Cookie: session=s3ssionVal; theme=dark', ['s3ssionVal'], ['Cookie:']],
    ['Set-Cookie header', '< Set-Cookie: sid=s3ssionVal2; Path=/; HttpOnly', ['s3ssionVal2'], ['Set-Cookie:']],
    ['cookie in JSON headers', '{"cookie": "session=s3ssionVal3; a=b", "host": "x"}', ['s3ssionVal3'], ['"host": "x"']],
    ['curl -u', 'curl -u admin:pw12 https://api', ['pw12'], ['curl -u admin:', 'https://api']],
    ['curl --user', "curl --user 'admin:pw12' https://api", ['pw12'], ['admin']],
    ['curl --user=', 'curl --user=admin:pw12 https://api', ['pw12'], ['admin']],
    ['env assignment DB_PASS', 'DB_PASS=pw1234 DB_HOST=db', ['pw1234'], ['DB_HOST=db']],
    ['env assignment STRIPE_KEY', 'export STRIPE_KEY="abcd1234"', ['abcd1234'], ['STRIPE_KEY']],
    ['env assignment APP_CREDENTIAL', 'APP_CREDENTIAL=abcd1234', ['abcd1234'], ['APP_CREDENTIAL']],
    ['base64 of password=', `auth ${b64('password=hunter2secret')} x`, [b64('password=hunter2secret').slice(0, 12)], ['auth ', ' x']],
    [
      'base64 of a query with a password',
      `q=${b64('user=app&db_password=hunter2secret')}`,
      [b64('user=app&db_password=hunter2secret').slice(8, 30)],
      ['q='],
    ],
    ['base64 of docker auths JSON', b64('{"auths":{"r.io":{"username":"u","password":"hunter2secret"}}}'), ['eyJhdXRocy'], []],
  ])('%s', (_name, input, gone, kept) => {
    const out = r.redact(input);
    for (const g of gone) expect(out, g).not.toContain(g);
    for (const k of kept) expect(out, k).toContain(k);
    expect(out).toContain('[REDACTED]');
  });

  it.each([
    ['KEYCLOAK_URL=http://keycloak:8080'],
    ['ordinary base64 ' + b64('hello world, nothing to hide here at all')],
    ['a pod sk-learn-model-server-7d9f8c6b5-x2x4z'],
    ['taints: [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]'],
    ['/var/lib/kubelet/pods/0123456789abcdef/volumes'],
  ])('leaves ordinary text alone: %s', (input) => {
    expect(r.redact(input)).toBe(input);
  });

  it.each(SECRET_FORMS.map((f) => [f.name, f] as const))('corpus form: %s', (_name, form) => {
    const out = r.redact(form.text);
    for (const g of form.gone) expect(out, g).not.toContain(g);
  });

  it('a PEM key split over many stream chunks never shows its body', () => {
    const s = new StreamRedactor(r);
    let out = '';
    for (const line of `before\n${PEM_KEY}after\n`.split(/(?<=\n)/)) out += s.push(line);
    out += s.end();
    expect(out).not.toContain('MIIE');
    expect(out).not.toContain('Q2hlY2sg');
    expect(out).toContain('before\n');
    expect(out).toContain('after\n');
  });

  it('a private key header with no key after it does not swallow the rest of the output', () => {
    const text = 'error: expected -----BEGIN RSA PRIVATE KEY----- in the file\nnext line, still shown\nand this one\n';
    expect(r.redact(text)).toContain('next line, still shown\nand this one');
    const s = new StreamRedactor(r);
    let out = '';
    for (const line of text.split(/(?<=\n)/)) out += s.push(line);
    out += s.end();
    expect(out).toContain('next line, still shown\nand this one\n');
  });

  it('a private key inside a JSON log line (newlines escaped) is redacted whole', () => {
    const line = JSON.stringify({ msg: 'loaded', key: PEM_KEY, next: 'shown' });
    const out = r.redact(line);
    expect(out).not.toContain('MIIEowIBAAKCAQEA1c8vQ7Xq3JmZk');
    expect(out).not.toContain('Q2hlY2sg');
    expect(out).toContain('"next":"shown"');
  });

  it('an encrypted private key (Proc-Type, DEK-Info headers) is redacted whole, also when streamed', () => {
    const key =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nEnCrYpTeDbOdY1aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789+/abcdefghijklm\nEnCrYpTeDbOdY2==\n-----END RSA PRIVATE KEY-----\nafter\n';
    expect(r.redact(key)).not.toContain('EnCrYpTeDbOdY');
    expect(r.redact(key)).toContain('after');
    const s = new StreamRedactor(r);
    let out = '';
    for (const line of key.split(/(?<=\n)/)) out += s.push(line);
    out += s.end();
    expect(out).not.toContain('EnCrYpTeDbOdY');
    expect(out).toContain('after\n');
  });

  it('a secret straddling the tail of a long-line cut is not partly released', () => {
    const s = new StreamRedactor(r, 1024);
    // The value starts inside the held-back tail and continues in the next chunk.
    const line = 'x'.repeat(1000) + ' password=hunter2' + 'continues'.repeat(40) + ' done\n';
    let out = '';
    for (let i = 0; i < line.length; i += 1100) out += s.push(line.slice(i, i + 1100));
    out += s.end();
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('continues');
    expect(out).toContain(' done');
  });

  it('a long token cut at the window end is redacted whole, not its continuation shown', () => {
    const s = new StreamRedactor(r, 1024);
    const token = 'sk-proj-' + 'Ab1'.repeat(800);
    const line = 'k ' + token + ' end\n';
    let out = '';
    for (let i = 0; i < line.length; i += 500) out += s.push(line.slice(i, i + 500));
    out += s.end();
    expect(out).not.toContain('Ab1Ab1');
    expect(out).toBe('k [REDACTED] end\n');
  });
});

describe('secret literals by length', () => {
  it('a secret input of 4 characters or more is redacted wherever it appears; shorter ones are not (they would match everywhere)', () => {
    const r = new Redactor();
    r.addLiteral('pw12', 'input');
    r.addLiteral('ab', 'input');
    expect(r.redact('login pw12 ok, about')).toBe('login [REDACTED] ok, about');
  });
  it('environment values still need 6 characters (their names are guesses)', () => {
    const r = new Redactor({ env: { DB_PASS: 'true', DB_PASSWORD: 'hunter2x' } });
    expect(r.redact('true hunter2x')).toBe('true [REDACTED]');
  });
});

describe('secret names', () => {
  it.each([
    ['DB_PASS', true],
    ['PGPASSWORD', true],
    ['STRIPE_KEY', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['APP_CREDENTIAL', true],
    ['GITHUB_TOKEN', true],
    ['KEYCLOAK_URL', false],
    ['SSH_KEY_PATH', false],
    ['HOME', false],
    ['PWD', false],
    ['OLDPWD', false],
  ])('%s → %s', (name, secret) => {
    expect(isSecretName(name)).toBe(secret);
  });
});

describe('not taken for secrets', () => {
  it.each([['date -u +%H:%M'], ['date -u 12:30'], ['kubectl get pods -o wide']])('%s', (input) => {
    expect(new Redactor().redact(input)).toBe(input);
  });
});

describe('redacting a large output without holding the event loop', () => {
  it('works in slices, letting timers and signal handlers run between them, and finds every secret', async () => {
    const r = new Redactor();
    const line = '{"msg":"' + 'a'.repeat(300_000) + '","password":"hunter2x"}\n';
    const text = line.repeat(4) + `x ${'b'.repeat(500_000)} Bearer abcdefghijkl\n`;
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const pending = redactYielding(r, text).then((out) => {
      order.push('redacted');
      return out;
    });
    order.push('returned');
    const out = await pending;
    expect(order).toEqual(['returned', 'other work', 'redacted']);
    expect(out).not.toContain('hunter2x');
    expect(out).not.toContain('abcdefghijkl');
    expect(out.length).toBeGreaterThan(1_500_000);
  });
});

// Hostile test, section 8: a pod's env entry is two lines; a stream may deliver them apart.
describe('env entries named as secrets, streamed', () => {
  it('the value line is redacted when its `- name:` line came in an earlier chunk', () => {
    const s = new StreamRedactor(new Redactor());
    const text = '    env:\n    - name: DB_PASSWORD\n      value: StreamEnvMarker1\n    - name: LOG_LEVEL\n      value: info\n';
    let out = '';
    for (const line of text.split(/(?<=\n)/)) out += s.push(line);
    out += s.end();
    expect(out).not.toContain('StreamEnvMarker1');
    expect(out).toBe(text.replace('StreamEnvMarker1', '[REDACTED]'));
  });
  it('the name line is released once the next line has arrived, and at the end of the stream', () => {
    const s = new StreamRedactor(new Redactor());
    expect(s.push('- name: DB_PASSWORD\n')).toBe('');
    expect(s.push('  valueFrom: {secretKeyRef: {name: db, key: password}}\nnext\n')).toContain('- name: DB_PASSWORD\n');
    expect(s.push('- name: API_TOKEN\n')).toBe('');
    expect(s.end()).toBe('- name: API_TOKEN\n');
  });
});

// Hostile test, section 7: a secret input's value came back URL-encoded or in another case.
describe('secret input encodings', () => {
  it('the URL-encoded, upper-case and lower-case forms of a secret input are redacted too', () => {
    const r = new Redactor();
    r.addLiteral('Hunter2 S3cret@Pw!', 'input');
    const out = r.redact('uri Hunter2%20S3cret%40Pw! up HUNTER2 S3CRET@PW! low hunter2 s3cret@pw! end');
    expect(out).toBe('uri [REDACTED] up [REDACTED] low [REDACTED] end');
  });
  it('environment values are not case-folded (their names are guesses)', () => {
    const r = new Redactor({ env: { DB_PASSWORD: 'Hunter2x' } });
    expect(r.redact('Hunter2x HUNTER2X')).toBe('[REDACTED] HUNTER2X');
  });
});

// Hostile test, section 8: the redactor also took words and JSON that hold no secret.
describe('not a secret: ordinary values after secret words', () => {
  it.each([
    ['the runbook schema', '"secret": {\n      "type": "boolean",\n      "description": "Never recorded"\n    }'],
    ['a JSON boolean', '{"secret": true, "token": null, "password": false}'],
    ['a JSON list', '"secrets": [{"name": "db"}]'],
    ['a JSON number', '{"token": 3600}'],
    ['prose after --token', 'kubectl --token chooses the server or the credentials'],
    ['prose after token', 'renew the token in your kubeconfig; logins and token validation fail'],
    ['a placeholder after --password', 'mysqladmin --password $DB_PASSWORD status; tool --token {{token}} --password <password>'],
    ['a port after -p', 'ssh -p 2222 host; docker run -u 1000 -p8080:80 img; kubectl port-forward -p pod 8080'],
    ['a non-secret env entry', '- name: LOG_LEVEL\n  value: debug'],
  ])('%s', (_name, input) => {
    expect(new Redactor().redact(input)).toBe(input);
  });
  it.each([
    ['--token with a token', 'kubectl --token abc123XYZdef get pods', 'abc123XYZdef'],
    ['--password with a mixed-case word', 'tool --password HunterPass', 'HunterPass'],
    ['a quoted JSON string that looks like a list', '{"password": "[abc1"}', 'abc1'],
    ['Token header', 'Authorization: Token 9f8e7d6c5b4a', '9f8e7d6c5b4a'],
    ['YAML password that is a number', 'password: 123456', '123456'],
  ])('still redacted: %s', (_name, input, secret) => {
    const out = new Redactor().redact(input);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });
});

// Hostile test, section 7: a refused secret input repeated the value in the error.
describe('input errors of a secret input', () => {
  it('name the input and the rule, never the value', () => {
    const rules = { secret: true, pattern: '[A-Za-z0-9]+' };
    const bad = validateInputValue('pw', rules, 'Hunter2#Secret$Bad');
    const dash = validateInputValue('pw', rules, '-Hunter2SecretDash');
    expect(bad).toBe('pw: the value (secret, not shown) does not match the pattern /[A-Za-z0-9]+/');
    expect(dash).toBe('pw: the value (secret, not shown) starts with "-" and would be read as an option; refused');
    // An ordinary input still shows what was wrong.
    expect(validateInputValue('ns', { pattern: '[a-z]+' }, 'Bad1')).toContain('"Bad1"');
  });
});

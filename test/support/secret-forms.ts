/**
 * Secrets in the forms issue 10 found leaking, each with the fragments that must never be seen
 * again. Shared by the redactor's unit tests and the end-to-end secrets corpus (every sink).
 */
const b64 = (s: string) => Buffer.from(s).toString('base64');

export const PEM_KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c8vQ7Xq3JmZk\nQ2hlY2sgdGhpcyBpcyBhIGZha2Uga2V5\n-----END RSA PRIVATE KEY-----\n';
export const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIC8DCCAdigAwIBAgIIcertbody\n-----END CERTIFICATE-----\n';

/** What `kubectl config view --raw` prints for a user with a client certificate and one with a token. */
export const KUBECONFIG_RAW = [
  'apiVersion: v1',
  'clusters:',
  '- cluster:',
  '    server: https://127.0.0.1:6443',
  '  name: prod',
  'users:',
  '- name: admin',
  '  user:',
  `    client-certificate-data: ${b64(PEM_CERT)}`,
  `    client-key-data: ${b64(PEM_KEY)}`,
  '- name: robot',
  '  user:',
  '    token: kubeconfigOpaqueTok3n',
  '',
].join('\n');

export interface SecretForm {
  name: string;
  /** The text as it would appear (one line unless the form is multi-line). */
  text: string;
  /** Fragments of the secret that must not appear anywhere. */
  gone: string[];
}

export const SECRET_FORMS: SecretForm[] = [
  {
    name: 'kubeconfig --raw',
    text: KUBECONFIG_RAW,
    gone: [b64(PEM_KEY).slice(0, 40), b64(PEM_CERT).slice(0, 40), 'kubeconfigOpaqueTok3n'],
  },
  { name: 'PEM private key block', text: PEM_KEY, gone: ['MIIEowIBAAKCAQEA1c8vQ7Xq3JmZk', 'Q2hlY2sgdGhpcyBpcyBhIGZha2Uga2V5'] },
  {
    name: 'Slack webhook',
    text: 'POST https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX ok',
    gone: ['B0456EFGH', 'aBcDeFgHiJkLmNoPqRsTuVwX'],
  },
  { name: 'Stripe secret key', text: 'stripe sk_live_51H8xYzAbCdEfGhIjKlMnOpQr', gone: ['51H8xYzAbCdEfGhIjKl'] },
  { name: 'Stripe restricted key', text: 'stripe rk_live_77Q8xYzAbCdEfGhIjKlMnOpQr', gone: ['77Q8xYzAbCdEfGhIjKl'] },
  { name: 'OpenAI project key', text: 'OPENAI sk-proj-PrOjAbCdEfGhIjKlMnOpQrStUvWx0123_-abcd', gone: ['PrOjAbCdEfGhIjKl'] },
  { name: 'OpenAI key', text: 'key sk-LeGaCyAbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab', gone: ['LeGaCyAbCdEfGhIjKl'] },
  { name: 'npm token', text: 'npmrc _authToken npm_NpMAbCdEfGhIjKlMnOpQrStUvWxYz012345', gone: ['NpMAbCdEfGhIjKl'] },
  { name: 'Google API key', text: 'maps AIzaSyGoOgLeAbCdEfGhIjKlMnOpQrStUvWxY x', gone: ['SyGoOgLeAbCdEfGhIjKl'] },
  {
    name: 'Azure connection string',
    text: 'DefaultEndpointsProtocol=https;AccountName=budstore;AccountKey=QXp1cmVLZXlWYWx1ZQ+/AzKey==;EndpointSuffix=core.windows.net',
    gone: ['QXp1cmVLZXlWYWx1ZQ'],
  },
  { name: 'Cookie header', text: 'Cookie: session=CoOkIeVaLuE1; theme=dark', gone: ['CoOkIeVaLuE1'] },
  { name: 'Set-Cookie header', text: 'Set-Cookie: sid=CoOkIeVaLuE2; Path=/; HttpOnly', gone: ['CoOkIeVaLuE2'] },
  { name: 'curl -u', text: 'curl -u admin:Pw9zqA https://api', gone: ['Pw9zqA'] },
  { name: 'curl --user', text: "curl --user 'admin:Pw9zqB' https://api", gone: ['Pw9zqB'] },
  { name: 'env assignment', text: 'DB_PASS=Pw9zqC STRIPE_KEY=Pw9zqD', gone: ['Pw9zqC', 'Pw9zqD'] },
  { name: 'base64 of password=', text: `auth blob ${b64('password=Pw9zqEsecret')}`, gone: [b64('password=Pw9zqEsecret').slice(0, 16)] },
  // Hostile test, section 8: shapes that were redacted nowhere.
  { name: 'URL with an empty user (Redis)', text: 'redis://:Hunter2RedisPw@redis:6379/0', gone: ['Hunter2RedisPw'] },
  { name: 'https URL with an empty user', text: 'GET https://:UrlPwMarkerB@host/ failed', gone: ['UrlPwMarkerB'] },
  { name: 'URL password holding @', text: 'postgres://bud:UrlPw@MarkerC@db:5432/bud', gone: ['UrlPw', 'MarkerC'] },
  {
    name: 'pod env (kubectl -o yaml)',
    text: ['    env:', '    - name: DB_PASSWORD', '      value: PodEnvPwMarker', '    - name: LOG_LEVEL', '      value: info'].join('\n'),
    gone: ['PodEnvPwMarker'],
  },
  { name: 'pod env, flow style', text: '    - {name: STRIPE_SECRET_KEY, value: PodEnvStripeMarker}', gone: ['PodEnvStripeMarker'] },
  { name: 'pod env (kubectl -o json)', text: '{"env":[{"name":"DB_PASSWORD","value":"PodEnvJsonMarker"}]}', gone: ['PodEnvJsonMarker'] },
  {
    name: 'kubeconfig exec env',
    text: [
      '    exec:',
      '      command: aws',
      '      env:',
      '      - name: AWS_SECRET_ACCESS_KEY',
      '        value: ExecEnvSecretMarker0123',
    ].join('\n'),
    gone: ['ExecEnvSecretMarker0123'],
  },
  { name: '--password flag', text: 'pg_tool --password Hunter2CliPw --host db', gone: ['Hunter2CliPw'] },
  { name: 'mysql -p glued', text: 'mysql -h db -uroot -pHunter2MysqlPw bud', gone: ['Hunter2MysqlPw'] },
  { name: 'redis-cli -a', text: 'redis-cli -h redis -a Hunter2RedisCliPw ping', gone: ['Hunter2RedisCliPw'] },
  { name: '.netrc line', text: 'machine api.example.com login bob password Hunter2NetrcPw', gone: ['Hunter2NetrcPw'] },
  {
    name: 'PGP private key block',
    text: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBGPgpBodyMarkerAbCdEf0123\nPgpBodyMarker2==\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----',
    gone: ['PgpBodyMarkerAbCdEf0123', 'PgpBodyMarker2'],
  },
  {
    name: 'docker config auth',
    text: '{"auths": {"registry.example.com": {"auth": "cm9ib3Q6SHVudGVyMkRvY2tlclB3"}}}',
    gone: ['cm9ib3Q6SHVudGVyMkRvY2tlclB3'],
  },
  { name: 'passphrase=', text: 'ssh passphrase=PassphraseMarker77', gone: ['PassphraseMarker77'] },
  { name: 'URL-encoded password=', text: 'GET /login?q=user%3Dbob%26password%3DUrlEncPwMarker', gone: ['UrlEncPwMarker'] },
  { name: 'SQL PASSWORD', text: "ALTER USER bud WITH PASSWORD 'SqlAlterPwMarker';", gone: ['SqlAlterPwMarker'] },
  { name: 'Hugging Face token', text: 'hf hf_HuGgInGfAcEmArKeR0123456789abcdefgh', gone: ['HuGgInGfAcEmArKeR'] },
  { name: 'Vault token', text: 'VAULT hvs.CAESIVaUlTmArKeR0123456789abcdefghij', gone: ['VaUlTmArKeR'] },
  {
    name: 'SendGrid key',
    text: 'sg SG.SeNdGrIdMaRkEr012345.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    gone: ['SeNdGrIdMaRkEr', 'abcdefghijklmnopqrstuvwxyz0123'],
  },
  { name: 'Twilio API key', text: 'twilio SK0123456789abcdef0123456789abcdef', gone: ['0123456789abcdef0123456789abcdef'] },
];

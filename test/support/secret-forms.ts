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
];

// Redaction throughput: 10 MB single lines (no newline anywhere) pushed through the streaming
// redactor in 64 KB chunks, as a command's pipe delivers them. Issue 10: a quadratic rule turned a
// 120 KB log line into 11 s of a blocked event loop; every rule must stay linear.
//   node --import tsx bench/redact.ts [--mb N]
// Baselines measured in the same run on the same inputs: encoding the chunks to UTF-8 (what
// writing them to the artifact costs anyway), and one
// simple regex (/password=\S+/g) over the whole line. Target: every input at >= 5 MB/s through
// the full redactor (exit 1 below it), and the longest single push (how long the event loop is
// held at once) under 100 ms. Then a 4 MiB captured output (the engine's cap) redacted as the
// engine does after a command ends, in slices with a yield between them, against one synchronous
// redact() of the same text: the longest the event loop waited for a 1 ms timer in each.
import { Redactor, StreamRedactor, redactYielding } from '../src/secrets/redact.js';

const arg = process.argv.indexOf('--mb');
const MB = arg > 0 ? Number(process.argv[arg + 1]) : 10;
const SIZE = MB * 1024 * 1024;
const FLOOR_MBS = 5;
const MAX_PUSH_MS = 100;
const CHUNK = 64 * 1024;

const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
const logRecord =
  '{"ts":"2026-11-28T10:00:00.123Z","level":"info","msg":"GET /api/v1/namespaces/bud/pods 200","user":"alice@example.com","latency_ms":12,"trace":"4bf92f3577b34da6a3ce929d0e0e4736"},';
const inputs: Record<string, string> = {
  'JSON log line': fill(logRecord),
  'JSON log, secrets every 4 KB': fill(
    logRecord.repeat(20) + '{"password":"hunter2x","auth":"Bearer abcdefghijkl","cookie":"sid=abc123"},',
  ),
  'a=a=a=…': fill('a='),
  'aaaa…': fill('a'),
  ':@:@…': fill(':@'),
  'a://b:c:c:c…': 'a://b:' + fill('c:'),
  'x:y@x:y@…': fill('x:y@'),
  'KEYKEY… (env names)': fill('KEY'),
  'base64 run': fill('QUFBQUFB'),
  '-----BEGIN …': fill('-----BEGIN A'),
  'private key headers, escaped': fill('-----BEGIN RSA PRIVATE KEY-----\\nQUFB'),
  'sk-sk-…': fill('sk-'),
  'password=password=…': fill('password='),
  'mysql -u a -pX -pX…': 'mysql -u a ' + fill('-pX '),
  'mysql -ua -ua …': fill('mysql -ua '),
  'machine a login b …': fill('machine a login b '),
  'name: DB_PASSWORD, name: …': fill('name: DB_PASSWORD, '),
  'a://:@@@…': 'a://:' + fill('@'),
  'a://:x@x@…': fill('a://:x@'),
  'token a1 token a1…': fill('token a1 '),
  "PASSWORD 'PASSWORD '…": fill("PASSWORD '"),
};

const redactor = new Redactor({ env: { MY_TOKEN: 'opaque-token-value-123' } });

function throughput(text: string, fn: () => void): number {
  const start = performance.now();
  fn();
  const s = (performance.now() - start) / 1000;
  return text.length / (1024 * 1024) / s;
}

const rows: Array<{ name: string; copy: number; simple: number; full: number; maxPushMs: number }> = [];
for (const [name, text] of Object.entries(inputs)) {
  let sink = 0;
  const copy = throughput(text, () => {
    for (let i = 0; i < text.length; i += CHUNK) sink += Buffer.from(text.slice(i, i + CHUNK)).length;
  });
  const simple = throughput(text, () => {
    sink += text.replace(/password=\S+/g, 'password=[REDACTED]').length;
  });
  let maxPushMs = 0;
  const full = throughput(text, () => {
    const s = new StreamRedactor(redactor);
    for (let i = 0; i < text.length; i += CHUNK) {
      const t = performance.now();
      sink += s.push(text.slice(i, i + CHUNK)).length;
      maxPushMs = Math.max(maxPushMs, performance.now() - t);
    }
    sink += s.end().length;
  });
  if (sink < 0) console.log(sink);
  rows.push({ name, copy, simple, full, maxPushMs });
}

const f = (n: number) => n.toFixed(1).padStart(9);
console.log(`Redaction of ${MB} MB single lines, 64 KB chunks (MB/s; higher is better)`);
console.log(`  ${'input'.padEnd(30)} ${'utf8'.padStart(9)} ${'1 regex'.padStart(9)} ${'redactor'.padStart(9)}  vs 1 regex  longest push`);
let failed = 0;
for (const r of rows) {
  const ok = r.full >= FLOOR_MBS && r.maxPushMs < MAX_PUSH_MS;
  if (!ok) failed++;
  console.log(
    `  ${r.name.padEnd(30)} ${f(r.copy)} ${f(r.simple)} ${f(r.full)}  ${(r.simple / r.full).toFixed(1).padStart(6)}x slower  ${r.maxPushMs.toFixed(1).padStart(6)} ms  ${ok ? 'PASS' : 'MISS'}`,
  );
}
console.log(
  `\nTarget: >= ${FLOOR_MBS} MB/s and every push under ${MAX_PUSH_MS} ms. ${rows.length - failed} of ${rows.length} inputs met it.`,
);

/** The longest gap between ticks of a 1 ms timer while `work` runs. */
async function longestStall(work: () => unknown): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await work();
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(timer);
  return worst;
}
const capture = inputs['JSON log, secrets every 4 KB']!.slice(0, 4 * 1024 * 1024);
const syncStall = await longestStall(() => redactor.redact(capture));
const sliceStall = await longestStall(() => redactYielding(redactor, capture));
const stallOk = sliceStall < MAX_PUSH_MS;
if (!stallOk) failed++;
console.log(`\n4 MiB captured output (JSON log with secrets): the longest the event loop waited`);
console.log(`  one synchronous redact()        ${syncStall.toFixed(1).padStart(8)} ms   (baseline)`);
console.log(
  `  64 KB slices with yields        ${sliceStall.toFixed(1).padStart(8)} ms   target < ${MAX_PUSH_MS} ms  ${stallOk ? 'PASS' : 'MISS'}`,
);
process.exit(failed ? 1 : 0);

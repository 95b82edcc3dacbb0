/** Runs the built CLI (bin/bud-incident.js) as a user would, in a throwaway state directory. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'bud-incident.js');
export const STUB_BIN = join(ROOT, 'test', 'fixtures', 'bin');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Sandbox {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<CliResult>;
  writeKubeconfig(text: string): string;
}

/** A fresh state directory and environment. PATH has the test stubs first, then the system's. */
export function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'bud-incident-test-'));
  const home = join(dir, 'state');
  mkdirSync(join(dir, 'kube-cache'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: `${STUB_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    BUD_INCIDENT_HOME: home,
    BUD_INCIDENT_ACTOR: 'tester',
    KUBECACHEDIR: join(dir, 'kube-cache'),
    KUBECONFIG: join(dir, 'no-kubeconfig'),
    NO_COLOR: '1',
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
  const box: Sandbox = {
    dir,
    home,
    env,
    writeKubeconfig(text) {
      const path = join(dir, 'kubeconfig');
      writeFileSync(path, text);
      env.KUBECONFIG = path;
      return path;
    },
    run(args, options = {}) {
      return runCli(args, { ...env, ...options.env }, options.input, options.timeoutMs, dir);
    },
  };
  return box;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 60_000, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: Date.now() - start });
    });
    child.stdin.end(input ?? '');
  });
}

/** Parses `--json` run output: one JSON object per line. */
export function jsonLines(text: string): Array<Record<string, any>> {
  return text
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** The built CLI as a child process, with its stdout collected: start it, wait for what it prints, signal it. */
export function spawnCli(box: Sandbox, args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: box.env, cwd: box.dir });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    closed,
    /** Resolves once everything in `needles` has been printed. */
    waitFor: (...needles: string[]) =>
      new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (needles.every((n) => out.includes(n))) {
            clearInterval(t);
            resolve();
          }
        }, 20);
      }),
  };
}

/** Whether the real kubectl is on PATH: the integration tests that drive it are skipped without it. */
export const KUBECTL_AVAILABLE = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Runs the CLI in a sandbox and throws (naming the command, its exit code and output) unless it
 * exits with one of `codes`: for tests whose steps must each succeed before the next.
 */
export async function runOk(box: Sandbox, args: string[], codes: readonly number[] = [0], timeoutMs?: number): Promise<CliResult> {
  const r = await box.run(args, timeoutMs !== undefined ? { timeoutMs } : {});
  if (!codes.includes(r.code ?? -1)) throw new Error(`${args.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

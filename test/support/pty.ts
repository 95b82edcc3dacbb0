/**
 * The built CLI in a real pseudo-terminal, as a responder sees it: start it, wait for what it
 * draws, type. One helper for every terminal test (they each had their own "wait for screen").
 */
import { spawn as ptySpawn, type IPty } from 'node-pty';
import { BIN, type Sandbox } from './cli.js';

/** What the terminal has drawn so far, and a way to wait for more. */
export class Screen {
  text = '';
  private waiters: Array<() => void> = [];
  push(data: string): void {
    this.text += data;
    for (const w of this.waiters.splice(0)) w();
  }
  /**
   * Resolves when the output after `from` matches, with the position just after the match (pass it
   * as the next `from` to wait for what comes next); fails with what was on screen.
   */
  async waitFor(re: RegExp, from = 0, timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; screen:\n${this.text.slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
}

export interface PtySession {
  term: IPty;
  screen: Screen;
  /** The exit code once the CLI has ended. */
  exited: Promise<number>;
  waitFor: (re: RegExp, from?: number, timeoutMs?: number) => Promise<number>;
}

/** Runs `bud-incident ...args` in a 120x40 pseudo-terminal in the sandbox (env replaces the sandbox's). */
export function spawnPty(box: Sandbox, args: string[], env: NodeJS.ProcessEnv = box.env): PtySession {
  const term = ptySpawn(process.execPath, [BIN, ...args], {
    cols: 120,
    rows: 40,
    cwd: box.dir,
    env,
  });
  const screen = new Screen();
  term.onData((d) => screen.push(d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return { term, screen, exited, waitFor: (re, from, timeoutMs) => screen.waitFor(re, from, timeoutMs) };
}

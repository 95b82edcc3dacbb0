/**
 * Draws a run: the human view (live progress on a terminal, plain lines in a pipe) or one JSON
 * object per line for `--json`.
 */
import type { EngineEvent } from '../engine/events.js';
import type { Runbook } from '../runbook/schema.js';
import { formatDuration } from '../duration.js';
import type { Terminal } from './terminal.js';

export interface RunRenderer {
  handle(event: EngineEvent): void;
  /** Extra lines (incident opened, where the timeline is) in the renderer's format. */
  info(kind: string, data: Record<string, unknown>): void;
  close(): void;
}

export class JsonRunRenderer implements RunRenderer {
  constructor(private readonly term: Terminal) {}
  handle(event: EngineEvent): void {
    this.term.out.write(JSON.stringify(event) + '\n');
  }
  info(kind: string, data: Record<string, unknown>): void {
    this.term.out.write(JSON.stringify({ type: kind, ...data }) + '\n');
  }
  close(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MAX_LIVE_LINES = 30;

export class HumanRunRenderer implements RunRenderer {
  private readonly running = new Map<string, { title: string; started: number }>();
  private statusShown = false;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly liveLines = new Map<string, number>();
  private groupSize = 0;
  private readonly c;

  constructor(
    private readonly term: Terminal,
    private readonly runbook: Runbook,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.c = term.color;
  }

  private get live(): boolean {
    return this.term.out.isTTY;
  }

  private print(text: string): void {
    this.clearStatus();
    this.term.out.write(text.endsWith('\n') ? text : text + '\n');
    this.drawStatus();
  }

  private clearStatus(): void {
    if (this.statusShown) {
      this.term.out.write(this.term.control('\r\x1b[2K'));
      this.statusShown = false;
    }
  }

  private drawStatus(): void {
    if (!this.live || this.running.size === 0) return;
    const now = this.now();
    const parts = [...this.running.entries()].map(([id, r]) => `${id} ${formatDuration(now - r.started)}`);
    const line = `${SPINNER[this.frame % SPINNER.length]} ${this.running.size} running: ${parts.join(', ')}  (Ctrl-C cancels)`;
    this.term.out.write(this.term.control('\r\x1b[2K') + this.c.cyan(line.slice(0, Math.max(20, this.term.out.columns - 1))));
    this.statusShown = true;
  }

  private tick = () => {
    this.frame++;
    this.clearStatus();
    this.drawStatus();
  };

  private stepNumber(stepId: string): string {
    const i = this.runbook.steps.findIndex((s) => s.id === stepId);
    return i >= 0 ? `[${i + 1}/${this.runbook.steps.length}]` : '[+]';
  }

  info(kind: string, raw: Record<string, unknown>): void {
    const c = this.c;
    const data = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    switch (kind) {
      case 'incident.opened':
        if (raw.drill === true)
          this.print(
            `${c.magenta.bold('Drill opened:')} ${data.id} (${data.severity}) — a rehearsal, ${raw.current === true ? 'now the current incident' : 'not the current incident'}; end it with: bud-incident incidents close ${data.id} --reason "drill finished"`,
          );
        else this.print(`${c.bold('Incident opened:')} ${data.id} (${data.severity}) — channel ${c.bold(String(data.channel))}`);
        break;
      case 'incident.attached':
        this.print(c.dim(`Recording in ${raw.drill === true ? 'drill' : 'incident'} ${data.id}`));
        break;
      case 'timeline':
        this.print(c.dim(`Timeline: ${data.path}`));
        break;
      default:
        this.print(`${kind}: ${JSON.stringify(data)}`);
    }
  }

  handle(event: EngineEvent): void {
    const c = this.c;
    switch (event.type) {
      case 'run.started': {
        const rb = this.runbook;
        this.print(`${c.bold(`▶ ${rb.title}`)} ${c.dim(`(${rb.id}${rb.playbook ? `, playbook ${rb.playbook}` : ''})`)}`);
        if (event.mode === 'simulate')
          this.print(c.magenta(`  SIMULATION — scenario "${event.scenario}": recorded outputs, no cluster is touched`));
        const vars = Object.entries(event.vars);
        if (vars.length) this.print(c.dim(`  ${vars.map(([k, v]) => `${k}=${v}`).join('  ')}`));
        break;
      }
      case 'run.resumed':
        this.print(`${c.bold(`▶ Resuming ${event.runbook}`)} ${c.dim(`(${event.done.length} step(s) already done)`)}`);
        break;
      case 'group.started':
        this.groupSize = event.stepIds.length;
        this.print(c.dim(`  running ${event.stepIds.length} independent checks at once`));
        break;
      case 'step.started': {
        const step = this.runbook.steps.find((s) => s.id === event.stepId);
        const head = `${c.bold(this.stepNumber(event.stepId))} ${event.title}${event.attempt > 1 ? c.dim(` (attempt ${event.attempt})`) : ''}`;
        if (this.groupSize > 0 && event.kind === 'check') {
          // In a group the results print as each finishes; only note the start.
        } else {
          this.print(`\n${head}`);
          if (step?.description) this.print(c.dim(`  ${step.description.trim().replace(/\n/g, '\n  ')}`));
        }
        if (event.command && this.groupSize === 0) this.print(c.dim(`  $ ${event.command}`));
        if (event.declaredReadOnly) this.print(c.dim(`  declared read-only by the runbook: ${event.declaredReadOnly}`));
        if (event.consent)
          this.print(`  ${c.yellow.bold('⚠ changes the system')} ${c.dim(`(${event.consent.changes}); run with ${event.consent.how}`)}`);
        if (event.kind === 'check') {
          this.running.set(event.stepId, { title: event.title, started: this.now() });
          if (this.live && !this.timer) this.timer = setInterval(this.tick, 100);
          this.drawStatus();
        }
        if (event.instructions) this.print(`  ${event.instructions.trim().replace(/\n/g, '\n  ')}`);
        if (event.copy) this.print(`  ${c.dim('copy:')}\n    ${c.yellow(event.copy.trim().replace(/\n/g, '\n    '))}`);
        break;
      }
      case 'step.output': {
        if (!this.live || this.groupSize > 0) return;
        const shown = this.liveLines.get(event.stepId) ?? 0;
        if (shown >= MAX_LIVE_LINES) return;
        const lines = event.text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
        const room = MAX_LIVE_LINES - shown;
        const text = lines
          .slice(0, room)
          .map((l) => c.dim(`  │ ${l}`))
          .join('\n');
        this.liveLines.set(event.stepId, shown + Math.min(room, lines.length));
        if (text) this.print(text + (shown + lines.length > MAX_LIVE_LINES ? c.dim('\n  │ … (full output in the artifact)') : ''));
        return;
      }
      case 'step.finished': {
        this.running.delete(event.stepId);
        if (this.running.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
        const inGroup = this.groupSize > 0;
        const symbol = {
          passed: c.green('✔'),
          failed: c.red('✖'),
          unchecked: c.yellow('?'),
          error: c.red('✖'),
          timeout: c.red('⏱'),
          cancelled: c.yellow('⊘'),
          skipped: c.dim('–'),
        }[event.status];
        const label = {
          passed: c.green('passed'),
          failed: c.red('problem found'),
          unchecked: c.yellow('could not check'),
          error: c.red('could not run'),
          timeout: c.red('timed out'),
          cancelled: c.yellow('cancelled'),
          skipped: c.dim('skipped'),
        }[event.status];
        if (inGroup) {
          this.print(`\n${c.bold(this.stepNumber(event.stepId))} ${event.title}`);
          if (event.command) this.print(c.dim(`  $ ${event.command}`));
        }
        if ((!this.live || inGroup) && event.outputTail?.length && event.kind === 'check') {
          this.print(
            event.outputTail
              .slice(-10)
              .map((l) => c.dim(`  │ ${l}`))
              .join('\n'),
          );
        }
        // A check that judges nothing (it shows what the playbook asks to look at) did not "pass":
        // it ran, and its output is above.
        const step = this.runbook.steps.find((x) => x.id === event.stepId);
        const shownOnly = event.status === 'passed' && step?.kind === 'check' && !step.native && (step.expect ?? []).length === 0;
        this.print(
          `  ${shownOnly ? c.dim('✔ shown') : `${symbol} ${label}`} ${c.dim(`(${formatDuration(event.durationMs)})`)}${event.reason && event.status !== 'failed' ? ` — ${event.reason}` : ''}`,
        );
        for (const n of [
          ...(event.notes ?? []),
          ...(['stdout', 'stderr'] as const).flatMap((k) => (event[k]?.encoding ? [`${k}: ${event[k].encoding}`] : [])),
        ])
          this.print(c.yellow(`  ⚠ ${n}`));
        for (const p of event.leftovers ?? []) this.print(c.yellow(`  ⚠ left running when it ended, so ended: pid ${p.pid} ${p.command}`));
        if (inGroup) {
          this.groupSize = Math.max(0, this.groupSize - 1);
          if (this.running.size === 0) this.groupSize = 0;
        }
        break;
      }
      case 'step.skipped':
        this.print(`\n${c.bold(this.stepNumber(event.stepId))} ${event.title}\n  ${c.dim(`– skipped: ${event.reason}`)}`);
        break;
      case 'finding.raised': {
        this.print(`  ${c.red.bold('FINDING')} ${event.message}`);
        // Evidence the message does not already quote (a diagnosed cause's objects and log lines).
        const quoted = event.evidence.lines.filter((l) => !event.message.includes(l) && !l.endsWith(event.message));
        for (const l of quoted.slice(0, 8)) this.print(c.dim(`    ${l}`));
        if (quoted.length > 8) this.print(c.dim(`    … ${quoted.length - 8} more in the timeline`));
        if (event.cause) this.print(`    ${c.dim('likely cause:')} ${event.cause.title}`);
        for (const n of event.next) this.print(`    ${c.dim('next:')} ${n.title}${n.detail ? c.dim(` — ${n.detail}`) : ''}`);
        if (event.evidence.artifact)
          this.print(c.dim(`    evidence: ${event.evidence.artifact.path} (sha256 ${event.evidence.artifact.sha256.slice(0, 12)}…)`));
        break;
      }
      case 'manual.confirmed':
        this.print(`  ${c.green('✔')} confirmed${event.observation ? `: ${event.observation}` : ''}`);
        break;
      case 'manual.skipped':
        this.print(`  ${c.dim('–')} ${c.dim(event.reason)}`);
        break;
      case 'prompt.answered':
        this.print(`  ${event.input} = ${event.value} ${c.dim(`(${event.source})`)}`);
        break;
      case 'mitigation.proposed': {
        const step = this.runbook.steps.find((s) => s.id === event.stepId);
        this.print(`\n${c.bold(this.stepNumber(event.stepId))} ${c.bold('Mitigation:')} ${event.title}`);
        if (step?.description) this.print(c.dim(`  ${step.description.trim()}`));
        if (event.because) this.print(`  ${c.dim('because:')} ${event.because}`);
        if (event.changesSystem)
          this.print(`  ${c.yellow.bold('⚠ changes the system')}${event.changes ? c.dim(` (${event.changes})`) : ''}`);
        if (event.command) this.print(`  would run: ${c.yellow(event.command)}`);
        if (event.instructions) this.print(`  ${event.instructions.trim().replace(/\n/g, '\n  ')}`);
        break;
      }
      case 'mitigation.declined':
        this.print(`  ${c.dim('–')} ${event.reason}`);
        break;
      case 'mitigation.approved':
        this.print(`  ${c.yellow('→')} approved (${event.how})`);
        break;
      case 'mitigation.finished':
        this.print(
          `  ${event.status === 'passed' ? c.green('✔ done') : c.red(`✖ ${event.status}`)}${event.reason ? ` — ${event.reason}` : ''}`,
        );
        break;
      case 'mitigation.verified':
        this.print(
          `  ${event.status === 'passed' ? c.green(`✔ fix verified (${event.stepId} passed)`) : c.red(`✖ fix not verified: ${event.stepId} ${event.status}`)}`,
        );
        break;
      case 'evidence.preserved':
        this.print(
          `  ${c.green('⛁')} evidence kept unaltered (not redacted): ${event.path} — ${event.bytes} bytes, sha256 ${event.sha256}; what is shown is a redacted preview; \`bud-incident timeline verify\` re-hashes it`,
        );
        break;
      case 'step.process':
      case 'step.output.truncated':
        break; // recorded for --resume / for --json; the terminal shows 30 lines and the artifact's mark
      case 'run.interrupted':
        this.print(c.yellow(`  interrupted: ${event.choice}`));
        break;
      case 'run.finished': {
        this.stopTimer();
        const head =
          event.outcome === 'passed'
            ? c.green.bold('All checks passed.')
            : event.outcome === 'findings'
              ? c.red.bold(`${event.findings} finding(s).`)
              : [
                  c.red.bold(`${event.findings} finding(s)`),
                  event.failedSteps.length
                    ? c.red.bold(`${event.failedSteps.length} step(s) could not run: ${event.failedSteps.join(', ')}`)
                    : '',
                  event.uncheckedSteps?.length
                    ? c.yellow.bold(`${event.uncheckedSteps.length} check(s) could not see the system: ${event.uncheckedSteps.join(', ')}`)
                    : '',
                ]
                  .filter(Boolean)
                  .join(', ') + '.';
        this.print(`\n${head} ${c.dim(`(${formatDuration(event.durationMs)})`)}`);
        if (event.suggestions.length) {
          this.print(c.bold('What to consider next:'));
          for (const s of event.suggestions) this.print(`  • ${s.title}${s.detail ? c.dim(` — ${s.detail}`) : ''}`);
        }
        break;
      }
      case 'run.aborted':
        this.stopTimer();
        this.print(
          `\n${c.yellow.bold('Run aborted')}: ${event.reason}. Everything so far is recorded.${event.pendingSteps.length ? ` Continue with: bud-incident run ${event.runbook} --resume` : ''}`,
        );
        break;
      default:
        break;
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.running.clear();
    this.clearStatus();
  }

  close(): void {
    this.stopTimer();
  }
}

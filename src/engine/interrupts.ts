/**
 * Ctrl-C semantics during a run: the first Ctrl-C cancels the running step(s) (their process
 * groups are killed); the run then asks skip / retry / abort. A second Ctrl-C before the step
 * has been dealt with, or a Ctrl-C between steps, asks the run to abort cleanly.
 */
export class Interrupts {
  private current: AbortController | undefined;
  private abortRequested = false;
  private reason: string | undefined;
  private cancelledStep = false;
  private readonly listeners = new Set<() => void>();

  /** Called by the SIGINT handler (or a test). */
  interrupt(): void {
    if (this.current && !this.current.signal.aborted) {
      this.cancelledStep = true;
      this.current.abort();
    } else {
      this.abortRequested = true;
    }
    for (const l of this.listeners) l();
  }

  /** Asks the run to stop (SIGTERM, SIGHUP: the terminal went away; standard output closed), saying why. */
  abort(reason?: string): void {
    this.abortRequested = true;
    this.reason ??= reason;
    this.current?.abort();
    for (const l of this.listeners) l();
  }

  /** A fresh signal for the step(s) about to run. */
  beginStep(): AbortSignal {
    this.current = new AbortController();
    this.cancelledStep = false;
    if (this.abortRequested) this.current.abort();
    return this.current.signal;
  }

  endStep(): { cancelled: boolean } {
    const cancelled = this.cancelledStep || (this.current?.signal.aborted ?? false);
    this.current = undefined;
    this.cancelledStep = false;
    return { cancelled };
  }

  get shouldAbort(): boolean {
    return this.abortRequested;
  }

  /** Why the run was asked to stop, when it was not a Ctrl-C. */
  get abortReason(): string | undefined {
    return this.reason;
  }

  onInterrupt(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

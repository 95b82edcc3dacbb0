/**
 * `run --at`: when the responder began this runbook, if earlier than now (they started working
 * through it by hand, or on another machine, and now run it here). It dates the run's start
 * (`run.started` data.at) and so the incident's derived acknowledgement and "investigating"
 * milestone; every step, command and finding keeps its real time, because the commands really run
 * now. So it is refused where it could only mislead: with --simulate (a rehearsal happens now),
 * with --resume (the run already has its start) and without an open incident to record into (a
 * run that opens an incident would open it now, after the time given: declare it with
 * `declare --at` first). The time is judged as every other `--at` is (whenDone).
 */
import { UserError } from '../errors.js';
import { currentOpenIncident, loadIncident } from '../incident/open.js';
import { home, type Context } from './context.js';
import { requireOpen, whenDone } from './incident-common.js';

export function runStartedAt(ctx: Context, at: string, opts: { simulate?: string; resume?: boolean }): Date {
  if (opts.simulate !== undefined) throw new UserError('run --at cannot be used with --simulate: a rehearsal happens now; leave --at out');
  if (opts.resume) throw new UserError('run --at cannot be used with --resume: the interrupted run already has its start; leave --at out');
  const h = home(ctx);
  const state = ctx.global.incident ? loadIncident(h, h.resolve(ctx.global.incident)) : currentOpenIncident(h);
  if (!state)
    throw new UserError(
      `run --at "${at}" records into an open incident, and there is none: declare it first (bud-incident declare --title T --severity SEVn --at TIME), then run again`,
    );
  requireOpen(state, 'run --at');
  return whenDone(state, at, ctx.clock.now());
}

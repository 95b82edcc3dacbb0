/**
 * The `update` view: the status update as recorded (the message to post), when the next one is
 * due, and the channels to post it in. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import { hhmm } from '../time-text.js';

export interface UpdateViewInput {
  /** The message as recorded (with its DRILL banner and record line). */
  message: string;
  /** The status.update event's sequence number. */
  seq: number;
  /** When the next update is due; undefined after the Resolved update (none is). */
  nextAt: Date | undefined;
  /** Where to post it (whereToPost). */
  postTo: ReadonlyArray<{ channel: string; what: string }>;
}

export function updateView(c: ChalkInstance, input: UpdateViewInput): string[] {
  const { message, seq, nextAt, postTo } = input;
  return [
    message,
    '',
    c.dim(`Recorded in the timeline (#${seq}); ${nextAt ? `next update due ${hhmm(nextAt)} UTC.` : 'no further update is due.'}`),
    c.bold('Post it in:'),
    ...postTo.map((p) => `  ${p.channel} — ${p.what}`),
  ];
}

/**
 * The `action list` view: each action item, done (✔) or open (○), with owner, due date and when it
 * was done; or how to add one when there is none. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import type { ActionItem } from '../incident/state.js';

export function actionListView(c: ChalkInstance, actions: readonly ActionItem[]): string[] {
  if (!actions.length) return ['no action items (add one: bud-incident action add "TEXT" --owner NAME --due DATE)'];
  return actions.map(
    (a) =>
      `${a.doneAt ? c.green('✔') : '○'} ${a.id}  ${a.text}  ${c.dim(`owner ${a.owner}${a.due ? `, due ${a.due}` : ''}${a.doneAt ? `, done ${a.doneAt.slice(0, 16)}` : ''}`)}`,
  );
}

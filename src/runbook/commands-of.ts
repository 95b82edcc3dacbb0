/** The parsed commands of a runbook that already passed validation (so parsing cannot fail here). */
import { parseCommand, type ParsedCommand } from './command.js';
import type { Runbook } from './schema.js';

export function commandsOf(runbook: Runbook): Map<string, ParsedCommand> {
  const out = new Map<string, ParsedCommand>();
  const add = (id: string, run: string | undefined) => {
    if (run === undefined) return;
    const r = parseCommand(run);
    if (r.ok) out.set(id, r.command);
  };
  for (const s of runbook.steps) if (s.kind === 'check' && s.run !== undefined) add(s.id, s.run);
  for (const m of runbook.mitigations) add(m.id, m.run);
  return out;
}

/** Scenarios: recorded outputs that replace a cluster, for simulation, drills and `runbooks test`. */
import { UserError } from '../errors.js';
import { suggest } from '../suggest.js';
import type { RecordedOutputDef, Runbook } from './schema.js';

export interface ResolvedScenario {
  id: string;
  description?: string;
  outputs: Record<string, RecordedOutputDef>;
  vars: Record<string, string>;
  answers: Record<string, string | boolean>;
  expectFindings: string[];
  expectOffered?: string[];
  expectUnchecked?: string[];
}

/** A scenario with its `extends` chain applied (the child's outputs and vars win). */
export function resolveScenario(runbook: Runbook, id: string): ResolvedScenario {
  const byId = new Map(runbook.scenarios.map((s) => [s.id, s]));
  const scenario = byId.get(id);
  if (!scenario) {
    const ids = [...byId.keys()];
    throw new UserError(`runbook "${runbook.id}" has no scenario "${id}"${suggest(id, ids)}. Scenarios: ${ids.join(', ') || 'none'}`);
  }
  const chain = [scenario];
  const seen = new Set([id]);
  for (let s = scenario; s.extends;) {
    const parent = byId.get(s.extends);
    if (!parent || seen.has(parent.id)) break;
    seen.add(parent.id);
    chain.unshift(parent);
    s = parent;
  }
  const outputs: Record<string, RecordedOutputDef> = {};
  const vars: Record<string, string> = {};
  const answers: Record<string, string | boolean> = {};
  for (const s of chain) {
    Object.assign(outputs, s.outputs ?? {});
    Object.assign(vars, s.vars ?? {});
    Object.assign(answers, s.answers ?? {});
  }
  return {
    id,
    ...(scenario.description ? { description: scenario.description } : {}),
    outputs,
    vars,
    answers,
    expectFindings: scenario.expectFindings,
    ...(scenario.expectOffered ? { expectOffered: scenario.expectOffered } : {}),
    ...(scenario.expectUnchecked ? { expectUnchecked: scenario.expectUnchecked } : {}),
  };
}

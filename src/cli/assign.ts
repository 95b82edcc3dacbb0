/**
 * `assign ROLE PERSON`: records who holds a role of the policy.
 */
import { UserError } from '../errors.js';
import { suggest } from '../suggest.js';
import { writeJson, type Context } from './context.js';
import { alreadyAssignedView, assignedView } from '../render/assign.js';
import { append, incidentOf, policyOf, requireNotEnded, requirePerson, whenDone } from './incident-common.js';

const ROLE_ALIASES: Record<string, string> = {
  ic: 'commander',
  'incident-commander': 'commander',
  communications: 'comms',
  'comms-lead': 'comms',
  techlead: 'tech-lead',
  tl: 'tech-lead',
};

export function assignCommand(ctx: Context, roleArg: string, person: string, opts: { at?: string; json?: boolean }): number {
  const policy = policyOf(ctx);
  const role = ROLE_ALIASES[roleArg] ?? roleArg;
  if (!policy.roles[role])
    throw new UserError(
      `unknown role "${roleArg}"${suggest(roleArg, Object.keys(policy.roles))}: use ${Object.keys(policy.roles).join(', ')}`,
    );
  requirePerson('the person', person);
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'assigning a role');
  const previous = state.roles[role];
  const lastOfRole = state.roleHistory.filter((r) => r.role === role).at(-1);
  const at = whenDone(state, opts.at, ctx.clock.now(), {
    after: [lastOfRole && { what: `the last ${role} assignment`, at: lastOfRole.at }],
  });
  if (previous === person) {
    ctx.term.out.write(alreadyAssignedView(person, policy.roles[role]).join('\n') + '\n');
    return 0;
  }
  const e = append(ctx, id, 'role.assigned', {
    role,
    person,
    ...(previous ? { previous } : {}),
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const when = opts.at !== undefined ? at : new Date(e.ts);
  if (opts.json)
    writeJson(ctx, {
      incident: id,
      role,
      person,
      previous: previous ?? null,
      at: when.toISOString(),
      responsibility: policy.roles[role].responsibility,
    });
  else ctx.term.out.write(assignedView({ role: policy.roles[role], person, previous, at: when }).join('\n') + '\n');
  return 0;
}

/** JSON Schema of the runbook format for editors, generated from the zod schema the loader enforces (refinements are checked at load time only). */
import { z } from 'zod';
import { RunbookSchema } from './schema.js';

export function runbookJsonSchema(): unknown {
  return { ...z.toJSONSchema(RunbookSchema, { io: 'input', unrepresentable: 'any' }), title: 'bud-incident runbook' };
}

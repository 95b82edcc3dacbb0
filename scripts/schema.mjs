// Writes schema/runbook.schema.json from the zod schema the loader enforces (run by `npm run build`).
import { writeFileSync, mkdirSync } from 'node:fs';
const { runbookJsonSchema } = await import('../dist/schema-entry.js');
mkdirSync(new URL('../schema', import.meta.url), { recursive: true });
writeFileSync(new URL('../schema/runbook.schema.json', import.meta.url), JSON.stringify(runbookJsonSchema(), null, 2) + '\n');

/**
 * Positioned diagnostics now live in src/diagnostics.ts (shared by runbooks, checklists, the policy
 * and the config, so config/ need not import runbook/). This re-export keeps the imports of cli/
 * and incident/ working until they import ../diagnostics.js directly.
 */
export * from '../diagnostics.js';

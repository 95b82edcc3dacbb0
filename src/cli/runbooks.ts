/** `bud-incident runbooks list | show | validate | test | schema`. */
import { resolve } from 'node:path';
import { ExecaShell } from '../adapters/shell.js';
import { configTemplateValues } from '../config/defaults.js';
import { formatDiagnostics, type Diagnostic } from '../runbook/diagnostics.js';
import { requireRunbook, type Catalog } from '../runbook/catalog.js';
import { runbookJsonSchema } from '../runbook/json-schema.js';
import { effectOfParsed } from '../runbook/effects.js';
import { testRunbook, type ScenarioResult } from '../engine/test-scenarios.js';
import { UserError } from '../errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '../incident/policy.js';
import { parseChecklist } from '../incident/checklist.js';
import { listYamlFiles } from '../runbook/files.js';
import { readSourceFile } from '../runbook/catalog.js';
import { config, dirsOf, writeJson, type Context } from './context.js';
import { catalog } from './catalog-of.js';
import { planningEngine } from './plan-engine.js';

export function showRunbook(ctx: Context, id: string, opts: { json?: boolean }): number {
  const loaded = requireRunbook(catalog(ctx), id);
  const rb = loaded.runbook;
  if (opts.json) {
    writeJson(ctx, { ...rb, file: loaded.file });
    return 0;
  }
  // What a responder reads: placeholders filled from the config and the inputs' defaults, and a
  // value not known yet as the stand-in `run --dry-run` shows (--json keeps the raw templates).
  const engine = planningEngine(ctx, loaded, {}, configTemplateValues(config(ctx).config));
  const shown = (text: string) => engine.shown(text);
  const planned = engine.plan();
  const command = (stepId: string, raw: string) => {
    const p = planned.get(stepId);
    return p && !('refused' in p) ? p.display : shown(raw);
  };
  const c = ctx.term.color;
  const o: string[] = [];
  o.push(`${c.bold(shown(rb.title))} ${c.dim(`(${rb.id})`)}`);
  o.push(shown(rb.summary.trim()));
  o.push(c.dim(`file: ${loaded.file}`));
  if (rb.playbook) o.push(`Playbook: ${rb.playbook}`);
  if (rb.severity) o.push(`Suggested severity: ${rb.severity}`);
  if (rb.indicators.length) o.push('', c.bold('Indicators'), ...rb.indicators.map((i) => `  • ${shown(i)}`));
  const inputs = Object.entries(rb.inputs);
  if (inputs.length)
    o.push(
      '',
      c.bold('Inputs'),
      ...inputs.map(
        ([n, d]) =>
          `  ${n}${d.default !== undefined ? ` (default ${shown(d.default)})` : ' (required)'}${d.description ? ` — ${shown(d.description)}` : ''}`,
      ),
    );
  o.push('', c.bold('Steps'));
  rb.steps.forEach((s, i) => {
    const tag = s.kind === 'check' ? (s.parallel ? 'check ∥' : 'check') : s.kind;
    o.push(`  ${i + 1}. [${tag}] ${shown(s.title)}${s.when ? c.dim(' (conditional)') : ''}`);
    if (s.kind === 'check') {
      o.push(
        c.dim(
          s.run !== undefined
            ? `     $ ${command(s.id, s.run.trim())}`
            : `     ${command(s.id, `[kubernetes API] ${s.native?.resource ?? ''}${s.native?.namespace ? ` in ${s.native.namespace}` : ''}${s.native?.selector ? ` (${s.native.selector})` : ''}`)}`,
        ),
      );
      // What the reviewer must see: a declaration the tool takes on the runbook's word, or a check that changes things.
      const parsed = loaded.commands.get(s.id);
      const effect = parsed && effectOfParsed(parsed, s.readOnly);
      if (effect?.readOnly && effect.declared) o.push(c.yellow(`     declared read-only by the runbook: ${effect.declared}`));
      if (effect && !effect.readOnly) o.push(c.yellow(`     changes the system (${effect.why}): runs only after an explicit yes`));
    }
    if (s.kind === 'manual') o.push(c.dim(`     ${shown(s.instructions.trim().split('\n')[0] ?? '')}`));
    if (s.kind === 'mitigation') {
      const m = rb.mitigations.find((x) => x.id === s.mitigation);
      if (m?.run) o.push(c.yellow(`     $ ${command(s.id, m.run.trim())}  (changes the system: needs explicit yes)`));
    }
  });
  if (rb.causes.length)
    o.push(
      '',
      c.bold('Likely causes'),
      ...rb.causes.map((x) => `  • ${shown(x.title)}${x.runbook ? c.dim(` → bud-incident run ${x.runbook}`) : ''}`),
    );
  if (rb.mitigations.length)
    o.push(
      '',
      c.bold('Mitigations'),
      ...rb.mitigations.map(
        (m) =>
          `  • ${shown(m.title)}${m.run ? c.dim(`: ${shown(m.run.trim())}`) : ''}${m.changesSystem ? c.yellow(' [changes the system]') : ''}`,
      ),
    );
  if (rb.scenarios.length)
    o.push(
      '',
      c.bold('Scenarios (--simulate)'),
      ...rb.scenarios.map((s) => `  ${s.id}${s.description ? c.dim(` — ${s.description}`) : ''}`),
    );
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}

function allDiagnostics(cat: Catalog, only?: ReadonlySet<string>): Diagnostic[] {
  const out = [...cat.diagnostics.filter((d) => !only || only.has(d.file))];
  for (const e of cat.entries.values()) if (!only || only.has(e.file)) out.push(...e.diagnostics);
  return out;
}

/** Problems in the policy and checklist files of the runbook directories (or in the given files of those kinds). */
function policyAndChecklistDiagnostics(ctx: Context, only?: ReadonlySet<string>): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const { dir } of dirsOf(ctx)) {
    const policy = join(dir, 'policy', 'policy.yaml');
    if (existsSync(policy) && (!only || only.has(policy))) {
      files.push(policy);
      const source = readSourceFile(policy);
      diagnostics.push(...parsePolicy(source).diagnostics, ...source.cutTextDiagnostics());
    }
    const folder = join(dir, 'checklists');
    if (!existsSync(folder)) continue;
    for (const file of listYamlFiles(folder)) {
      if (only && !only.has(file)) continue;
      files.push(file);
      const source = readSourceFile(file);
      diagnostics.push(...parseChecklist(source).diagnostics, ...source.cutTextDiagnostics());
    }
  }
  return { files, diagnostics };
}

export function validateRunbooks(ctx: Context, files: string[], opts: { json?: boolean }): number {
  const abs = files.map((f) => resolve(ctx.cwd, f));
  // Files given by path are routed by kind: policy and checklists have their own schemas.
  const isOther = (f: string) => /[/\\](policy|checklists)[/\\][^/\\]+\.ya?ml$/.test(f);
  const runbookFiles = abs.filter((f) => !isOther(f));
  const cat = catalog(ctx, runbookFiles);
  const only = abs.length ? new Set(runbookFiles) : undefined;
  const other = policyAndChecklistDiagnostics(ctx, abs.length ? new Set(abs.filter(isOther)) : undefined);
  const diagnostics = [...(abs.length && !runbookFiles.length ? [] : allDiagnostics(cat, only)), ...other.diagnostics];
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const checked = (only ? runbookFiles.length : cat.entries.size + cat.diagnostics.length) + other.files.length;
  if (opts.json) {
    writeJson(ctx, { ok: errors === 0, files: checked, errors, warnings, diagnostics });
    return errors ? 1 : 0;
  }
  const c = ctx.term.color;
  if (diagnostics.length) {
    const paint = (k: 'error' | 'warning' | 'dim', s: string) => (k === 'error' ? c.red.bold(s) : k === 'warning' ? c.yellow(s) : c.dim(s));
    ctx.term.out.write(formatDiagnostics(diagnostics, paint).join('\n') + '\n\n');
  }
  ctx.term.out.write(
    (errors ? c.red(`${errors} error(s)`) : c.green('no errors')) +
      `, ${warnings} warning(s) in ${checked} file(s) (runbooks, policy, checklists)\n`,
  );
  return errors ? 1 : 0;
}

export async function testRunbooks(ctx: Context, ids: string[], opts: { json?: boolean }): Promise<number> {
  const cat = catalog(ctx);
  const selected = ids.length ? ids : [...cat.entries.keys()].sort();
  const results: ScenarioResult[] = [];
  const invalid: string[] = [];
  const shell = new ExecaShell();
  const configValues = configTemplateValues(config(ctx).config);
  for (const id of selected) {
    const entry = cat.entries.get(id);
    if (!entry) throw new UserError(`unknown runbook "${id}"`);
    if (!entry.loaded) {
      invalid.push(id);
      continue;
    }
    results.push(...(await testRunbook(entry.loaded, shell, configValues, ctx.env)));
  }
  const failed = results.filter((r) => !r.ok);
  if (opts.json) {
    writeJson(ctx, { ok: failed.length === 0 && invalid.length === 0, scenarios: results.length, failed: failed.length, invalid, results });
  } else {
    const c = ctx.term.color;
    for (const r of results) {
      if (r.ok) {
        ctx.term.out.write(
          `${c.green('✔')} ${r.runbook}/${r.scenario} ${c.dim(`(${r.raised.length ? r.raised.join(', ') : 'no findings'})`)}\n`,
        );
      } else {
        ctx.term.out.write(`${c.red('✖')} ${r.runbook}/${r.scenario}\n`);
        if (r.missing.length) ctx.term.out.write(`    expected but not raised: ${r.missing.join(', ')}\n`);
        if (r.unexpected.length) ctx.term.out.write(`    raised but not expected: ${r.unexpected.join(', ')}\n`);
        for (const e of r.stepErrors) ctx.term.out.write(`    step could not run: ${e}\n`);
        for (const e of [...r.offerProblems, ...r.uncheckedProblems]) ctx.term.out.write(`    ${e}\n`);
      }
    }
    for (const id of invalid) ctx.term.out.write(`${c.red('✖')} ${id}: invalid runbook (run "bud-incident runbooks validate")\n`);
    const noScenarios = selected.filter((id) => cat.entries.get(id)?.loaded?.runbook.scenarios.length === 0);
    if (noScenarios.length) ctx.term.out.write(c.yellow(`runbooks without scenarios (untested): ${noScenarios.join(', ')}\n`));
    ctx.term.out.write(`${results.length - failed.length} passed, ${failed.length + invalid.length} failed\n`);
  }
  return failed.length || invalid.length ? 1 : 0;
}

export function printSchema(ctx: Context): number {
  writeJson(ctx, runbookJsonSchema());
  return 0;
}

export { runbookJsonSchema } from '../runbook/json-schema.js';

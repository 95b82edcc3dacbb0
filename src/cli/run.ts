/** `bud-incident run <runbook>`: step through a runbook against the cluster or a recorded scenario. */
import type { TypedDraft } from '../timeline/catalogue.js';
import { randomBytes } from 'node:crypto';
import { ExecaShell } from '../adapters/shell.js';
import { ClientNodeKube } from '../adapters/kube.js';
import { NodeProber } from '../adapters/probe.js';
import { InquirerPrompter } from '../adapters/prompter.js';
import { configTemplateValues } from '../config/defaults.js';
import { DISPLAY_ONLY, type EngineEvent } from '../engine/events.js';
import { Interrupts } from '../engine/interrupts.js';
import { RunbookEngine, missingInputs, planGroups, type PlannedCommand, type ResumeState, type RunRequest } from '../engine/run.js';
import { UserError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { currentOpenIncident, drillTitle, latestInterruptedDrill, loadIncident, openIncident } from '../incident/open.js';
import { unfinishedRun, type IncidentState } from '../incident/state.js';
import { HumanRunRenderer, JsonRunRenderer, type RunRenderer } from '../render/run.js';
import { onOutputClosed } from '../render/closed-output.js';
import { findProcesses, killNow, processTag } from '../adapters/proctree.js';
import { describeLiveProcesses, liveProcessesOfRun } from '../engine/leftovers.js';
import { readEvents } from '../timeline/store.js';
import { suggest } from '../suggest.js';
import { settle } from '../settle.js';
import { resolveScenario } from '../runbook/scenario.js';
import { validateInputValue } from '../runbook/template.js';
import { FileArtifactSink } from '../timeline/artifacts.js';
import { config, home, isInteractive, parseVars, redactor, type Context } from './context.js';
import { loadRunbookForRun, runbookOriginNotice } from './runbook-for-run.js';
import { policyOf, prepareDocs } from './docs.js';
import { parseSeverityArg, requireNotEnded } from './incident-common.js';
import { preflightCluster } from './preflight.js';
import { runStartedAt } from './run-at.js';
import { planningEngine } from './plan-engine.js';
import { diagnosisSettings, namespaceRoles } from '../diagnosis/settings.js';

export interface RunOptions {
  yes?: boolean;
  json?: boolean;
  dryRun?: boolean;
  simulate?: string;
  var: string[];
  resume?: boolean;
  severity?: string;
  allowMitigations?: boolean;
  timeout?: string;
  /** When the responder began this runbook, if earlier (see run-at.ts). */
  at?: string;
  /** Make the drill a simulation opens the current incident. */
  makeCurrent?: boolean;
}

export async function runCommand(ctx: Context, runbookId: string, opts: RunOptions): Promise<number> {
  const cfg = config(ctx).config;
  // Start loading the process runner while the runbook is read and checked.
  const shellReady = import('execa');
  const forRun = await loadRunbookForRun(ctx, runbookId);
  const { loaded, titleOf } = forRun;
  const origin = runbookOriginNotice(runbookId, forRun);
  if (origin) ctx.term.err.write(`${ctx.term.color.yellow('note:')} ${origin}\n`);
  const runbook = loaded.runbook;
  const severity = opts.severity ? parseSeverityArg(opts.severity) : (runbook.severity ?? 'SEV2');
  if (opts.makeCurrent && !opts.simulate)
    throw new UserError('--make-current is for drills (--simulate): a live run already records in, or opens, the current incident');

  const vars = parseVars(opts.var);
  for (const [name, value] of Object.entries(vars)) {
    const def = runbook.inputs[name];
    if (!def)
      throw new UserError(
        `--var ${name}: runbook "${runbook.id}" has no input "${name}"${suggest(name, Object.keys(runbook.inputs))}. Its inputs: ${Object.keys(runbook.inputs).join(', ') || 'none'}`,
      );
    const ok = validateInputValue(name, def, value);
    if (ok !== true) throw new UserError(`--var ${ok}`);
  }

  let simulate: RunRequest['simulate'];
  if (opts.simulate) {
    const scenario = resolveScenario(runbook, opts.simulate);
    simulate = { scenario: opts.simulate, outputs: scenario.outputs, honourLatency: true, answers: scenario.answers };
    for (const [k, v] of Object.entries(scenario.vars)) if (vars[k] === undefined) vars[k] = v;
  }

  const configValues = configTemplateValues(cfg);
  const interactive = isInteractive(ctx, opts);
  if (!interactive) {
    const missing = missingInputs(runbook, vars, configValues);
    if (missing.length) {
      throw new UserError(
        `runbook "${runbook.id}" needs ${missing.map((m) => `--var ${m}=VALUE`).join(' ')} when it cannot ask (no terminal, --yes or --json)` +
          missing.map((m) => (runbook.inputs[m]?.description ? `\n  ${m}: ${runbook.inputs[m].description}` : '')).join(''),
      );
    }
  }

  if (opts.dryRun) return dryRun(ctx, loaded, vars, configValues, opts);
  const startedAt = opts.at !== undefined ? runStartedAt(ctx, opts.at, opts) : undefined;

  // A live run against a cluster first checks the responder's own set-up: a broken kubeconfig is
  // a usage error (exit 2), not an outage, and opens no incident.
  const usesCluster = runbook.steps.some(
    (s) =>
      s.kind === 'check' &&
      ((s.native && s.native.resource !== 'tls' && s.native.resource !== 'clock') || /^\s*kubectl\b/.test(s.run ?? '')),
  );
  if (!simulate && !opts.resume && usesCluster)
    await preflightCluster(ctx, 'control-plane', cfg.clusters['control-plane'] ?? {}, { reachability: true });

  const h = home(ctx);
  const red = redactor(ctx);
  const renderer: RunRenderer = opts.json ? new JsonRunRenderer(ctx.term) : new HumanRunRenderer(ctx.term, runbook);

  // Which incident records this run.
  let incidentId: string;
  // The folded incident, when a branch already has it (folding reads the whole timeline).
  let incident: IncidentState | undefined;
  let resume: ResumeState | undefined;
  let runId = `r-${ctx.clock.now().toISOString().slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
  // A simulation never records in a live incident: only in a drill (an incident of its own).
  const refuseLive = (state: IncidentState) => {
    if (simulate && !state.drill)
      throw new UserError(
        `incident ${state.id} is a live incident, not a drill: --simulate records made-up findings and would put them in its record. ` +
          'Leave out --incident to open a drill of its own, or pass the id of a drill (marked DRILL in "bud-incident incidents list")',
      );
  };
  if (opts.resume) {
    if (simulate && !ctx.global.incident) {
      // The interrupted drill is usually not current: the latest open drill with an unfinished run of this runbook.
      const found = latestInterruptedDrill(h, runbook.id);
      if (!found)
        throw new UserError(
          `no interrupted drill of "${runbook.id}" to resume (no open drill has an unfinished simulated run of it); pass --incident ID to name one`,
        );
      incidentId = found.state.id;
      incident = found.state;
    } else {
      incidentId = h.resolve(ctx.global.incident);
      incident = loadIncident(h, incidentId);
    }
    const state = incident;
    refuseLive(state);
    requireNotEnded(state, 'run --resume');
    const run = unfinishedRun(state, runbook.id);
    if (!run) throw new UserError(`no interrupted run of "${runbook.id}" in incident ${incidentId} to resume`);
    runId = run.runId;
    resume = {
      done: run.done,
      findings: run.findings.map((f) => ({ stepId: f.stepId, findingId: f.findingId, ...(f.cause ? { cause: f.cause } : {}) })),
      answers: run.answers,
    };
    // After a kill -9 nothing ended the run's commands: never start a step a second time while they run.
    const live = liveProcessesOfRun(readEvents(h.timeline(incidentId).path), runId);
    if (live.length) throw new UserError(describeLiveProcesses(runId, live), 2);
    if (run.mode === 'simulate' && !simulate)
      throw new UserError(`the interrupted run was a simulation (scenario ${run.scenario}); resume it with --simulate ${run.scenario}`);
    renderer.info('incident.attached', { id: incidentId, ...(state.drill ? { drill: true } : {}) });
  } else if (ctx.global.incident) {
    incidentId = h.resolve(ctx.global.incident);
    incident = loadIncident(h, incidentId);
    refuseLive(incident);
    requireNotEnded(incident, 'a run');
    renderer.info('incident.attached', { id: incidentId, ...(incident.drill ? { drill: true } : {}) });
  } else {
    const open = currentOpenIncident(h);
    // A simulation attaches only to a current drill (one made current on purpose); a live run to the current incident.
    if (open && (!simulate || open.drill)) {
      incidentId = open.id;
      incident = open;
      renderer.info('incident.attached', {
        id: incidentId,
        title: open.title,
        severity: open.severity,
        ...(open.drill ? { drill: true } : {}),
      });
    } else {
      await prepareDocs(ctx);
      const opened = openIncident(
        h,
        policyOf(ctx),
        {
          title: simulate ? drillTitle(runbook.id, simulate.scenario) : runbook.title,
          severity,
          source: 'run',
          runbook: runbook.id,
          at: ctx.clock.now(),
          // A drill becomes current only when asked: the next real triage or run must not land in it.
          makeCurrent: !simulate || Boolean(opts.makeCurrent),
          ...(simulate ? { drill: true, extra: { scenario: simulate.scenario } } : {}),
        },
        red,
      );
      incidentId = opened.id;
      renderer.info('incident.opened', {
        id: opened.id,
        severity,
        channel: opened.channel,
        title: opened.title,
        ...(simulate ? { drill: true, current: Boolean(opts.makeCurrent) } : {}),
      });
    }
  }
  // Only a drill gets here with --make-current (checked above, and --simulate never records in a live incident).
  if (opts.makeCurrent && h.currentId() !== incidentId) h.setCurrent(incidentId);
  const store = h.timeline(incidentId);
  // Runbooks may quote the incident ({{incident.channel}} in the initial message).
  incident ??= loadIncident(h, incidentId);
  Object.assign(configValues, {
    'incident.id': incident.id,
    'incident.channel': incident.channel,
    'incident.title': incident.title,
    'incident.severity': incident.severity,
    'incident.openedAt': incident.openedAt,
    // Who leads, as the incident records it when the run starts; else how to record them.
    'incident.commander': incident.roles.commander ?? '<commander: bud-incident assign commander NAME>',
    'incident.techLead': incident.roles['tech-lead'] ?? '<tech lead: bud-incident assign tech-lead NAME>',
  });
  // Records and shows synchronously; a failed write still reaches the engine as a rejection.
  const emit = (event: EngineEvent) =>
    settle(() => {
      if (!DISPLAY_ONLY.has(event.type)) {
        const { type, ...data } = event;
        const dated = type === 'run.started' && startedAt ? { ...data, at: startedAt.toISOString() } : data;
        // Typed where it is emitted (EngineEvent); taking `type` apart loses the pairing the compiler could see.
        store.append([{ type, data: red.redactValue(dated) } as TypedDraft]);
      }
      renderer.handle(event);
    });

  const interrupts = new Interrupts();
  const onSigint = () => interrupts.interrupt();
  const onTerm = () => interrupts.abort();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onTerm);
  // However the process ends (a bug, a closed pipe), nothing this run started outlives it.
  const sweep = () => killNow(findProcesses({ tag: processTag(runId, ''), prefix: true }));
  process.on('exit', sweep);
  // Nobody reads our output any more (`| head -1`): stop as SIGPIPE would, but recorded (exit 141).
  const offClosed = onOutputClosed((stream, why) => {
    if (stream === 'stdout') interrupts.abort(`standard output was closed: ${why}`);
  });
  await shellReady;
  const engine = new RunbookEngine(
    {
      loaded,
      runId,
      vars,
      configValues,
      cluster: (name) => cfg.clusters[name],
      ...(simulate ? { simulate } : {}),
      interactive,
      allowMitigations: Boolean(opts.allowMitigations),
      ...(opts.timeout ? { timeoutOverrideMs: parseTimeout(opts.timeout) } : {}),
      ...(resume ? { resume } : {}),
      runbookTitle: titleOf,
      ...(origin ? { origin } : {}),
      diagnosis: {
        roles: namespaceRoles(cfg),
        settings: diagnosisSettings(cfg),
        ...(cfg.workloadCluster ? { workloadCluster: cfg.workloadCluster } : {}),
        ...(cfg.keycloakUrl ? { keycloakUrl: cfg.keycloakUrl } : {}),
        ...(cfg.apiUrl && ctx.env.TOKEN ? { api: { url: cfg.apiUrl, token: ctx.env.TOKEN } } : {}),
      },
    },
    {
      shell: new ExecaShell(),
      kube: new ClientNodeKube(),
      probe: new NodeProber(),
      clock: ctx.clock,
      ...(interactive ? { prompter: new InquirerPrompter() } : {}),
      emit,
      show: (e) => renderer.handle(e),
      artifacts: new FileArtifactSink(store.dir, red),
      redactor: red,
      interrupts,
      env: ctx.env,
      now: () => performance.now(),
    },
  );
  try {
    const summary = await engine.run();
    renderer.info('timeline', { path: store.path, incident: incidentId });
    return summary.exitCode;
  } finally {
    renderer.close();
    offClosed();
    process.off('exit', sweep);
    sweep();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onTerm);
  }
}

/** A planned command as the dry run shows it. */
function shown(p: PlannedCommand | undefined): { command?: string; argv?: string[][]; refused?: string } {
  if (!p) return {};
  return 'refused' in p ? { refused: p.refused } : { command: p.display, ...(p.argv ? { argv: p.argv } : {}) };
}

function parseTimeout(text: string): number {
  // A bare number is seconds (like kubectl's --request-timeout); 500ms, 30s, 2m also work.
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UserError(`--timeout "${text}": expected seconds or a duration, e.g. 30, 30s, 500ms, 2m`);
  return ms;
}

/**
 * Prints what a run would do, executing nothing. The commands come from the engine's own plan
 * (the same resolution a run uses: the configured cluster's --kubeconfig/--context, refusals,
 * redaction), so what is shown is exactly what a run would execute.
 */
function dryRun(
  ctx: Context,
  loaded: import('../runbook/load.js').LoadedRunbook,
  vars: Record<string, string>,
  configValues: Record<string, string>,
  opts: RunOptions,
): number {
  const rb = loaded.runbook;
  const c = ctx.term.color;
  const lookup = (n: string) =>
    vars[n] ?? configValues[n] ?? rb.inputs[n]?.default?.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (w, k: string) => configValues[k] ?? w);
  const engine = planningEngine(ctx, loaded, vars, configValues);
  const planned = engine.plan();
  const onlyIf = (id: string) => {
    const req = rb.mitigations.find((m) => m.id === id)?.requires;
    if (!req) return undefined;
    return [
      req.cause
        ? `the diagnosis names ${req.cause.join(' or ')}${req.subject ? ` for ${req.subject.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (w, k: string) => lookup(k) ?? w)}` : ''}`
        : '',
      req.finding ? `the finding ${req.finding.join(' or ')} is raised` : '',
    ]
      .filter(Boolean)
      .join(', or ');
  };
  const plan = planGroups(rb.steps).map((group) =>
    group.map((s) => ({
      id: s.id,
      kind: s.kind,
      title: engine.shown(s.title),
      parallel: group.length > 1,
      ...(s.kind === 'check' || s.kind === 'mitigation' ? shown(planned.get(s.id)) : {}),
      ...(s.kind === 'mitigation'
        ? {
            mitigation: s.mitigation,
            offeredOnlyIf: onlyIf(s.mitigation),
            changesSystem: rb.mitigations.find((m) => m.id === s.mitigation)?.changesSystem,
          }
        : {}),
      ...(s.when ? { when: s.when } : {}),
    })),
  );
  if (opts.json) {
    ctx.term.out.write(JSON.stringify({ type: 'dry-run', runbook: rb.id, groups: plan }) + '\n');
    return 0;
  }
  ctx.term.out.write(`${c.bold(`Dry run of ${rb.id}`)}: nothing is executed and nothing is recorded.\n`);
  let n = 0;
  for (const group of plan) {
    if (group.length > 1) ctx.term.out.write(c.dim(`  these ${group.length} run at the same time:\n`));
    for (const s of group) {
      n++;
      const tag = s.kind === 'mitigation' ? c.yellow(' [mitigation: needs explicit yes]') : s.kind === 'check' ? '' : c.dim(` [${s.kind}]`);
      ctx.term.out.write(`  ${n}. ${s.title}${tag}${s.when ? c.dim(' (conditional)') : ''}\n`);
      if ('command' in s && s.command) ctx.term.out.write(c.dim(`     $ ${s.command}\n`));
      if ('refused' in s && s.refused) ctx.term.out.write(c.red(`     cannot be prepared: ${s.refused}\n`));
      if ('offeredOnlyIf' in s && s.offeredOnlyIf) ctx.term.out.write(c.dim(`     offered only if ${s.offeredOnlyIf}\n`));
    }
  }
  return 0;
}

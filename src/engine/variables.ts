/**
 * A run's variables: the values {{placeholders}} fill from (--var and answers, the config, an
 * input's default, what a diagnosis found, the facts a mitigation's precondition proved), checked
 * when they become words of a command, and shown with secrets as [REDACTED] and values not known
 * yet as a stand-in (`<deployment: from the diagnosis>`), never `{{…}}`.
 */
import { TemplateError } from '../runbook/command.js';
import type { Runbook } from '../runbook/schema.js';
import { renderTemplate, validateInputValue } from '../runbook/template.js';
import type { Redactor } from '../secrets/redact.js';
import type { ReportedCause } from '../diagnosis/report.js';

export class Variables {
  /** Values given (--var, answers, a scenario's vars) or proven (evidence.*). */
  private readonly values = new Map<string, string>();
  private readonly secretInputs: Set<string>;
  /** Set while planning (`--dry-run`, `runbooks show`): values only a run can know read as their stand-in. */
  planning = false;

  constructor(
    private readonly runbook: Runbook,
    private readonly configValues: Record<string, string>,
    private readonly redactor: Redactor,
    /** Causes named by diagnosis checks so far (the run adds to it). */
    private readonly diagnosed: readonly ReportedCause[],
  ) {
    this.secretInputs = new Set(
      Object.entries(runbook.inputs)
        .filter(([, d]) => d.secret)
        .map(([n]) => n),
    );
  }

  /** A value given or answered (not a default, not the config's). */
  given(name: string): string | undefined {
    return this.values.get(name);
  }

  isSecret(name: string): boolean {
    return this.secretInputs.has(name);
  }

  /**
   * Text a responder reads (a title, instructions, text to copy, a question) with its placeholders
   * filled; a value not known yet reads as a stand-in, never `{{…}}`.
   */
  shown(text: string): string {
    return renderTemplate(text, this.shownLookup);
  }

  /** A value from --var, an answer, or the evidence; a secret input's value is redacted from then on. */
  set(name: string, value: string): void {
    this.values.set(name, value);
    if (this.secretInputs.has(name)) this.redactor.addLiteral(value);
  }

  /** The value of a template variable: an answer or --var, a config value, or the input's default. */
  lookup = (name: string): string | undefined => {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    const c = this.configValues[name];
    if (c !== undefined) return c;
    const input = this.runbook.inputs[name];
    const found = this.fromDiagnosis(name)[0];
    if (found !== undefined) return found;
    const def = input?.default;
    if (def !== undefined) {
      const rendered = renderTemplate(def, (n) => this.configValues[n]);
      if (!/\{\{/.test(rendered)) return rendered;
    }
    if (this.planning) return this.standIn(name);
    return undefined;
  };

  /**
   * The value of a variable that becomes a word of a command: an input's value that did not come from
   * --var or an answer (a default filled from the config, a value the diagnosis found) passes the same
   * checks as one typed (no leading "-", no control character, the input's pattern).
   */
  commandLookup = (name: string): string | undefined => {
    const value = this.lookup(name);
    const input = this.runbook.inputs[name];
    if (value === undefined || !input || this.values.has(name)) return value;
    if (this.planning && value === this.standIn(name)) return value;
    const ok = validateInputValue(name, input, value);
    if (ok !== true) throw new TemplateError(`input ${ok} (not typed: it came from the config or the diagnosis)`);
    return value;
  };

  /** The values a diagnosis offers for an input declared `fromDiagnosis`, best ranked first. */
  fromDiagnosis(name: string): string[] {
    const spec = this.runbook.inputs[name]?.fromDiagnosis;
    if (!spec) return [];
    const wanted: readonly string[] = spec.causes; // cause ids, read as strings to compare with any id
    const within = spec.within ? `${renderTemplate(spec.within, (n) => (n === name ? undefined : this.lookup(n)))}/` : '';
    const values = this.diagnosed
      .filter((c) => c.root && wanted.includes(c.id) && c.subject.startsWith(within))
      .map((c) => c.facts[spec.fact]);
    return [...new Set(values.filter((v): v is string => v !== undefined))];
  }

  /** The inputs' values as shown and recorded (run.started). */
  shownVars(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of Object.keys(this.runbook.inputs)) {
      const v = this.lookup(name);
      if (v !== undefined) out[name] = this.secretInputs.has(name) ? '[REDACTED]' : v;
    }
    return out;
  }

  /** What a reader sees for a value that is not known at this point of the run. */
  standIn(name: string): string {
    if (name.startsWith('evidence.')) return `<${name.slice('evidence.'.length)} from the evidence>`;
    if (this.runbook.inputs[name]?.fromDiagnosis) return `<${name}: from the diagnosis>`;
    const asked = this.runbook.steps.find((s) => s.kind === 'prompt' && s.input === name);
    return asked ? `<${name}: asked at "${asked.title}">` : `<${name}>`;
  }

  /** The value of a template variable as shown and recorded: a secret input is [REDACTED] at any length. */
  shownLookup = (name: string): string => {
    if (this.secretInputs.has(name)) return '[REDACTED]';
    const value = this.lookup(name);
    return value === undefined || value === `{{${name}}}` ? this.standIn(name) : value;
  };
}

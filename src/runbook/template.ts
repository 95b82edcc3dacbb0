/** `{{name}}` substitution for messages (findings, instructions). Commands use command.ts, which never re-splits values. */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Fills placeholders; unknown names are left visible as `{{name}}` so a gap is noticed, not hidden. */
export function renderTemplate(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => lookup(name) ?? whole);
}

export function templateNames(text: string): string[] {
  // The name group is not optional: it matched whenever the pattern did.
  return [...text.matchAll(PLACEHOLDER)].map(([, name = '']) => name);
}

export interface InputRules {
  pattern?: string;
  allowLeadingDash?: boolean;
  /** A secret input: its value is never repeated in the message (a password one character off is still a password). */
  secret?: boolean;
}

/**
 * Checks a value given for a runbook input. Values fill whole arguments and never reach a shell,
 * but a value starting with "-" would still be read by kubectl or curl as an option
 * (`--kubeconfig=/tmp/evil`), so those are refused unless the input allows them.
 */
export function validateInputValue(name: string, rules: InputRules | undefined, value: string): string | true {
  if (value.length > 1024) return `${name}: value is too long (${value.length} characters; at most 1024)`;

  if (/[\u0000-\u001f\u007f]/.test(value)) return `${name}: value contains a control character (newline, tab, NUL...)`;
  const shown = rules?.secret ? 'the value (secret, not shown)' : `value "${value}"`;
  if (value.startsWith('-') && !rules?.allowLeadingDash) return `${name}: ${shown} starts with "-" and would be read as an option; refused`;
  if (rules?.pattern && !new RegExp(`^(?:${rules.pattern})$`).test(value))
    return `${name}: ${shown} does not match the pattern /${rules.pattern}/`;
  return true;
}

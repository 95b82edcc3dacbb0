/**
 * Diagnostics with positions: every problem found in a YAML file (runbook, checklist, policy,
 * config) is reported as `path:line:col: field: message`, followed by the source line with the
 * offending span underlined. Problems are collected, never thrown one at a time.
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { errorMessage } from './errors.js';
import { suggest } from './suggest.js';

export { suggest };

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** Dotted path of the field, e.g. `steps[2].expect[0].matches`; empty for file-level problems. */
  field: string;
  message: string;
  /** The source line, for the excerpt. */
  source?: string;
  /** Width of the underline under the source line. */
  length?: number;
  severity: 'error' | 'warning';
}

export type Path = ReadonlyArray<string | number | symbol>;

export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += (out ? '.' : '') + String(p);
  }
  return out;
}

/** A parsed YAML file that can turn paths into positions. */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lineCounter = new LineCounter();
  private readonly lines: string[];
  readonly parseDiagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = text.split(/\r?\n/);
    // uniqueKeys: a duplicated key is an error, not a silent override. maxAliasCount caps "billion laughs".
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
    for (const e of [...this.doc.errors, ...this.doc.warnings]) {
      const [start, end] = e.pos;
      const [firstLine = ''] = e.message.split('\n'); // split always yields a first part
      const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
      this.parseDiagnostics.push(this.at(start, end, '', message, this.doc.errors.includes(e) ? 'error' : 'warning'));
    }
  }

  /** The plain JavaScript value of the document (undefined when it has errors). */
  toJS(): unknown {
    if (this.doc.errors.length) return undefined;
    try {
      return this.doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      this.parseDiagnostics.push(this.at(0, 1, '', errorMessage(error)));
      return undefined;
    }
  }

  at(start: number, end: number, field: string, message: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
    const pos = this.lineCounter.linePos(Math.min(start, this.text.length));
    const source = this.lines[pos.line - 1];
    const sameLine = source !== undefined ? Math.max(1, Math.min(end - start, source.length - pos.col + 1)) : 1;
    return { file: this.file, line: pos.line, col: pos.col, field, message, source, length: sameLine, severity };
  }

  /** The node at a path, or the nearest ancestor that exists (for "missing field" problems). */
  nodeAt(path: Path): { node: Node | undefined; exact: boolean } {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      let child: unknown;
      if (isMap(node)) child = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key)?.value;
      else if (isSeq(node) && typeof key === 'number') child = node.items[key];
      if (child === undefined || child === null) return { node: isNode(node) ? node : undefined, exact: false };
      node = child;
    }
    return { node: isNode(node) ? node : undefined, exact: true };
  }

  /** The key node of `key` in the map at `path` (for unknown keys). */
  keyAt(path: Path, key: string): Node | undefined {
    const { node, exact } = this.nodeAt(path);
    if (!exact || !isMap(node)) return undefined;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    return pair && isNode(pair.key) ? pair.key : undefined;
  }

  /** A diagnostic pointing at the value at `path` (or its nearest existing ancestor). */
  diagnosticAt(path: Path, message: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
    const { node } = this.nodeAt(path);
    const range = node?.range ?? [0, 1, 1];
    return this.at(range[0], range[1], formatPath(path), message, severity);
  }

  /** A diagnostic pointing at the key `key` inside the map at `path`. */
  diagnosticAtKey(path: Path, key: string, message: string): Diagnostic {
    const keyNode = this.keyAt(path, key);
    if (keyNode?.range) return this.at(keyNode.range[0], keyNode.range[1], formatPath([...path, key]), message);
    return this.diagnosticAt(path, message);
  }

  /**
   * Offset of a substring inside a scalar string value (to point at a bad template inside a
   * command), or the value's start when it cannot be located exactly (folded/escaped scalars).
   */
  diagnosticInValue(path: Path, needle: string, message: string, severity: 'error' | 'warning' = 'error'): Diagnostic {
    const { node, exact } = this.nodeAt(path);
    if (exact && node?.range) {
      const raw = this.text.slice(node.range[0], node.range[1]);
      const idx = needle ? raw.indexOf(needle) : -1;
      if (idx >= 0) return this.at(node.range[0] + idx, node.range[0] + idx + needle.length, formatPath(path), message, severity);
    }
    return this.diagnosticAt(path, message, severity);
  }

  /**
   * Text cut by a comment: in YAML, ` #` ends an unquoted value and starts a comment, so
   * `instructions: react in #incidents on Slack` reads as "react in". Every plain (unquoted)
   * scalar directly followed on its line by a comment is reported at the `#`, with the text that
   * was kept and the text that was lost, and the fix (quote the whole value). A comment on its own
   * line, after a quoted value, or inside a block scalar (`|`, `>`, where `#` is text) is not.
   * It is an error when the value is prose (it has a space) or the `#` is glued to a word
   * (`#incidents`, `#3`): such a comment is almost surely text. A bare value followed by `# note`
   * (`timeout: 30s # why`) may be a deliberate comment and is a warning; move it to its own line.
   */
  cutTextDiagnostics(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const visit = (node: unknown, path: Array<string | number>) => {
      if (isMap(node)) {
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '?';
          visit(pair.value, [...path, key]);
        }
      } else if (isSeq(node)) node.items.forEach((item, i) => visit(item, [...path, i]));
      else if (isScalar(node) && node.type === 'PLAIN' && node.range) {
        const valueEnd = node.range[1];
        const after = /^[ \t]+(#[^\r\n]*)/.exec(this.text.slice(valueEnd, valueEnd + 2000));
        if (!after) return;
        const [matched, comment = ''] = after; // the comment group is not optional
        const start = valueEnd + matched.length - comment.length;
        const kept = String(node.source ?? node.value);
        const prose = /\s/.test(kept) || /^#[^\s#]/.test(comment);
        const field = formatPath(path);
        const lastKey = path.filter((p) => typeof p === 'string').at(-1) ?? 'value';
        const whole = `${this.text.slice(node.range[0], valueEnd)} ${comment}`.replace(/\s*\n\s*/g, ' ');
        out.push(
          this.at(
            start,
            start + comment.length,
            field,
            `text cut at " #": YAML reads "${comment}" as a comment, so the value is only "${kept}"; ` +
              `to keep it, quote the whole value: ${lastKey}: ${JSON.stringify(whole)}` +
              (prose ? '' : ' (a deliberate comment goes on its own line)'),
            prose ? 'error' : 'warning',
          ),
        );
      }
    };
    visit(this.doc.contents, []);
    return out;
  }

  /** Converts schema issues into positioned diagnostics. */
  schemaDiagnostics(issues: readonly z.core.$ZodIssue[], knownFields: readonly string[] = []): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const issue of issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          out.push(this.diagnosticAtKey(issue.path, key, `unknown field "${key}"${suggest(key, knownFields)}`));
        }
        continue;
      }
      const { exact } = this.nodeAt(issue.path);
      let message = issue.message;
      if (!exact && issue.code === 'invalid_type') message = `required field is missing (${issue.message.replace(/^Invalid input: /, '')})`;
      out.push({ ...this.diagnosticAt(issue.path, message), field: formatPath(issue.path) });
    }
    return out;
  }
}

/** Diagnostics in file order (a stable sort: problems at the same position keep the order they were found in). */
export function byPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Renders diagnostics as `file:line:col: field: message` with the source line underlined. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  paint: (kind: 'error' | 'warning' | 'dim', s: string) => string = (_k, s) => s,
): string[] {
  const out: string[] = [];
  for (const d of diagnostics) {
    const field = d.field ? `${d.field}: ` : '';
    out.push(`${d.file}:${d.line}:${d.col}: ${paint(d.severity, d.severity)}: ${field}${d.message}`);
    if (d.source !== undefined) {
      const gutter = `${String(d.line).padStart(4)} | `;
      out.push(paint('dim', gutter) + d.source);
      out.push(' '.repeat(gutter.length + d.col - 1) + paint(d.severity, '^'.repeat(Math.max(1, d.length ?? 1))));
    }
  }
  return out;
}

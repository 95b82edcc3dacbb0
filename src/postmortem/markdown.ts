/**
 * Putting a responder's words into the post-mortem's Markdown without letting them become its
 * structure. A root cause typed as `x\n## Action Items\n- none` must stay text: it must not add a
 * heading, a list item, a table row, a fence that swallows the rest of the document or an HTML
 * block. So every line that could start a block gets its first character escaped, `<` is always
 * escaped (raw HTML headings and comments), text meant for one line has its line breaks folded,
 * and text shown verbatim is fenced with a fence longer than any it contains.
 */

/** Every line break CommonMark or a renderer might honour. */
const LINE_BREAK = /\r\n|[\n\r\v\f\u2028\u2029]/;
const LINE_BREAKS = /\r\n|[\n\r\v\f\u2028\u2029]/g;

/** Escapes what could make a line start a block (heading, list, quote, table, fence, HTML, break). */
function escapeLineStart(line: string): string {
  // Always matches (any run of blanks, then anything): the groups are there.
  const [, indent = '', rest = ''] = /^([ \t]*)(.*)$/s.exec(line) ?? [];
  // Four columns in, a line is code or a paragraph's continuation: it cannot start a block.
  if (indent.replace(/\t/g, '    ').length >= 4) return line;
  // An ordered-list marker: `1.` / `1)`.
  const ordered = /^(\d{1,9})([.)])/.exec(rest);
  const [, digits] = ordered ?? [];
  if (digits !== undefined) return `${indent}${digits}\\${rest.slice(digits.length)}`;
  // Any ASCII punctuation may be backslash-escaped in CommonMark; escaping the first one is enough.
  if (/^[!-/:-@[-`{-~]/.test(rest) && !rest.startsWith('\\')) return `${indent}\\${rest}`;
  return line;
}

const escapeHtml = (s: string) => s.replace(/</g, '\\<');

const fold = (text: string) => escapeHtml(text.replace(LINE_BREAKS, ' '));

/**
 * One line of text: line breaks folded to spaces, nothing that can start a block or raw HTML, and
 * no trailing `#`s a heading would swallow as its closing sequence.
 */
export function inline(text: string): string {
  return escapeLineStart(fold(text)).replace(/(\s)(#+\s*)$/, '$1\\$2');
}

/** A table cell: one line, and `|` cannot end the cell. */
export function cell(text: string): string {
  return escapeLineStart(fold(text).replace(/\|/g, '\\|'));
}

/**
 * Text that may span lines (a root cause, a resolution). One line is a plain paragraph; several
 * are a block quote whose lines keep their breaks, each line escaped so none starts a block.
 */
export function block(text: string): string[] {
  const lines = escapeHtml(text.trim())
    .split(LINE_BREAK)
    .map((l) => l.trimEnd());
  const [only = ''] = lines; // split gives at least one line
  if (lines.length === 1) return [escapeLineStart(only)];
  const quoted = lines.map((l, i) => (l ? `> ${escapeLineStart(l)}${lines[i + 1] ? '  ' : ''}` : '>'));
  return [...quoted, ''];
}

/** Text shown verbatim (a status update as posted): a code fence no line inside can close. */
export function fenced(text: string, info = ''): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${info}`, text, fence];
}

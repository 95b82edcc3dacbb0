/**
 * The output limits, in one place, so every mode keeps the same ones: what is stored in an artifact,
 * printed by `--json` and drawn on the terminal is the first OUTPUT_CAP bytes of each stream (then
 * one "truncated, N bytes in all" mark); what is held in memory to judge a check is bounded too,
 * and so is what a pipeline filter that must see everything (sort) may hold.
 */

/** Bytes of each stream of a command that are stored (artifact), printed (--json) and shown (terminal). */
export const OUTPUT_CAP = 16 * 1024 * 1024;
/** Characters of a command's (filtered) output kept in memory to judge the check. */
export const CAPTURE_LIMIT = 4 * 1024 * 1024;
/** Characters a filter stage may hold: sort's input, one line, tail's last lines. */
export const FILTER_HOLD_LIMIT = 16 * 1024 * 1024;
/** Bytes of an evidence step's output shown (terminal, --json) and judged, redacted; the file keeps all of it. */
export const EVIDENCE_PREVIEW = 2 * 1024;
/** Lines of an evidence step's output kept in its timeline record, redacted. */
export const EVIDENCE_PREVIEW_LINES = 10;

/**
 * Errors the user can fix (bad input, unknown runbook, missing value). `main.ts` prints their
 * message without a stack trace and exits with `exitCode` (2 by convention: usage or input error).
 * Anything else that reaches the top is a bug and is reported as one.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 2,
    /** Extra lines printed after the message, e.g. diagnostics with source excerpts. */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Marks a branch that the type system proves unreachable; fails loudly if it is reached. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Node's system errors carry a string `code` (ENOENT, ENOSPC, EACCES...). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * Questions to the responder. The engine and commands only see this interface; the real one wraps
 * @inquirer/prompts (loaded on first use), tests pass scripted answers.
 */

export class PromptCancelledError extends Error {
  override readonly name = 'PromptCancelledError';
  constructor() {
    super('cancelled at the prompt');
  }
}

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  input(
    message: string,
    options?: { defaultValue?: string; validate?: (value: string) => string | true; secret?: boolean },
  ): Promise<string>;
  select<T>(message: string, choices: Array<Choice<T>>, defaultValue?: T): Promise<T>;
  checkbox<T>(message: string, choices: Array<Choice<T> & { checked?: boolean }>): Promise<T[]>;
  /** Opens $VISUAL/$EDITOR on `text` and returns what was saved. */
  edit(message: string, text: string): Promise<string>;
}

/** The interactive prompter: @inquirer/prompts, with Ctrl-C turned into PromptCancelledError. */
export class InquirerPrompter implements Prompter {
  private async lib() {
    return import('@inquirer/prompts');
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError'))
        throw new PromptCancelledError();
      throw error;
    }
  }

  async confirm(message: string, defaultValue: boolean): Promise<boolean> {
    const { confirm } = await this.lib();
    return this.guard(() => confirm({ message, default: defaultValue }));
  }

  async input(
    message: string,
    options: { defaultValue?: string; validate?: (value: string) => string | true; secret?: boolean } = {},
  ): Promise<string> {
    const { input, password } = await this.lib();
    if (options.secret) return this.guard(() => password({ message, mask: '*', validate: options.validate }));
    return this.guard(() => input({ message, default: options.defaultValue, validate: options.validate }));
  }

  async select<T>(message: string, choices: Array<Choice<T>>, defaultValue?: T): Promise<T> {
    const { select } = await this.lib();
    return this.guard(() => select<T>({ message, choices, default: defaultValue, loop: false }));
  }

  async checkbox<T>(message: string, choices: Array<Choice<T> & { checked?: boolean }>): Promise<T[]> {
    const { checkbox } = await this.lib();
    return this.guard(() => checkbox<T>({ message, choices, loop: false, pageSize: 15 }));
  }

  async edit(message: string, text: string): Promise<string> {
    const { editor } = await this.lib();
    return this.guard(() => editor({ message, default: text, waitForUserInput: false, postfix: '.txt' }));
  }
}

/** Answers from a script, in order; for tests. Throws when the script runs out. */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly answers: unknown[]) {}
  private next(message: string): unknown {
    this.asked.push(message);
    if (this.answers.length === 0) throw new Error(`no scripted answer for: ${message}`);
    const a = this.answers.shift();
    if (a instanceof Error) throw a;
    return a;
  }
  async confirm(message: string): Promise<boolean> {
    return this.next(message) as boolean;
  }
  async input(message: string, options: { validate?: (value: string) => string | true } = {}): Promise<string> {
    const value = this.next(message) as string;
    const ok = options.validate?.(value) ?? true;
    if (ok !== true) throw new Error(`scripted answer "${value}" rejected: ${ok}`);
    return value;
  }
  async select<T>(message: string): Promise<T> {
    return this.next(message) as T;
  }
  async checkbox<T>(message: string): Promise<T[]> {
    return this.next(message) as T[];
  }
  async edit(message: string, text: string): Promise<string> {
    const a = this.next(message);
    return typeof a === 'function' ? (a as (t: string) => string)(text) : (a as string);
  }
}

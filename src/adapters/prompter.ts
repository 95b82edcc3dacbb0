/**
 * Questions to the responder. The engine and commands only see this interface; the real one wraps
 * @inquirer/prompts (loaded on first use), tests pass scripted answers.
 */
import { settle } from '../settle.js';

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
  confirm(message: string): Promise<boolean> {
    return settle(() => {
      const a = this.next(message);
      if (typeof a !== 'boolean') throw new Error(`scripted answer ${String(a)} to "${message}" is not yes/no (true or false)`);
      return a;
    });
  }
  input(message: string, options: { validate?: (value: string) => string | true } = {}): Promise<string> {
    return settle(() => {
      const value = this.text(message, this.next(message));
      const ok = options.validate?.(value) ?? true;
      if (ok !== true) throw new Error(`scripted answer "${value}" rejected: ${ok}`);
      return value;
    });
  }
  /** The choice whose value is the scripted answer, as the real prompt can only return one of them. */
  select<T>(message: string, choices: Array<Choice<T>>): Promise<T> {
    return settle(() => {
      const a = this.next(message);
      const chosen = choices.find((c) => c.value === a);
      if (!chosen) throw new Error(`scripted answer ${String(a)} to "${message}" is not one of its choices`);
      return chosen.value;
    });
  }
  checkbox<T>(message: string, choices: Array<Choice<T>>): Promise<T[]> {
    return settle(() => {
      const a = this.next(message);
      if (!Array.isArray(a)) throw new Error(`scripted answer to "${message}" is not a list`);
      const items: unknown[] = a;
      return items.map((x) => {
        const chosen = choices.find((c) => c.value === x);
        if (!chosen) throw new Error(`scripted answer ${String(x)} to "${message}" is not one of its choices`);
        return chosen.value;
      });
    });
  }
  /** A scripted edit is the saved text, or a function of the text shown. */
  edit(message: string, text: string): Promise<string> {
    return settle(() => {
      const a = this.next(message);
      if (typeof a !== 'function') return this.text(message, a);
      const edited: unknown = Reflect.apply(a, undefined, [text]);
      return this.text(message, edited);
    });
  }
  private text(message: string, a: unknown): string {
    if (typeof a !== 'string') throw new Error(`scripted answer ${String(a)} to "${message}" is not text`);
    return a;
  }
}

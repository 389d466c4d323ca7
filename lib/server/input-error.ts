/** Bad input from a client: answered 400 with a message a person can act on; nothing is generated. */
export type InputField = 'prompt' | 'numberOfImages' | 'image' | 'aspectRatio' | 'provider' | 'body';

export class InputError extends Error {
  readonly status: number;
  readonly field?: InputField;

  constructor(message: string, options: { field?: InputField; status?: number } = {}) {
    super(message);
    this.name = 'InputError';
    this.field = options.field;
    this.status = options.status ?? 400;
  }
}

// A secret (password, passphrase, token) is a value of its own type that never serializes: JSON, YAML,
// util.inspect and string conversion all show a mask. Only reveal() gives the value, at the point of use.
const store = new WeakMap<Secret, string>();
const MASK = '***';

export class Secret {
  private constructor(readonly label: string) {}

  static of(value: string, label = 'secret'): Secret {
    const s = new Secret(label);
    store.set(s, value);
    return s;
  }

  reveal(): string {
    return store.get(this) ?? '';
  }

  get isEmpty(): boolean {
    return this.reveal().length === 0;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.label})`;
  }
}

export const SECRET_MASK = MASK;

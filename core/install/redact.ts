// Every secret a run knows is replaced by *** before a line reaches disk, memory or an event. One matcher
// (a single regex alternation, longest secret first) is compiled whenever the set changes, so the hot path
// is one regex test per line.
import { SECRET_MASK, Secret } from '../common/secret.js';
import type { SecretBag } from '../ssh/types.js';

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly values = new Set<string>();
  private matcher: RegExp | undefined;

  constructor(secrets: Iterable<string | Secret> = []) {
    for (const s of secrets) this.add(s);
  }

  static fromBag(bag: SecretBag): Redactor {
    const r = new Redactor();
    for (const group of [bag.password, bag.passphrase, bag.sudoPassword, bag.service]) {
      for (const s of Object.values(group ?? {})) r.add(s);
    }
    return r;
  }

  add(secret: string | Secret): void {
    const value = typeof secret === 'string' ? secret : secret.reveal();
    // An empty value would match everywhere; whitespace-only would mask layout, not a secret.
    if (value.trim().length === 0 || this.values.has(value)) return;
    this.values.add(value);
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.matcher = new RegExp(sorted.map(escapeRegex).join('|'), 'g');
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    const m = this.matcher;
    if (!m) return text;
    m.lastIndex = 0;
    if (!m.test(text)) return text;
    m.lastIndex = 0;
    return text.replace(m, SECRET_MASK);
  }
}


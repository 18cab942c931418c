// Every secret a run knows is replaced by *** before a line reaches disk, memory or an event. One matcher
// (a single regex alternation, longest secret first) is compiled whenever the set changes, so the hot path
// is one regex test per line; lines without any secret's first character skip even that.
import { SECRET_MASK, Secret } from '../common/secret.js';
import type { SecretBag } from '../ssh/types.js';

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly values = new Set<string>();
  private matcher: RegExp | undefined;
  private maxLength = 0;

  constructor(secrets: Iterable<string | Secret> = []) {
    for (const s of secrets) this.add(s);
  }

  static fromBag(bag: SecretBag): Redactor {
    const r = new Redactor();
    for (const group of [bag.password, bag.passphrase, bag.sudoPassword]) {
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
    this.maxLength = Math.max(this.maxLength, value.length);
  }

  get size(): number {
    return this.values.size;
  }

  /** Longest secret: a stream must hold back this many characters minus one before it can emit. */
  get longest(): number {
    return this.maxLength;
  }

  redact(text: string): string {
    const m = this.matcher;
    if (!m) return text;
    m.lastIndex = 0;
    if (!m.test(text)) return text;
    m.lastIndex = 0;
    return text.replace(m, SECRET_MASK);
  }

  /** Match positions in text, for the stream redactor. */
  matches(text: string): Array<[start: number, end: number]> {
    const m = this.matcher;
    const found: Array<[number, number]> = [];
    if (!m) return found;
    m.lastIndex = 0;
    for (let r = m.exec(text); r; r = m.exec(text)) found.push([r.index, r.index + r[0].length]);
    return found;
  }
}

/**
 * Redacts a byte stream that arrives in arbitrary chunks (a secret may be split between two of them).
 * Emits complete lines at once; within a long unterminated line it emits all but the last
 * (longest secret − 1) characters, which is exactly what a secret that began earlier could still need.
 */
export class StreamRedactor {
  private pending = '';

  constructor(private readonly redactor: Redactor) {}

  push(chunk: string): string {
    this.pending += chunk;
    const nl = this.pending.lastIndexOf('\n');
    let out = '';
    if (nl >= 0) {
      out = this.redactor.redact(this.pending.slice(0, nl + 1));
      this.pending = this.pending.slice(nl + 1);
    }
    const hold = Math.max(0, this.redactor.longest - 1);
    if (this.pending.length > hold) {
      let cut = this.pending.length - hold;
      const spans = this.redactor.matches(this.pending);
      let emitted = '';
      let from = 0;
      for (const [start, end] of spans) {
        if (start >= cut) break;
        emitted += this.pending.slice(from, start) + SECRET_MASK;
        from = end;
        if (end > cut) cut = end;
      }
      emitted += this.pending.slice(from, Math.max(from, cut));
      this.pending = this.pending.slice(Math.max(from, cut));
      out += emitted;
    }
    return out;
  }

  end(): string {
    const rest = this.redactor.redact(this.pending);
    this.pending = '';
    return rest;
  }
}

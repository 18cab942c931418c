// Host keys checked against OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) host fields,
// `[host]:port`, wildcard and negated patterns, @revoked and @cert-authority markers. A key is only ever
// added by appending one line; the user's file is never rewritten.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SshError } from './types.js';

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  /** Comma-separated patterns as written (`host`, `[host]:port`, `*.example`, `!bad`), when not hashed. */
  patterns?: string[];
  /** Hashed host field: HMAC-SHA1(salt, hostString) = hash. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The key blob (base64-decoded). */
  key: Buffer;
  file?: string;
  line: number;
}

/** OpenSSH's way to name a host in known_hosts: `host` on port 22, else `[host]:port`. */
export function hostField(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** SHA256 fingerprint of a key blob as OpenSSH prints it (`SHA256:` + unpadded base64). */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string, file?: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const words = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (words[0] === '@revoked' || words[0] === '@cert-authority') marker = words.shift() as KnownHostEntry['marker'];
    else if (words[0]?.startsWith('@')) return; // unknown marker: OpenSSH ignores the line too
    const [hostsWord, keyType, keyB64] = words;
    if (!hostsWord || !keyType || !keyB64) return;
    const key = Buffer.from(keyB64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) return; // malformed line: skip like OpenSSH
    const entry: KnownHostEntry = { keyType, key, line: i + 1 };
    if (marker) entry.marker = marker;
    if (file) entry.file = file;
    if (hostsWord.startsWith('|1|')) {
      const [, , salt, hash] = hostsWord.split('|');
      if (!salt || !hash) return;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      entry.patterns = hostsWord.split(',');
    }
    out.push(entry);
  });
  return out;
}

const PRINTABLE_ASCII = /^[ -~]*$/;
/** Compiled patterns: each connection checks every entry of the file, and the patterns repeat. */
const globs = new Map<string, RegExp>();

/** OpenSSH's match_pattern: `*` any run, `?` one character, whole-string, case-insensitive for host names. */
export function globMatch(pattern: string, text: string): boolean {
  // Most patterns are a plain name or [address]:port: printable ASCII without a wildcard matches exactly
  // what the case-insensitive expression below would, so no expression is built for them.
  if (!pattern.includes('*') && !pattern.includes('?') && PRINTABLE_ASCII.test(pattern) && PRINTABLE_ASCII.test(text)) {
    return pattern.length === text.length && pattern.toLowerCase() === text.toLowerCase();
  }
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(
      '^' +
        pattern
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
          .join('') +
        '$',
      'i',
    );
    if (globs.size < 4096) globs.set(pattern, re);
  }
  return re.test(text);
}

export function hashHostField(field: string, salt: Buffer): Buffer {
  return createHmac('sha1', salt).update(field).digest();
}

/** Does this entry name the host? Negated patterns (`!x`) veto a match, as in OpenSSH. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const field = hostField(host, port);
  if (entry.hashed) return hashHostField(field, entry.hashed.salt).equals(entry.hashed.hash);
  let matched = false;
  for (const p of entry.patterns ?? []) {
    const negated = p.startsWith('!');
    const pat = negated ? p.slice(1) : p;
    if (globMatch(pat, field)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown'; fingerprint: string }
  | { status: 'changed'; fingerprint: string; expected: string; file?: string; line: number }
  | { status: 'revoked'; fingerprint: string; file?: string; line: number };

/** Pure decision: what do these entries say about `key` offered by host:port? */
export function judgeHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const fp = fingerprint(key);
  const type = keyTypeOf(key);
  for (const e of entries) {
    if (e.marker === '@revoked' && e.key.equals(key)) return { status: 'revoked', fingerprint: fp, file: e.file, line: e.line };
  }
  const mine = entries.filter((e) => !e.marker && entryMatches(e, host, port));
  if (mine.some((e) => e.key.equals(key))) return { status: 'known' };
  // Known under another key of the same type, or only under other types: in both cases the host no longer
  // shows the key it was trusted with (the connector prefers the known types), so it is treated as changed.
  const sameType = mine.find((e) => e.keyType === type) ?? mine[0];
  if (sameType) {
    return { status: 'changed', fingerprint: fp, expected: fingerprint(sameType.key), file: sameType.file, line: sameType.line };
  }
  return { status: 'unknown', fingerprint: fp };
}

/** Key types known for a host, in file order: the connector asks the server for these first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types: string[] = [];
  for (const e of entries) {
    if (!e.marker && entryMatches(e, host, port) && !types.includes(e.keyType)) types.push(e.keyType);
  }
  return types;
}

export function knownHostsLine(host: string, port: number, key: Buffer, hash = false): string {
  // A host name with whitespace, a comma or a pattern character would add other hosts' entries (or a
  // whole extra line) to the user's file: such a name is refused, not escaped.
  const control = [...host].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!host || control || /[\s,#*?!|\\]/.test(host) || host.startsWith('@') || host.startsWith('[')) {
    throw new SshError('protocol', host, `refusing to write a known_hosts entry for the host name ${JSON.stringify(host)}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshError('protocol', host, `invalid port ${port}`);
  const field = hostField(host, port);
  let hostPart = field;
  if (hash) {
    const salt = randomBytes(20);
    hostPart = `|1|${salt.toString('base64')}|${hashHostField(field, salt).toString('base64')}`;
  }
  return `${hostPart} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
}

export interface KnownHostsOptions {
  /** The file new keys are appended to (and read), e.g. ~/.ssh/known_hosts. */
  file: string;
  /** Further files read but never written, e.g. /etc/ssh/ssh_known_hosts. */
  readOnly?: string[];
  /** Write new entries hashed (like HashKnownHosts yes). */
  hash?: boolean;
}

/** A known_hosts store; re-reads its files when they change so a key accepted elsewhere is seen. */
export class KnownHosts {
  private cache = new Map<string, { mtimeMs: number; size: number; entries: KnownHostEntry[] }>();
  /** The read of a file under way: the connections a pool opens together all ask at once, and share it. */
  private reading = new Map<string, Promise<KnownHostEntry[]>>();
  private appending: Promise<void> = Promise.resolve();

  constructor(readonly options: KnownHostsOptions) {}

  get file(): string {
    return this.options.file;
  }

  async entries(): Promise<KnownHostEntry[]> {
    const files = [this.options.file, ...(this.options.readOnly ?? [])];
    const all: KnownHostEntry[] = [];
    for (const f of files) all.push(...(await this.read(f)));
    return all;
  }

  /**
   * The file's entries, re-read when its mtime or size changed. Callers that ask while a read is under way
   * get that read's result (one stat, one read, one parse for a burst of connections); the next caller
   * after it settles checks the file again, so a key accepted elsewhere is still seen.
   */
  private read(file: string): Promise<KnownHostEntry[]> {
    const under = this.reading.get(file);
    if (under) return under;
    const p = this.load(file).finally(() => {
      if (this.reading.get(file) === p) this.reading.delete(file);
    });
    this.reading.set(file, p);
    return p;
  }

  private async load(file: string): Promise<KnownHostEntry[]> {
    let st;
    try {
      st = await stat(file);
    } catch {
      return [];
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.entries;
    const entries = parseKnownHosts(await readFile(file, 'utf8'), file);
    this.cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, entries });
    return entries;
  }

  async judge(host: string, port: number, key: Buffer): Promise<HostKeyVerdict> {
    return judgeHostKey(await this.entries(), host, port, key);
  }

  /**
   * The verdict over every spelling that reaches one machine (its name and the address it resolved to):
   * revoked or changed under any spelling wins over known under another, so a new spelling of an address
   * never gets past a key that differs from the one on file. `spelling` says which one decided.
   */
  async judgeAll(hosts: readonly string[], port: number, key: Buffer): Promise<HostKeyVerdict & { spelling: string }> {
    const entries = await this.entries();
    const verdicts = hosts.map((h) => ({ ...judgeHostKey(entries, h, port, key), spelling: h }));
    const rank = { revoked: 0, changed: 1, known: 2, unknown: 3 } as const;
    verdicts.sort((a, b) => rank[a.status] - rank[b.status]);
    return verdicts[0] ?? { status: 'unknown', fingerprint: fingerprint(key), spelling: hosts[0] ?? '' };
  }

  async preferredKeyTypes(host: string | readonly string[], port: number): Promise<string[]> {
    const entries = await this.entries();
    const types: string[] = [];
    for (const h of typeof host === 'string' ? [host] : host) {
      for (const t of knownKeyTypes(entries, h, port)) if (!types.includes(t)) types.push(t);
    }
    return types;
  }

  /**
   * Throws the SshError a person needs to see unless the key is known. `name` is the plan's host name used
   * in the error; `host`/`port` are what the key is filed under.
   */
  async verify(name: string, hostOrSpellings: string | readonly string[], port: number, key: Buffer): Promise<void> {
    const spellings = typeof hostOrSpellings === 'string' ? [hostOrSpellings] : hostOrSpellings;
    const v = await this.judgeAll(spellings, port, key);
    const host = v.spelling;
    if (v.status === 'known') return;
    if (v.status === 'unknown') {
      throw new SshError('host-key-unknown', name, `host key ${v.fingerprint} of ${hostField(host, port)} is not in ${this.file}`, {
        fingerprint: v.fingerprint,
        algorithm: keyTypeOf(key),
        file: this.file,
      });
    }
    const where = v.file ? ` (${v.file}:${v.line})` : '';
    throw new SshError(
      'host-key-changed',
      name,
      v.status === 'revoked'
        ? `host key ${v.fingerprint} of ${hostField(host, port)} is marked @revoked${where}`
        : `host key of ${hostField(host, port)} changed: it offers ${v.fingerprint}, known_hosts has ${v.expected}${where}`,
      {
        fingerprint: v.fingerprint,
        algorithm: keyTypeOf(key),
        file: v.file ?? this.file,
        entry: hostField(host, port),
        ...(v.status === 'changed' ? { expected: v.expected } : {}),
      },
    );
  }

  /**
   * Appends one line for host:port, or for each spelling not yet on file (a name and its address). Refuses
   * when any spelling is known with another key (never replaces).
   */
  async accept(hostOrSpellings: string | readonly string[], port: number, key: Buffer): Promise<void> {
    const spellings = typeof hostOrSpellings === 'string' ? [hostOrSpellings] : hostOrSpellings;
    const run = this.appending.then(async () => {
      const v = await this.judgeAll(spellings, port, key);
      if (v.status === 'revoked' || v.status === 'changed') {
        throw new SshError('host-key-changed', v.spelling, `refusing to add a key for ${hostField(v.spelling, port)}: it is known with another key`, {
          fingerprint: v.fingerprint,
          entry: hostField(v.spelling, port),
          ...(v.status === 'changed' ? { expected: v.expected } : {}),
        });
      }
      const entries = await this.entries();
      const missing = spellings.filter((h, i) => spellings.indexOf(h) === i && judgeHostKey(entries, h, port, key).status === 'unknown');
      if (missing.length === 0) return;
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      let prefix = '';
      try {
        const current = await readFile(this.file);
        if (current.length > 0 && current[current.length - 1] !== 0x0a) prefix = '\n';
      } catch {
        /* new file */
      }
      const lines = missing.map((h) => knownHostsLine(h, port, key, this.options.hash ?? false)).join('');
      await appendFile(this.file, prefix + lines, { mode: 0o600 });
      // A read that began before this line was written must not answer the callers that come after it.
      this.reading.delete(this.file);
    });
    this.appending = run.catch(() => undefined);
    return run;
  }
}

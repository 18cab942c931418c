import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KnownHosts,
  entryMatches,
  fingerprint,
  hostField,
  judgeHostKey,
  keyTypeOf,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
} from '../../../core/ssh/known-hosts.js';
import { SshError } from '../../../core/ssh/types.js';

// Fixtures made with OpenSSH 9.2 on this machine: `ssh-keygen -t ed25519`, `ssh-keygen -t ecdsa`,
// `ssh-keygen -lf` for the fingerprints and `ssh-keygen -H` for the hashed lines (node1.example.com and
// [10.0.0.5]:2222), so hashing and fingerprints are checked against OpenSSH itself.
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAINqcVnn4B5Vn2g9JEO0SOow46LWKvpeNsKRL5xwa0itN';
const ED_FP = 'SHA256:MOX60pjP5DCaAimcg5UsCUzc4WAnpq4Rb7Vj+sxKUnM';
const EC =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBESTQdGPIN/uTjyyWF3kfKpt9E4oaqVgB5XtzuAOtQq6CW0AgcnQulqjZ514dT4trhy0IK2oXuS20YuplczZmLo=';
const EC_FP = 'SHA256:hSqLAkpwRZwawSJG6v3lyiMHKICPMge8yXxqUXPJSsk';
const HASHED = [
  `|1|ZCQTmp4KR+qa09FjvinS7d3lb0E=|FjfYlqF0yqXejQd1D+amvLhjfXE= ssh-ed25519 ${ED}`,
  `|1|/XFBnTrwrKA/szPf5Csi/azdUKg=|g9DPA4eWtIMlLnRVHfY/VSrmstI= ssh-ed25519 ${ED}`,
].join('\n');
const ed = Buffer.from(ED, 'base64');
const ec = Buffer.from(EC, 'base64');

describe('known_hosts parsing', () => {
  it('reads key type, key and host patterns, skipping comments, blank and malformed lines', () => {
    const entries = parseKnownHosts(`# comment\n\nweb1,10.0.0.1 ssh-ed25519 ${ED} a comment\nbroken-line\nx ssh-rsa ${ED}\n`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ patterns: ['web1', '10.0.0.1'], keyType: 'ssh-ed25519', line: 3 });
    expect(entries[0]!.key.equals(ed)).toBe(true);
  });

  it('matches hashed entries written by ssh-keygen -H, including [host]:port', () => {
    const entries = parseKnownHosts(HASHED);
    expect(entries.map((e) => e.hashed !== undefined)).toEqual([true, true]);
    expect(entryMatches(entries[0]!, 'node1.example.com', 22)).toBe(true);
    expect(entryMatches(entries[0]!, 'NODE1.example.com', 22)).toBe(true);
    expect(entryMatches(entries[0]!, 'node2.example.com', 22)).toBe(false);
    expect(entryMatches(entries[1]!, '10.0.0.5', 2222)).toBe(true);
    expect(entryMatches(entries[1]!, '10.0.0.5', 22)).toBe(false);
  });

  it('uses [host]:port for non-22 ports, wildcards and negations as OpenSSH does', () => {
    expect(hostField('h', 22)).toBe('h');
    expect(hostField('h', 2200)).toBe('[h]:2200');
    const [e] = parseKnownHosts(`*.example.com,!bad.example.com,[10.1.*]:2200 ssh-ed25519 ${ED}`);
    expect(entryMatches(e!, 'a.example.com', 22)).toBe(true);
    expect(entryMatches(e!, 'bad.example.com', 22)).toBe(false);
    expect(entryMatches(e!, '10.1.2.3', 2200)).toBe(true);
    expect(entryMatches(e!, '10.1.2.3', 22)).toBe(false);
  });

  it('computes the SHA256 fingerprint and key type exactly like ssh-keygen -lf', () => {
    expect(fingerprint(ed)).toBe(ED_FP);
    expect(fingerprint(ec)).toBe(EC_FP);
    expect(keyTypeOf(ec)).toBe('ecdsa-sha2-nistp256');
  });
});

describe('host key verdicts', () => {
  const entries = parseKnownHosts(`${HASHED}\nplain.host ssh-ed25519 ${ED}\n@revoked * ecdsa-sha2-nistp256 ${EC}\n`);

  it('known key passes, for hashed and plain entries', () => {
    expect(judgeHostKey(entries, 'node1.example.com', 22, ed)).toEqual({ status: 'known' });
    expect(judgeHostKey(entries, 'plain.host', 22, ed)).toEqual({ status: 'known' });
  });

  it('an unknown host gives the offered fingerprint', () => {
    expect(judgeHostKey(entries, 'new.host', 22, ed)).toEqual({ status: 'unknown', fingerprint: ED_FP });
  });

  it('a different key for a known host is "changed", with both fingerprints and the line', () => {
    const other = parseKnownHosts(`plain.host ecdsa-sha2-nistp256 ${EC}`, '/kh');
    const v = judgeHostKey(other, 'plain.host', 22, ed);
    expect(v).toEqual({ status: 'changed', fingerprint: ED_FP, expected: EC_FP, file: '/kh', line: 1 });
  });

  it('a @revoked key is refused even for an unknown host', () => {
    expect(judgeHostKey(entries, 'anything', 22, ec).status).toBe('revoked');
  });

  it('lists the key types known for a host, to prefer them in negotiation', () => {
    const e = parseKnownHosts(`h ecdsa-sha2-nistp256 ${EC}\nh ssh-ed25519 ${ED}\nother ssh-ed25519 ${ED}`);
    expect(knownKeyTypes(e, 'h', 22)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });

  it('refuses to write an entry for a host name that could inject other entries or lines', () => {
    for (const bad of ['a b', 'a,b', 'x\nevil ssh-ed25519 AAAA', '*', '!h', '@revoked', '|1|x|y', '', 'h#']) {
      expect(() => knownHostsLine(bad, 22, ed), JSON.stringify(bad)).toThrow(/refusing/);
    }
    expect(knownHostsLine('fd00::1', 22, ed)).toBe(`fd00::1 ssh-ed25519 ${ED}\n`);
  });

  it('writes lines OpenSSH can read back, hashed or plain', () => {
    expect(knownHostsLine('h', 2200, ed)).toBe(`[h]:2200 ssh-ed25519 ${ED}\n`);
    const hashed = parseKnownHosts(knownHostsLine('h.example', 22, ed, true));
    expect(hashed[0]!.hashed).toBeDefined();
    expect(judgeHostKey(hashed, 'h.example', 22, ed)).toEqual({ status: 'known' });
  });
});

describe('KnownHosts store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));

  it('verify throws host-key-unknown with the fingerprint, host-key-changed naming the host', async () => {
    const file = join(dir, 'a');
    writeFileSync(file, `10.0.0.9 ecdsa-sha2-nistp256 ${EC}\n`);
    const kh = new KnownHosts({ file });
    const unknown = await kh.verify('node-a', '10.0.0.8', 22, ed).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(SshError);
    expect(unknown).toMatchObject({ kind: 'host-key-unknown', host: 'node-a', details: { fingerprint: ED_FP } });
    const changed = await kh.verify('node-b', '10.0.0.9', 22, ed).catch((e: unknown) => e);
    expect(changed).toMatchObject({ kind: 'host-key-changed', host: 'node-b', details: { fingerprint: ED_FP, expected: EC_FP } });
    await expect(kh.verify('node-b', '10.0.0.9', 22, ec)).resolves.toBeUndefined();
  });

  it('accept appends one line and keeps every existing byte, even without a final newline', async () => {
    const file = join(dir, 'b');
    const before = `# mine, keep me\n|1|x|y ssh-ed25519 ${ED}`;
    writeFileSync(file, before);
    const kh = new KnownHosts({ file });
    await kh.accept('10.0.0.7', 2222, ed);
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(`${before}\n[10.0.0.7]:2222 ssh-ed25519 ${ED}\n`);
    await expect(kh.verify('n', '10.0.0.7', 2222, ed)).resolves.toBeUndefined();
    await kh.accept('10.0.0.7', 2222, ed); // already known: nothing added
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('accept never replaces a known key and creates a missing file', async () => {
    const file = join(dir, 'sub', 'known_hosts');
    const kh = new KnownHosts({ file });
    await kh.accept('h', 22, ec);
    await expect(kh.accept('h', 22, ed)).rejects.toMatchObject({ kind: 'host-key-changed' });
    expect(readFileSync(file, 'utf8')).toBe(`h ecdsa-sha2-nistp256 ${EC}\n`);
  });

  it('reads read-only files too, without writing to them', async () => {
    const system = join(dir, 'system');
    writeFileSync(system, `sys.host ssh-ed25519 ${ED}\n`);
    const kh = new KnownHosts({ file: join(dir, 'c'), readOnly: [system] });
    await expect(kh.verify('s', 'sys.host', 22, ed)).resolves.toBeUndefined();
  });
});

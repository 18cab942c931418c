// A pool opens up to 32 connections at once, and each asks the known_hosts store for the host's key types
// and then for a verdict: those asked together share one stat, one read and one parse of the file, and a
// change to the file (a key accepted here or elsewhere) is still seen by whoever asks after it.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { KnownHosts, globMatch, knownHostsLine } from '../../../core/ssh/known-hosts.js';

// The store's node:fs/promises is the real one, watched: every stat and read of a file is counted.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return { ...fs, readFile: vi.fn(fs.readFile), stat: vi.fn(fs.stat) };
});

// Fixtures made with OpenSSH 9.2 (`ssh-keygen -t ed25519` / `-t ecdsa`), as in known-hosts.test.ts.
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAINqcVnn4B5Vn2g9JEO0SOow46LWKvpeNsKRL5xwa0itN';
const EC =
  'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBESTQdGPIN/uTjyyWF3kfKpt9E4oaqVgB5XtzuAOtQq6CW0AgcnQulqjZ514dT4trhy0IK2oXuS20YuplczZmLo=';
const ed = Buffer.from(ED, 'base64');
const ec = Buffer.from(EC, 'base64');

function fileWith(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cpi-kh-shared-')), 'known_hosts');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const readsOf = (file: string) => vi.mocked(readFile).mock.calls.filter((c) => c[0] === file).length;
const statsOf = (file: string) => vi.mocked(stat).mock.calls.filter((c) => c[0] === file).length;

describe('known_hosts read by many connections at once', () => {
  beforeEach(() => {
    vi.mocked(readFile).mockClear();
    vi.mocked(stat).mockClear();
  });

  it('32 concurrent connections cause one stat and one read of the file', async () => {
    const hosts = Array.from({ length: 50 }, (_, i) => `10.0.0.${i + 1}`);
    const file = fileWith(hosts.map((h) => `${h} ssh-ed25519 ${ED}`));
    const kh = new KnownHosts({ file });
    const asked = hosts.slice(0, 32);
    const [types, verdicts] = await Promise.all([
      Promise.all(asked.map((h) => kh.preferredKeyTypes([h], 22))),
      Promise.all(asked.map((h) => kh.judgeAll([h], 22, ed))),
    ]);
    expect(types.every((t) => t.length === 1 && t[0] === 'ssh-ed25519')).toBe(true);
    expect(verdicts.every((v) => v.status === 'known')).toBe(true);
    expect(readsOf(file)).toBe(1);
    expect(statsOf(file)).toBe(1);
  });

  it('asked again after the read settled, checks the file again but reads it only when it changed', async () => {
    const file = fileWith([`node1 ssh-ed25519 ${ED}`]);
    const kh = new KnownHosts({ file });
    expect((await kh.judge('node1', 22, ed)).status).toBe('known');
    expect((await kh.judge('node1', 22, ed)).status).toBe('known');
    expect(statsOf(file)).toBe(2);
    expect(readsOf(file)).toBe(1);
    // Changed by someone else (another ssh, another run): seen by the next question.
    appendFileSync(file, `node2 ecdsa-sha2-nistp256 ${EC}\n`);
    expect((await kh.judge('node2', 22, ec)).status).toBe('known');
    expect(readsOf(file)).toBe(2);
  });

  it('a key accepted while a read was under way is seen by every question asked after it', async () => {
    const file = fileWith([`node1 ssh-ed25519 ${ED}`]);
    const kh = new KnownHosts({ file });
    // A read starts, the key is accepted before it settles, then more questions come.
    const early = kh.judge('node9', 22, ec);
    await kh.accept('node9', 22, ec);
    const after = await Promise.all([kh.judge('node9', 22, ec), kh.preferredKeyTypes('node9', 22)]);
    expect(['known', 'unknown']).toContain((await early).status);
    expect(after[0].status).toBe('known');
    expect(after[1]).toEqual(['ecdsa-sha2-nistp256']);
    // Accepting the same key again writes nothing more: the store knows the line it wrote.
    await Promise.all([kh.accept('node9', 22, ec), kh.accept('node9', 22, ec)]);
    const text = (await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises')).readFile(
      file,
      'utf8',
    );
    expect((await text).split('\n').filter((l) => l.startsWith('node9 '))).toHaveLength(1);
  });

  it('concurrent accepts of different hosts each append one line, none lost', async () => {
    const file = fileWith([`node1 ssh-ed25519 ${ED}`]);
    const kh = new KnownHosts({ file });
    const names = Array.from({ length: 10 }, (_, i) => `edge${i}`);
    await Promise.all(names.map((n) => kh.accept(n, 22, ed)));
    const verdicts = await Promise.all(names.map((n) => kh.judge(n, 22, ed)));
    expect(verdicts.every((v) => v.status === 'known')).toBe(true);
    const real = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    expect((await real.readFile(file, 'utf8')).trim().split('\n')).toEqual([
      `node1 ssh-ed25519 ${ED}`,
      ...names.map((n) => knownHostsLine(n, 22, ed).trim()),
    ]);
  });

  it('a failed read is shared by the callers that asked together, and the next caller reads again', async () => {
    const file = fileWith([`node1 ssh-ed25519 ${ED}`]);
    const kh = new KnownHosts({ file });
    vi.mocked(readFile).mockRejectedValueOnce(
      Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }),
    );
    const results = await Promise.allSettled([kh.judge('node1', 22, ed), kh.judge('node1', 22, ed)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await kh.judge('node1', 22, ed)).status).toBe('known');
  });
});

describe('host patterns matched without building an expression for plain names', () => {
  it('matches plain names and [address]:port exactly, case-insensitively, like the wildcard path', () => {
    expect(globMatch('Node1.Example.com', 'node1.example.com')).toBe(true);
    expect(globMatch('node1', 'node10')).toBe(false);
    expect(globMatch('[10.0.0.5]:2222', '[10.0.0.5]:2222')).toBe(true);
    expect(globMatch('[10.0.0.5]:2222', '[10.0.0.5]:22')).toBe(false);
    expect(globMatch('10.0.0.5', '10a0b0c5')).toBe(false); // dots are literal, not "any character"
    expect(globMatch('*.example.com', 'node1.EXAMPLE.com')).toBe(true);
    expect(globMatch('node?', 'node7')).toBe(true);
    expect(globMatch('node?', 'node17')).toBe(false);
    expect(globMatch('k\u212Aelvin', 'kkelvin')).toBe(false); // not ASCII: the expression decides, as before
  });
});

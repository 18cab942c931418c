// The resumable upload's decisions without SSH: a local "host" whose commands run in a real sh (the same
// command lines the SSH layer sends) and whose SFTP is the local file system behind a strict stand-in
// (only the calls and flags the upload may use; anything else throws). The real SFTP path is covered by
// test/integration/bundle/upload.test.ts.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, symlinkSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, fstatSync, fsyncSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendCommand, finishCommand, followHashCommand, partPath, prefixHashCommand, resumableUpload, type ResumableEvent, type SftpSession } from '../../../core/ssh/resumable-upload.js';
import { spawnSync } from 'node:child_process';
import type { ExecOptions, ExecResult } from '../../../core/ssh/types.js';
import { writeAndHashCommand } from '../../../core/ssh/openssh-pipe.js';

/** A command in a real sh, as its own process group; a cancel ends the group and rejects, as the SSH layer does. */
function sh(command: string, cwd: string, o: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const c = spawn('sh', ['-c', command], { cwd, detached: true });
    let stdout = '';
    let stderr = '';
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      try {
        process.kill(-c.pid!, 'SIGTERM');
      } catch {
        /* gone already */
      }
    };
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let pending = '';
    c.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      pending += b.toString();
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        o.onStdout?.(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (code) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (cancelled) reject(new Error('cancelled'));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** A host on the local file system rooted at `root` (relative paths are under it, as under a home). */
function localHost(root: string, hooks: { afterWrite?: (written: number) => void } = {}): SftpSession & { commands: string[] } {
  const at = (p: string) => (isAbsolute(p) ? p : join(root, p));
  let written = 0;
  const sftp = {
    stat(path: string, cb: (err: (Error & { code?: number }) | undefined, st?: { size: number; isFile(): boolean }) => void) {
      if (!existsSync(at(path))) return cb(Object.assign(new Error('No such file'), { code: 2 }));
      const st = statSync(at(path));
      cb(undefined, { size: st.size, isFile: () => st.isFile() });
    },
    open(path: string, flags: string, attrs: { mode: number }, cb: (err: Error | undefined, handle: Buffer) => void) {
      if (flags !== 'w' && flags !== 'r+') throw new Error(`the upload opened ${path} with unexpected flags ${flags}`);
      if (typeof attrs?.mode !== 'number') throw new Error('open without a mode');
      const fd = openSync(at(path), flags, attrs.mode);
      const h = Buffer.alloc(4);
      h.writeUInt32BE(fd);
      cb(undefined, h);
    },
    write(handle: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: (err?: Error) => void) {
      if (!Buffer.isBuffer(handle) || handle.length !== 4) throw new Error('write with a bad handle');
      if (pos === null || pos === undefined) throw new Error('write without a position');
      const fd = handle.readUInt32BE();
      if (pos > fstatSync(fd).size) throw new Error(`write at ${pos} leaves a hole`);
      writeSync(fd, buf, off, len, pos);
      written += len;
      setImmediate(() => {
        cb();
        hooks.afterWrite?.(written);
      });
    },
    close(handle: Buffer, cb: (err?: Error) => void) {
      const fd = handle.readUInt32BE();
      fsyncSync(fd);
      closeSync(fd);
      setImmediate(cb);
    },
  };
  const commands: string[] = [];
  return {
    target: { name: 'deployer', address: '127.0.0.1', port: 22, user: 'u', auth: { name: 'a', method: 'agent', passphrase: false, sudo: 'nopasswd' } },
    commands,
    exec: (command: string, o?: ExecOptions) => {
      commands.push(command);
      return sh(command, root, o);
    },
    withSftp: <T,>(_what: string, work: (s: SFTPWrapper, touch: () => void) => Promise<T>) => work(sftp as unknown as SFTPWrapper, () => undefined),
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('resumable upload (local host stand-in)', () => {
  let dir: string;
  let root: string;
  let file: string;
  let data: Buffer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-upload-unit-'));
    root = join(dir, 'host');
    file = join(dir, 'bundle.tar');
    data = randomBytes(3 * 1024 * 1024 + 333);
    writeFileSync(file, data);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends a new file into .part, checks the host\'s sha256, then renames it into place with the mode', async () => {
    const host = localHost(dir);
    const events: ResumableEvent[] = [];
    const r = await resumableUpload(host, file, 'host/in dir/b.tar', { mode: 0o640, onEvent: (e) => events.push(e) });
    expect(r).toMatchObject({ sha256: sha(data), size: data.length, resumedFrom: 0, sent: data.length, restarted: false });
    expect(readFileSync(join(root, 'in dir', 'b.tar')).equals(data)).toBe(true);
    expect(existsSync(join(root, 'in dir', 'b.tar.part'))).toBe(false);
    expect(statSync(join(root, 'in dir', 'b.tar')).mode & 0o777).toBe(0o640);
    expect(events.at(-1)).toEqual({ type: 'verifying', total: data.length });
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ done: data.length, total: data.length, sent: data.length });
  });

  it('continues a good part from its size and sends only the rest', async () => {
    writeFileSync(join(dir, 'b.tar.part'), data.subarray(0, 1_000_001));
    const events: ResumableEvent[] = [];
    const r = await resumableUpload(localHost(dir), file, 'b.tar', { onEvent: (e) => events.push(e) });
    expect(events[0]).toEqual({ type: 'resume', from: 1_000_001, total: data.length });
    expect(r).toMatchObject({ resumedFrom: 1_000_001, sent: data.length - 1_000_001, sha256: sha(data), restarted: false });
    expect(readFileSync(join(dir, 'b.tar')).equals(data)).toBe(true);
  });

  it('a part that is already whole is only checked and renamed (nothing sent)', async () => {
    writeFileSync(join(dir, 'b.tar.part'), data);
    const r = await resumableUpload(localHost(dir), file, 'b.tar');
    expect(r).toMatchObject({ resumedFrom: data.length, sent: 0, sha256: sha(data) });
    expect(readFileSync(join(dir, 'b.tar')).equals(data)).toBe(true);
  });

  it('a part whose bytes differ starts over and says which file and both hashes', async () => {
    const bad = Buffer.from(data.subarray(0, 500_000));
    bad[4242] = bad[4242]! ^ 1;
    writeFileSync(join(dir, 'b.tar.part'), bad);
    const events: ResumableEvent[] = [];
    const r = await resumableUpload(localHost(dir), file, 'b.tar', { onEvent: (e) => events.push(e) });
    const restart = events[0] as Extract<ResumableEvent, { type: 'restart' }>;
    expect(restart).toMatchObject({ type: 'restart', reason: 'prefix-mismatch', partSize: 500_000, localSha256: sha(data.subarray(0, 500_000)), remoteSha256: sha(bad) });
    expect(restart.message).toContain('b.tar.part');
    expect(restart.message).toContain('deployer');
    expect(r).toMatchObject({ resumedFrom: 0, sent: data.length, restarted: true, sha256: sha(data) });
    expect(readFileSync(join(dir, 'b.tar')).equals(data)).toBe(true);
  });

  it('a part longer than the file starts over', async () => {
    writeFileSync(join(dir, 'b.tar.part'), Buffer.concat([data, Buffer.from('x')]));
    const events: ResumableEvent[] = [];
    const r = await resumableUpload(localHost(dir), file, 'b.tar', { onEvent: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: 'restart', reason: 'part-too-long', partSize: data.length + 1 });
    expect(r).toMatchObject({ resumedFrom: 0, sent: data.length, sha256: sha(data) });
    expect(statSync(join(dir, 'b.tar')).size).toBe(data.length);
  });

  it('a cancel keeps the part for a resume; the rerun continues where it stopped', async () => {
    const ac = new AbortController();
    const host = localHost(dir, { afterWrite: (n) => n >= 1024 * 1024 && ac.abort() });
    await expect(resumableUpload(host, file, 'b.tar', { signal: ac.signal })).rejects.toThrow(/cancelled at byte \d+; run it again to resume/);
    const kept = statSync(join(dir, 'b.tar.part')).size;
    expect(kept).toBeGreaterThanOrEqual(1024 * 1024);
    expect(kept).toBeLessThan(data.length);
    expect(existsSync(join(dir, 'b.tar'))).toBe(false);
    const r = await resumableUpload(localHost(dir), file, 'b.tar');
    expect(r).toMatchObject({ resumedFrom: kept, sent: data.length - kept, sha256: sha(data) });
  });

  it('a part damaged on the host is refused by the final sha256 and removed', async () => {
    // The hasher that follows the part starts only once the last write is in and a byte has been damaged.
    const flag = join(dir, 'damaged');
    const host = localHost(dir, {
      afterWrite: (n) => {
        if (n < data.length) return;
        const fd = openSync(join(dir, 'b.tar.part'), 'r+');
        writeSync(fd, Buffer.from([data[10]! ^ 0xff]), 0, 1, 10);
        closeSync(fd);
        writeFileSync(flag, '');
      },
    });
    const exec = host.exec;
    host.exec = (c, o) => exec(c.startsWith('tail ') ? `while [ ! -e ${flag} ]; do sleep 0.02; done; ${c}` : c, o);
    await expect(resumableUpload(host, file, 'b.tar')).rejects.toThrow(/b\.tar is corrupt: sha256 [0-9a-f]{64} on the host, [0-9a-f]{64} here; the part was removed/);
    expect(existsSync(join(dir, 'b.tar.part'))).toBe(false);
    expect(existsSync(join(dir, 'b.tar'))).toBe(false);
    // The followed sum differed, so the part was read whole once more before it was judged.
    expect(host.commands.filter((c) => c.startsWith('sha256sum'))).toHaveLength(1);
  });

  it("the host's sum comes from following the part as it is written; without a following hasher it is read whole afterwards", async () => {
    const host = localHost(dir);
    await resumableUpload(host, file, 'b.tar');
    expect(host.commands.some((c) => c === followHashCommand('b.tar.part', data.length))).toBe(true);
    expect(host.commands.some((c) => c.startsWith('sha256sum'))).toBe(false);

    rmSync(join(dir, 'b.tar'));
    const plain = localHost(dir);
    const exec = plain.exec;
    // A host whose tail knows no --pid: the hasher fails at once.
    plain.exec = (c, o) => exec(c.startsWith('tail ') ? 'tail --no-such-option 2>/dev/null | sha256sum >/dev/null; exit 1' : c, o);
    const r = await resumableUpload(plain, file, 'b.tar');
    expect(r.sha256).toBe(sha(data));
    expect(plain.commands.filter((c) => c.startsWith('sha256sum'))).toHaveLength(1);
    expect(readFileSync(join(dir, 'b.tar')).equals(data)).toBe(true);
  });

  it('every command quotes the paths: a hostile name stays one argument', async () => {
    const name = "x'; touch PWNED; echo '$(id) b.tar";
    expect(partPath(name)).toBe(`${name}.part`);
    writeFileSync(join(dir, partPath(name)), data.subarray(0, 1000));
    const host = localHost(dir);
    const r = await resumableUpload(host, file, name);
    expect(r.resumedFrom).toBe(1000);
    expect(readFileSync(join(dir, name)).equals(data)).toBe(true);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    expect(host.commands).toContain(prefixHashCommand(partPath(name), 1000));
    expect(host.commands).toContain(finishCommand(partPath(name), name, 0o644));
  });

  it('the OpenSSH carrier\'s host commands: a new part is written and hashed as it arrives, a continued one appended; hostile names stay one argument', () => {
    const name = "x'; touch PWNED; echo '$(id) b.tar.part";
    const first = data.subarray(0, 1_000_000);
    const fresh = spawnSync('sh', ['-c', appendCommand(name, true)], { cwd: dir, input: first, encoding: 'utf8' });
    expect(fresh.status).toBe(0);
    // The host's sum of what it wrote, in sha256sum's format (OpenSSL's `-r` or sha256sum itself).
    expect(fresh.stdout).toMatch(new RegExp(`^${sha(first)} `));
    const more = spawnSync('sh', ['-c', appendCommand(name)], { cwd: dir, input: data.subarray(1_000_000) });
    expect(more.status).toBe(0);
    expect(readFileSync(join(dir, name)).equals(data)).toBe(true);
    // A fresh write empties what was there before.
    expect(spawnSync('sh', ['-c', appendCommand(name, true)], { cwd: dir, input: first }).status).toBe(0);
    expect(statSync(join(dir, name)).size).toBe(first.length);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
  });

  it('the writer-hasher on the host: one process writes the part and prints the sha256 of the whole part, resumed or new', () => {
    if (spawnSync('python3', ['--version']).status !== 0) return console.log('skipped: no python3 here');
    const name = "y'; touch PWNED; echo '$(id) c.tar.part";
    const cmd = (from: number) => writeAndHashCommand(name, from, 'echo fallback-ran >&2; exit 9');
    const first = spawnSync('sh', ['-c', cmd(0)], { cwd: dir, input: data.subarray(0, 1_000_000), encoding: 'utf8' });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${sha(data.subarray(0, 1_000_000))}  -\n`);
    // Continued at byte 1,000,000: the sum covers the bytes already there too, so it is the whole file's.
    const rest = spawnSync('sh', ['-c', cmd(1_000_000)], { cwd: dir, input: data.subarray(1_000_000), encoding: 'utf8' });
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.stdout).toBe(`${sha(data)}  -\n`);
    expect(readFileSync(join(dir, name)).equals(data)).toBe(true);
    // A part shorter than where the sender starts: refused, nothing appended.
    const short = spawnSync('sh', ['-c', cmd(data.length + 5)], { cwd: dir, input: 'x', encoding: 'utf8' });
    expect(short.status).toBe(3);
    expect(short.stderr).toContain('shorter');
    expect(statSync(join(dir, name)).size).toBe(data.length);
    // A new part empties what was there.
    expect(spawnSync('sh', ['-c', cmd(0)], { cwd: dir, input: 'abc' }).status).toBe(0);
    expect(readFileSync(join(dir, name), 'utf8')).toBe('abc');
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    // Four Python start-ups: well under a second on a quiet machine, several under the load of parallel suites.
  }, 30_000);

  it('a host without python3 runs the shell fallback instead', () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['tee', 'cat', 'sha256sum', 'openssl']) {
      const at = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    const r = spawnSync('/bin/sh', ['-c', writeAndHashCommand('d.part', 0, appendCommand('d.part', true))], { cwd: dir, input: data, encoding: 'utf8', env: { PATH: bin } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${sha(data)} `));
    expect(readFileSync(join(dir, 'd.part')).equals(data)).toBe(true);
  });
});

// The streamed, resumable upload into a root-owned folder (`sudo`), on a real OpenSSH test host whose sudo
// asks for the password every time: the bytes go into a staging folder beside the destination that only
// the login user may enter, a connection cut half-way resumes at the byte with only the rest sent, the
// sha256 is checked on both ends, and the file ends owned by root with its mode. The sudo password travels
// on stdin only: no command line the session was given holds it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../core/common/secret.js';
import { resumableUploadSudo, sudoStagingDir, type ResumableEvent, type SftpSession } from '../../../core/ssh/resumable-upload.js';
import type { ExecOptions, SshSession } from '../../../core/ssh/types.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, profiles, target } from './fixture.js';
import { writeRandomFile } from '../../support/random-file.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`sudo upload integration tests skipped: ${can.reason}`);

const SIZE = 24 * 1024 * 1024;
const DIR = '/var/lib/cp-installer/hostprep/incoming';

describe.skipIf(!can.ok)('streamed upload into a root-owned folder (sudo with a password)', () => {
  let th: TestHosts;
  let dir: string;
  let file: string;
  let sum: string;

  beforeAll(async () => {
    th = await startTestHosts({ count: 1, hosts: [{ sudo: 'password' }] });
    dir = mkdtempSync(join(tmpdir(), 'cp-upload-sudo-'));
    file = join(dir, 'kubeadm');
    sum = writeRandomFile(file, SIZE);
    // The folder is root's, as host preparation finds it: the login user cannot write there by itself.
    const r = await th.exec(0, `mkdir -p ${DIR} && chown root:root /var/lib/cp-installer ${DIR} && chmod 0755 ${DIR}`);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await th?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A session whose every command line is kept, to look for the password in them afterwards. */
  const commands: string[] = [];
  const connect = async (): Promise<SshSession & SftpSession> => {
    const s = (await connector(th).connect(target(th, 0, profiles.password))) as unknown as SshSession & SftpSession;
    const exec = s.exec.bind(s);
    (s as { exec: (c: string, o?: ExecOptions) => ReturnType<SshSession['exec']> }).exec = (c, o) => {
      commands.push(c);
      return exec(c, o);
    };
    return s;
  };

  it('a cut half-way resumes at the byte in the staging folder; the file lands owned by root, sha256 equal on both ends', async () => {
    const dest = `${DIR}/${'a'.repeat(64)}`;
    const staging = sudoStagingDir(dest);
    // Without sudo the login user is refused there: the folder is really root's.
    const plain = await connect();
    try {
      expect((await plain.exec(`touch ${dest}`)).code).not.toBe(0);
    } finally {
      await plain.close();
    }

    const first = await connect();
    const who = await first.exec('p=$$; while [ "$p" -gt 1 ]; do c=$(cat /proc/$p/comm); case "$c" in sshd*) echo "$p"; exit 0;; esac; p=$(ps -o ppid= -p "$p" | tr -d " "); done; exit 1');
    const sshdPid = Number(who.stdout.trim());
    expect(sshdPid).toBeGreaterThan(1);
    let killedAt = -1;
    const err = await resumableUploadSudo(first, file, dest, {
      mode: 0o600,
      progressEveryMs: 0,
      onEvent: (e) => {
        if (e.type === 'progress' && killedAt < 0 && e.done >= SIZE / 2) {
          killedAt = e.done;
          process.kill(sshdPid, 'SIGKILL');
        }
      },
    }).then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    expect(killedAt).toBeGreaterThan(0);
    expect(err, 'the upload must fail when its connection is cut').toBeInstanceOf(Error);
    await first.close();

    // The part waits in the staging folder: the login user's, closed to others; nothing under the final name.
    const mid = await th.exec(0, `stat -c '%U %a' ${staging}; stat -c %s ${staging}/${'a'.repeat(64)}.part; test -e ${dest} && echo there; true`);
    const [owner, size] = mid.stdout.trim().split('\n');
    expect(owner).toBe(`${th.user} 700`);
    const partOnHost = Number(size);
    expect(partOnHost).toBeGreaterThanOrEqual(killedAt);
    expect(partOnHost).toBeLessThan(SIZE);
    expect(mid.stdout).not.toContain('there');

    const second = await connect();
    const events: ResumableEvent[] = [];
    try {
      const r = await resumableUploadSudo(second, file, dest, { mode: 0o600, onEvent: (e) => events.push(e) });
      expect(events.find((e) => e.type === 'resume')).toEqual({ type: 'resume', from: partOnHost, total: SIZE });
      expect(r.sent).toBe(SIZE - partOnHost);
      expect(r.sha256).toBe(sum);
    } finally {
      await second.close();
    }
    const after = await th.exec(0, `stat -c '%u:%g %a' ${dest}; sha256sum ${dest}; test -e ${staging} && echo staging-left; true`);
    const lines = after.stdout.trim().split('\n');
    expect(lines[0]).toBe('0:0 600');
    expect(lines[1]!.split(' ')[0]).toBe(sum);
    expect(after.stdout).not.toContain('staging-left');
    // sudo asked each time (no timestamp on this host) and got its password on stdin, never on a command line.
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.some((c) => c.includes(th.password))).toBe(false);
  }, 120_000);

  it('a wrong sudo password fails before any byte is sent, naming sudo; nothing is left under the final name', async () => {
    const dest = `${DIR}/${'b'.repeat(64)}`;
    const s = (await connector(th, {
      secrets: { password: { pw: Secret.of(th.password, 'password') }, sudoPassword: { pw: Secret.of('not-it', 'password') } },
    }).connect(target(th, 0, profiles.password))) as unknown as SshSession & SftpSession;
    try {
      const err = await resumableUploadSudo(s, file, dest, {}).then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/sudo/i);
    } finally {
      await s.close();
    }
    expect((await th.exec(0, `test -e ${dest} || echo absent`)).stdout.trim()).toBe('absent');
  }, 60_000);
});

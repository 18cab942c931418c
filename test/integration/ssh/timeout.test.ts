// security #7: no remote call runs unbounded. A command that names no limit gets the session's default; a
// step with its own limit (verify's verifyTimeoutSec) holds each call to it. On timeout the remote process
// group is gone and the error names the host, the command and the limit.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msg } from '../../../core/common/messages.js';
import { Secret } from '../../../core/common/secret.js';
import { InstallRun } from '../../../core/install/runner.js';
import { clusterSteps } from '../../../core/install/modes/cluster.js';
import { openSsh } from '../../../core/install/ssh-provider.js';
import { findRelease } from '../../../core/plan/catalog.js';
import { Plan } from '../../../core/plan/schema.js';
import { SshError } from '../../../core/ssh/types.js';
import { commandSummary } from '../../../core/ssh/session.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { connector, liveProcesses, profiles, target } from './fixture.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`SSH timeout integration tests skipped: ${can.reason}`);

describe('commandSummary', () => {
  it('names a command by its first line, without the cd and environment in front', () => {
    expect(commandSummary("cd '.cp-installer/x/kubespray' && env ANSIBLE_X=True 'ANSIBLE_SSH_ARGS=-o A=b' ansible-playbook -i inv cluster.yml")).toBe(
      'ansible-playbook -i inv cluster.yml',
    );
    expect(commandSummary('\n  kubectl get nodes -o json\nsecond line')).toBe('kubectl get nodes -o json');
    expect(commandSummary('x'.repeat(300))).toHaveLength(100);
  });
});

describe.skipIf(!can.ok)('security #7: every remote call has a timeout (real hosts)', () => {
  let th: TestHosts;
  let scratch: string;

  beforeAll(async () => {
    th = await startTestHosts({ count: 1 });
    scratch = mkdtempSync(join(tmpdir(), 'cpi-timeout-'));
    // A kubectl that never answers, like one talking to a stuck API server.
    const fake = join(th.hosts[0]!.dir, 'bin', 'kubectl');
    writeFileSync(fake, '#!/bin/sh\nexec sleep 1000\n');
    chmodSync(fake, 0o755);
  });
  afterAll(async () => {
    await th?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const gone = async (needle: string) => {
    for (let i = 0; i < 40; i++) {
      if ((await liveProcesses(th, 0, needle)).length === 0) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  };

  it('security #7: a command without a limit of its own gets the default and its process group is ended', async () => {
    const session = await connector(th, { execTimeoutMs: 2_000 }).connect(target(th, 0, profiles.key));
    try {
      const t0 = Date.now();
      const e = await session.exec('sleep 1001; echo never').catch((x: unknown) => x);
      const took = Date.now() - t0;
      expect(e).toBeInstanceOf(SshError);
      expect((e as SshError).kind).toBe('timeout');
      expect((e as SshError).host).toBe(th.hosts[0]!.name);
      expect((e as SshError).message).toContain('sleep 1001');
      expect((e as SshError).message).toContain('2 s');
      expect(took).toBeLessThan(10_000);
      expect(await gone('sleep 1001')).toBe(true);
      // The session still works after a timeout.
      expect((await session.exec('echo ok')).stdout).toBe('ok\n');
    } finally {
      await session.close();
    }
  }, 60_000);

  it('security #7: a hanging command under sudo with its own limit is stopped at that limit', async () => {
    const session = await connector(th).connect(target(th, 0, profiles.key));
    try {
      const e = await session.exec('sleep 1002', { sudo: true, timeoutMs: 1_500 }).catch((x: unknown) => x);
      expect((e as SshError).kind).toBe('timeout');
      expect((e as SshError).message).toMatch(/`sleep 1002` did not finish within 1.5 s/);
      expect(await gone('sleep 1002')).toBe(true);
    } finally {
      await session.close();
    }
  }, 60_000);

  it('security #7: an SFTP transfer to a stuck sftp-server fails after its idle limit, and the next one works', async () => {
    const session = await connector(th, { sftpIdleTimeoutMs: 2_000 }).connect(target(th, 0, profiles.key));
    // The SFTP server processes under this host's sshd (other helpers' hosts share the process table).
    const sftpServers = () => {
      const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map(([pid, ppid, ...args]) => [pid, ppid, args.join(' ')] as const)
        .filter((r) => r[2] !== '');
      const under = new Set([String(th.hosts[0]!.sshdPid)]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const [pid, ppid] of rows) {
          if (under.has(ppid!) && !under.has(pid!)) {
            under.add(pid!);
            grew = true;
          }
        }
      }
      // The harness's sshd serves SFTP in-process (`sshd: user@internal-sftp`); a packaged one runs sftp-server.
      return rows.filter(([pid, , args]) => under.has(pid!) && /@internal-sftp|sftp-server/.test(args)).map(([pid]) => Number(pid));
    };
    let stopped: number[] = [];
    try {
      await session.upload('first', 'first.txt');
      stopped = sftpServers();
      expect(stopped.length).toBeGreaterThan(0);
      for (const pid of stopped) process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      const e = await session.upload(Buffer.alloc(256 * 1024, 1), 'second.bin').catch((x: unknown) => x);
      expect((e as SshError).kind).toBe('timeout');
      expect((e as SshError).message).toMatch(/upload of second\.bin: the SFTP server made no progress for 2 s/);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(await session.download('first.txt').catch((x: unknown) => x)).toEqual(Buffer.from('first'));
    } finally {
      for (const pid of stopped) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await session.close();
    }
  }, 60_000);

  it('security #7: verify with verifyTimeoutSec 10 ends near 10 s when kubectl hangs, naming host, command and limit', async () => {
    const plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      cluster: { name: 'ittimeout' },
      auth: [{ name: 'default', method: 'password', user: th.user, sudo: 'nopasswd' }],
      hosts: [{ name: 'master-1', address: th.hosts[0]!.address, roles: ['control-plane', 'etcd', 'worker'] }],
      network: { metallbRange: '10.0.0.200-10.0.0.210', ingressIp: '10.0.0.220' },
      storage: { type: 'nfs', nfs: { server: th.hosts[0]!.address, path: '/srv/nfs' } },
    });
    const release = findRelease(plan.release)!;
    const verify = clusterSteps(plan, plan.hosts[0]!, []).find((s) => s.id === 'verify')!;
    expect(verify).toBeDefined();
    const secrets = { password: { default: Secret.of(th.password, 'password') } };
    const ssh = await openSsh(plan, secrets, { knownHostsFile: th.knownHostsFile, useSshConfig: false });
    const run = new InstallRun({
      runId: 'timeout-1',
      workdir: join(scratch, 'wd'),
      mode: { name: 'verify-only', title: msg('step.verify'), steps: () => [{ ...verify, needs: [] }] },
      plan,
      release,
      options: { verifyTimeoutSec: 10, overrides: [] },
      secrets,
      sessions: ssh.sessions,
    });
    const t0 = Date.now();
    const r = await run.start().finally(() => ssh.close());
    const took = Date.now() - t0;
    expect(r.status).toBe('failed');
    expect(r.failedStep).toBe('verify');
    // Near the 10 s limit (the kubectl would hang 1000 s); the margin is for a loaded machine.
    expect(took).toBeLessThan(45_000);
    const text = JSON.stringify(r.failure);
    expect(text).toContain('master-1');
    expect(text).toContain('kubectl');
    expect(text).toMatch(/within 10 s/);
    // The message the person reads names the same.
    expect(r.error).toMatchObject({ key: 'ssh.timeout', params: { host: 'master-1' } });
    expect(String(r.error?.params?.detail)).toMatch(/kubectl .*get nodes.* did not finish within 10 s/);
    expect(await gone('sleep 1000')).toBe(true);
  }, 120_000);
});

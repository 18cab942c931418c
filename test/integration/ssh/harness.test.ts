import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { running } from '../../hosts/state.js';
import { run } from '../../hosts/run.js';

const can = canRunTestHosts();
if (!can.ok) console.log(`test-host harness tests skipped: ${can.reason}`);

const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n';

describe.skipIf(!can.ok)('test-host harness', () => {
  let th: TestHosts;

  beforeAll(async () => {
    th = await startTestHosts({
      count: 3,
      hosts: [{ cpus: 1, memTotalKb: 2_000_000, osRelease: UBUNTU, hostname: 'cp-master' }, {}, { sudo: 'none' }],
    });
  });
  afterAll(async () => {
    await th?.stop();
  });

  it('gives each host its own hostname, /etc/hosts, hardware view and os-release', async () => {
    const a = await th.exec(0, 'hostname; nproc; grep MemTotal /proc/meminfo; . /etc/os-release; echo $ID; getent hosts cp-master');
    const [name, cpus, mem, os, resolved] = a.stdout.trim().split('\n');
    expect(name).toBe('cp-master');
    expect(cpus).toBe('1');
    expect(mem).toMatch(/MemTotal:\s+2000000 kB/);
    expect(os).toBe('ubuntu');
    expect(resolved?.split(/\s+/)[0]).toBe(th.hosts[0]!.address);
    const b = await th.exec(1, 'hostname; nproc; . /etc/os-release; echo $ID');
    expect(b.stdout.trim().split('\n')).toEqual([th.hosts[1]!.name, String((await run('nproc', [])).stdout.trim()), 'debian']);
  });

  it('keeps /usr/local/bin, /etc/kubernetes and /var/lib/cp-installer apart per host', async () => {
    await th.exec(0, 'echo 0 > /usr/local/bin/marker; echo 0 > /etc/kubernetes/marker; echo 0 > /var/lib/cp-installer/marker');
    const other = await th.exec(1, 'ls /usr/local/bin /etc/kubernetes /var/lib/cp-installer');
    expect(other.stdout).not.toContain('marker');
    expect(existsSync('/usr/local/bin/marker')).toBe(false);
  });

  it('puts each host on the bridge with a default route, and can take its link down and up', async () => {
    const route = await th.exec(2, 'ip route show default');
    expect(route.stdout).toContain(`via ${th.bridgeAddress}`);
    await th.linkDown(2);
    const down = await run('ip', ['-o', 'link', 'show', `cpt${th.id}v2`]);
    expect(down.stdout).toMatch(/state DOWN/);
    await th.linkUp(2);
  });

  it('stop leaves no sshd, namespace, bridge, user or folder behind', async () => {
    const extra = await startTestHosts({ count: 2 });
    const pids = extra.hosts.map((h) => h.sshdPid);
    await extra.stop();
    expect(pids.some(running)).toBe(false);
    const ns = (await run('ip', ['netns', 'list'])).stdout;
    for (const h of extra.hosts) expect(ns).not.toContain(h.ns);
    expect(existsSync(`/sys/class/net/cpt${extra.id}`)).toBe(false);
    expect(existsSync(extra.dir)).toBe(false);
    expect((await run('id', [extra.user])).code).not.toBe(0);
  });
});

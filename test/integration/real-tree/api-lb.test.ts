// The api-lb step (the platform guide's §2.1.7.2: keepalived holding the plan's VIP, HAProxy forwarding
// <VIP>:6443 to the control planes) run by the engine over SSH on two real test hosts with the `lb` role. Each
// gets an /etc of its own (own-etc.ts: this machine's /etc is never written) and strict fakes for what cannot
// run here: apt-get (no network; it lays down Debian's haproxy.cfg in the host's /etc), haproxy (`-c -f`
// checks the file it is given: a missing file, a keyword out of or unknown in its section, a bad address are
// refused), keepalived (`-t`: an unknown keyword, an interface the host lacks, ranges) and systemctl (units of
// installed packages only; haproxy's restart fails on a config its check refuses). The real ip, sysctl (in the
// host's network namespace), sed, cat, mv, dpkg and sudo run as they are.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shq } from '../../../core/common/quote.js';
import { apiLbStep, haproxyApiBlock, keepalivedConf, vipInterfaceCommand } from '../../../core/install/modes/api-lb.js';
import { workspace } from '../../../core/install/modes/deployer.js';
import type { InstallMode } from '../../../core/install/step.js';
import { Plan } from '../../../core/plan/schema.js';
import { canRunTestHosts, startTestHosts, type TestHosts } from '../../hosts/harness.js';
import { runMode } from '../edge/helpers.js';
import { ownEtc } from './own-etc.js';

const FAKES = fileURLToPath(new URL('./fakes/', import.meta.url));
const TOOLS = ['apt-get', 'haproxy', 'keepalived', 'systemctl'];

const can = canRunTestHosts();
const aptCache = spawnSync('apt-cache', ['show', 'haproxy', 'keepalived'], { encoding: 'utf8' }).status === 0;
const overlay = existsSync('/proc/filesystems') && readFileSync('/proc/filesystems', 'utf8').includes('overlay');
const reason = !can.ok ? can.reason : !aptCache ? 'apt-cache does not know haproxy or keepalived (the fake apt-get asks it)' : !overlay ? "no overlay file system for the hosts' own /etc" : undefined;
if (reason) console.log(`skipping the api-lb step test: ${reason}`);

describe.skipIf(!!reason)('the api-lb step on two load balancer test hosts', () => {
  let th: TestHosts;
  let plan: Plan;
  let work: string;
  let vip: string;
  const machine = { haproxy: existsSync('/etc/haproxy'), keepalived: existsSync('/etc/keepalived'), sysctl: existsSync('/etc/sysctl.d/90-cp-installer-lb.conf') };
  const lbs = [0, 1];
  const cat = async (i: number, file: string) => (await th.exec(i, `cat ${shq(file)}`)).stdout;
  const systemd = (i: number) => JSON.parse(readFileSync(join(th.hosts[i]!.dir, 'lib', 'fake-systemd', 'state.json'), 'utf8')) as { enabled: string[]; active: string[]; restarts: Record<string, number> };
  /** The host's interface on the test network (the one holding its address). */
  const ifaceOf = async (i: number) => (await th.exec(i, `ip -o -4 addr show | awk -v a=${shq(`${th.hosts[i]!.address}/`)} 'index($4, a) == 1 { print $2 }'`)).stdout.trim();

  beforeAll(async () => {
    th = await startTestHosts({ count: 3 });
    work = mkdtempSync(join(tmpdir(), 'cp-api-lb-'));
    const [l1, l2, m] = th.hosts;
    const net = m!.address.replace(/\.\d+$/, '');
    // A VIP on the hosts' network that no host holds (the guide's HA setup: keepalived moves it).
    vip = `${net}.100`;
    plan = Plan.parse({
      apiVersion: 'cp-installer/v1',
      kind: 'Plan',
      mode: 'standalone',
      release: 'k-paas-v1.6.2',
      auth: [{ name: 'default', method: 'key', keyPath: th.keyPath, user: th.user, sudo: 'nopasswd' }],
      hosts: [
        { name: 'lb-1', address: l1!.address, roles: ['lb'] },
        { name: 'lb-2', address: l2!.address, roles: ['lb'] },
        { name: 'master-1', address: m!.address, roles: ['control-plane', 'etcd', 'worker', 'deployer'] },
      ],
      cluster: { name: 'api-lb', loadBalancerDomain: vip },
      network: { metallbRange: `${net}.200-${net}.210`, ingressIp: `${net}.220` },
      storage: { type: 'nfs', nfs: { server: m!.address } },
    });
    for (const i of lbs) {
      await ownEtc(th, i, th.hosts[i]!);
      for (const tool of TOOLS) {
        copyFileSync(join(FAKES, tool), join(th.hosts[i]!.dir, 'bin', tool));
        chmodSync(join(th.hosts[i]!.dir, 'bin', tool), 0o755);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await th?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function mode(): InstallMode {
    const step = apiLbStep(plan, workspace(plan));
    expect(step, 'a plan with lb hosts and an IPv4 VIP has the api-lb step').toBeDefined();
    return { name: 'api-lb', title: { key: 'mode.standalone' }, steps: () => [step!] };
  }

  const masters = () => [{ name: 'master-1', address: th.hosts[2]!.address }];

  it('installs both, writes keepalived.conf (MASTER, BACKUP) and the API listener into Debian\'s haproxy.cfg, checks them, enables and restarts the services', { timeout: 300_000 }, async () => {
    const { result, run } = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'lb-1' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    for (const i of lbs) {
      const iface = await ifaceOf(i);
      expect(iface).not.toBe('');
      expect(await cat(i, '/etc/keepalived/keepalived.conf')).toBe(keepalivedConf(vip, iface, i));
      const cfg = await cat(i, '/etc/haproxy/haproxy.cfg');
      // The package's own settings kept, our block once at the end.
      expect(cfg.startsWith('global\n\tlog /dev/log\tlocal0\n')).toBe(true);
      expect(cfg).toContain('\terrorfile 504 /etc/haproxy/errors/504.http\n');
      expect(cfg.endsWith(haproxyApiBlock(vip, masters()))).toBe(true);
      expect(cfg).toContain(`  bind ${vip}:6443\n`);
      expect(cfg).toContain(`  server master-1 ${th.hosts[2]!.address}:6443 check check-ssl verify none inter 10000\n`);
      expect(await cat(i, '/etc/sysctl.d/90-cp-installer-lb.conf')).toBe('net.ipv4.ip_nonlocal_bind=1\nnet.ipv4.ip_forward=1\n');
      // sysctl -p ran for real, in the host's own network namespace.
      expect((await th.exec(i, 'cat /proc/sys/net/ipv4/ip_nonlocal_bind')).stdout.trim()).toBe('1');
      expect((await th.exec(i, 'ls /etc/haproxy /etc/keepalived')).stdout).not.toContain('cp-installer-new');
      const sd = systemd(i);
      expect(new Set(sd.enabled)).toEqual(new Set(['keepalived', 'haproxy']));
      expect(new Set(sd.active)).toEqual(new Set(['keepalived', 'haproxy']));
      const calls = readFileSync(join(th.hosts[i]!.dir, 'lib', 'fake-apt', 'calls.log'), 'utf8');
      expect(calls).toContain('apt-get install -y keepalived haproxy');
      const log = readFileSync(join(run.runDir, 'logs', 'api-lb', `lb-${i + 1}.log`), 'utf8');
      expect(log).toContain('Configuration file is valid');
    }
    expect((await cat(0, '/etc/keepalived/keepalived.conf'))).toContain('state MASTER');
    expect((await cat(1, '/etc/keepalived/keepalived.conf'))).toContain('state BACKUP');
    // Not on the control plane, and never this machine's /etc.
    expect((await th.exec(2, 'test -e /etc/haproxy/haproxy.cfg; echo $?')).stdout.trim()).toBe(machine.haproxy ? '0' : '1');
    expect({ haproxy: existsSync('/etc/haproxy'), keepalived: existsSync('/etc/keepalived'), sysctl: existsSync('/etc/sysctl.d/90-cp-installer-lb.conf') }).toEqual(machine);
  });

  it('a rerun leaves the same files: one listener block, the same keepalived.conf', { timeout: 300_000 }, async () => {
    const before = await Promise.all(lbs.map(async (i) => [await cat(i, '/etc/haproxy/haproxy.cfg'), await cat(i, '/etc/keepalived/keepalived.conf')]));
    const { result } = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'lb-2' });
    expect(result.status, JSON.stringify(result.failure)).toBe('succeeded');
    for (const i of lbs) {
      const cfg = await cat(i, '/etc/haproxy/haproxy.cfg');
      expect([cfg, await cat(i, '/etc/keepalived/keepalived.conf')]).toEqual(before[i]);
      expect(cfg.split('listen kubernetes-apiserver-https')).toHaveLength(2);
      expect(systemd(i).restarts).toEqual({ keepalived: 2, haproxy: 2 });
    }
  });

  it('a haproxy.cfg its check refuses stops the step naming the host and haproxy\'s words; the live file and services are left as they were', { timeout: 300_000 }, async () => {
    // Someone's typo in the site's own part of haproxy.cfg on lb-2 (a section haproxy does not know).
    const good = await cat(1, '/etc/haproxy/haproxy.cfg');
    const broken = `frontnd stats\n  bind *:8404\n${good}`;
    expect((await th.exec(1, `printf '%s' ${shq(broken)} > /etc/haproxy/haproxy.cfg`)).code).toBe(0);
    const restarts = systemd(1).restarts;
    const { result } = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'lb-3' });
    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('api-lb');
    expect(result.failure?.host).toBe('lb-2');
    expect(result.error).toMatchObject({ key: 'install.lb-config-invalid', params: { host: 'lb-2', tool: 'haproxy', file: '/etc/haproxy/haproxy.cfg' } });
    const said = String(result.error?.params?.output ?? '');
    expect(said).toContain("unknown keyword 'frontnd' out of section");
    // Nothing moved into place, nothing restarted on lb-2.
    expect(await cat(1, '/etc/haproxy/haproxy.cfg')).toBe(broken);
    expect(systemd(1).restarts).toEqual(restarts);

    // Fixed by the site; the step goes through.
    expect((await th.exec(1, `printf '%s' ${shq(good)} > /etc/haproxy/haproxy.cfg`)).code).toBe(0);
    const again = await runMode({ hosts: th, mode: mode(), plan, workdir: work, runId: 'lb-4' });
    expect(again.result.status, JSON.stringify(again.result.failure)).toBe('succeeded');
  });

  it('the VIP\'s interface: the one holding it when the VIP is the host\'s own address (the guide\'s single-balancer setup), never lo', async () => {
    const iface = await ifaceOf(0);
    expect((await th.exec(0, vipInterfaceCommand(th.hosts[0]!.address))).stdout.trim()).toBe(iface);
    expect((await th.exec(0, vipInterfaceCommand(vip))).stdout.trim()).toBe(iface);
    // What the step did before: `ip route get` of the host's own address answers lo.
    expect((await th.exec(0, `ip -o -4 route get ${th.hosts[0]!.address}`)).stdout).toMatch(/ dev lo /);
  });

  it('the fakes refuse what the real tools refuse (the runs above were checked by them)', async () => {
    const missing = await th.exec(0, 'haproxy -c -f /etc/haproxy/nonexistent.cfg');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot open configuration file/directory /etc/haproxy/nonexistent.cfg');
    const section = await th.exec(0, `printf 'global\\n  daemon\\nlisten\\n  bind :80\\nfrontend web\\n  server a 10.0.0.1:80\\nlisten api\\n  bnd 10.0.0.1:6443\\n' > /tmp/h.cfg; haproxy -c -f /tmp/h.cfg; c=$?; rm -f /tmp/h.cfg; exit $c`);
    expect(section.code).toBe(1);
    expect(section.stderr).toContain("'listen' expects <name> as an argument.");
    expect(section.stderr).toContain("'server' not allowed in 'frontend' section");
    expect(section.stderr).toContain("unknown keyword 'bnd' in 'listen' section");
    expect((await th.exec(0, 'haproxy -f /etc/haproxy/haproxy.cfg -x')).code).toBe(1);
    const kconf = await th.exec(0, `printf 'vrrp_instance VI_1 {\\n  state LEADER\\n  interface nosuch0\\n  virtual_router_id 300\\n  colour blue\\n' > /tmp/k.conf; keepalived -t -f /tmp/k.conf; c=$?; rm -f /tmp/k.conf; exit $c`);
    expect(kconf.code).not.toBe(0);
    for (const said of ["unknown state 'LEADER'", "interface nosuch0 for vrrp_instance doesn't exist", 'VRID not valid', "Unknown keyword 'colour'", 'unbalanced braces']) expect(kconf.stderr).toContain(said);
    const unit = await th.exec(0, 'systemctl restart haproxyy');
    expect(unit).toMatchObject({ code: 5, stderr: expect.stringContaining('Unit haproxyy.service not found.') });
    expect((await th.exec(0, 'systemctl reboot')).stderr).toContain('Unknown command verb reboot.');
    const user = await th.exec(0, `su -s /bin/sh ${shq(th.user)} -c 'systemctl restart haproxy'`);
    expect(user.stderr).toContain('Interactive authentication required');
    // Not installed: the control plane has no haproxy or keepalived (the fakes are only on the lb hosts, and
    // even there they answer only once the fake apt-get installed them).
    expect((await th.exec(2, 'command -v haproxy keepalived || echo none')).stdout.trim()).toBe('none');
  });
});
